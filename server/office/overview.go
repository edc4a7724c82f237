package office

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// The DPO's overview (GET /office/overview): an organisation's records by
// status, what blocks them by law and by unit, and the risks, each number a
// link to the register list filtered on it. Every number comes from
// register.Service.Overview, which reads the standings: the page never runs
// the rules. The charts are SVG drawn here (no script, no inline style: the
// CSP forbids both); each is hidden from screen readers and followed by the
// table of its numbers, which is what they read and what the links are on.

func (o *Office) overviewRoutes() []Route {
	return []Route{{http.MethodGet, "/office/overview", o.serve(o.signedIn(o.overviewPage))}}
}

// mayOverview tells who is offered the overview: who reads findings.
func mayOverview(p *identity.Principal) bool {
	return p != nil && (p.Role == identity.RoleDPO || p.Role == identity.RoleAuditor || p.Role == identity.RoleAdmin)
}

// bar is one number of a chart and its table: a label, the number and the
// list behind it.
type bar struct {
	Label string
	N     int
	URL   string
	FR    bool // the label is the register's own text (a unit's name)
	// Where the label, the bar and the number are drawn (viewBox units).
	Width, LabelY, BarY, NumX, NumY int
}

// chart is one chart with its table.
type chart struct {
	ID, Title, Caption, Head, Empty string
	Bars                            []bar
	Height                          int // of the viewBox
}

// Geometry of the charts, in viewBox units (the SVG scales to its box,
// 400 wide): each row is its label, then its bar and number beside it.
const (
	chartWidth = 340 // the longest bar, leaving room for its number
	rowHeight  = 36
	barHeight  = 14
)

func (c *chart) layout() {
	maxN := 0
	for _, b := range c.Bars {
		maxN = max(maxN, b.N)
	}
	for i := range c.Bars {
		b := &c.Bars[i]
		top := i * rowHeight
		if maxN > 0 {
			b.Width = b.N * chartWidth / maxN
		}
		if b.N > 0 && b.Width < 2 {
			b.Width = 2 // a non-zero number is never an invisible bar
		}
		b.LabelY, b.BarY = top+12, top+16
		b.NumX, b.NumY = b.Width+6, top+28
	}
	c.Height = max(len(c.Bars)*rowHeight, rowHeight)
}

// overviewData is what the page shows.
type overviewData struct {
	Orgs    []option // an administrator's choice; nil for others
	Org     string
	OrgName string
	Chosen  bool
	Current int
	Figures []bar // records, with blocking findings, without
	Charts  []chart
	ListURL string
}

// overviewPage serves GET /office/overview[?org=].
func (o *Office) overviewPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	if !mayOverview(p) {
		return register.Errorf(register.EForbidden, "the overview is for DPOs, auditors and administrators")
	}
	v := o.newView(r)
	d := overviewData{Org: r.URL.Query().Get("org")}
	v.Title, v.Nav, v.Data = v.T("overview.title"), "overview", &d
	if p.Role == identity.RoleAdmin {
		orgs, err := o.svc.ListOrganisations(ctx, p)
		if err != nil {
			return err
		}
		d.Orgs = append(d.Orgs, option{Value: "", Label: v.T("overview.org.choose"), Selected: d.Org == ""})
		known := false
		for _, x := range orgs {
			d.Orgs = append(d.Orgs, option{Value: x.Slug, Label: x.Name, Selected: d.Org == x.Slug})
			known = known || x.Slug == d.Org
		}
		if d.Org == "" {
			return o.render(w, http.StatusOK, "overview", v)
		}
		if !known {
			return errNotFound()
		}
	} else {
		d.Org = p.Org
	}
	ov, err := o.svc.Overview(ctx, p, d.Org)
	if err != nil {
		return err
	}
	org, err := o.svc.GetOrganisation(ctx, p, d.Org)
	if err != nil {
		return err
	}
	units, err := o.svc.ListUnits(ctx, p, d.Org)
	if err != nil {
		return err
	}
	open, overdue, err := o.svc.ReviewTaskCounts(ctx, p, d.Org)
	if err != nil {
		return err
	}
	d.Chosen, d.OrgName, d.Current = true, org.Name, ov.Current
	v.Title = v.T("overview.title") + " — " + org.Name
	o.fillOverview(v, &d, ov, units)
	// The review campaigns' tasks: a link to them for who takes them
	// (their page is of the person's own organisation), a number alone
	// for an auditor or an administrator.
	tasksURL := ""
	if mayHaveTasks(p) {
		tasksURL = link("/office/tasks", nil, v.Lang)
	}
	d.Figures = append(d.Figures,
		bar{Label: v.T("overview.fig.tasks"), N: open, URL: tasksURL},
		bar{Label: v.T("overview.fig.tasks.overdue"), N: overdue, URL: tasksURL})
	return o.render(w, http.StatusOK, "overview", v)
}

// fillOverview turns the numbers into figures and charts, each number with
// the register list that shows its records.
func (o *Office) fillOverview(v *view, d *overviewData, ov *register.Overview, units []register.Unit) {
	list := func(kv ...string) string {
		q := url.Values{}
		if v.Who.Role == identity.RoleAdmin {
			q.Set("org", d.Org)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return link("/office/", q, v.Lang)
	}
	d.ListURL = list()
	d.Figures = []bar{
		{Label: v.T("overview.fig.current"), N: ov.Current, URL: list("current", "1")},
		{Label: v.T("overview.fig.blocked"), N: ov.Blocked, URL: list("current", "1", "blocking", "yes")},
		{Label: v.T("overview.fig.clear"), N: ov.Current - ov.Blocked, URL: list("current", "1", "blocking", "no")},
	}

	status := chart{ID: "status", Title: v.T("overview.status.title"), Caption: v.T("overview.status.caption"), Head: v.T("col.status")}
	for _, s := range []register.Status{register.StatusDraft, register.StatusInReview, register.StatusPublished, register.StatusArchived} {
		status.Bars = append(status.Bars, bar{Label: v.Enum("status", s), N: ov.ByStatus[s], URL: list("status", string(s))})
	}

	laws := chart{ID: "laws", Title: v.T("overview.laws.title"), Caption: v.T("overview.laws.caption"),
		Head: v.T("overview.law"), Empty: v.T("overview.none.blocking")}
	for _, l := range register.LawCodes() { // the rule table's order: register duties first
		if n := ov.ByLaw[l]; n > 0 {
			laws.Bars = append(laws.Bars, bar{Label: v.T("law." + l), N: n, URL: list("law", l, "current", "1")})
		}
	}

	byUnit := chart{ID: "units", Title: v.T("overview.units.title"), Caption: v.T("overview.units.caption"),
		Head: v.T("col.unit"), Empty: v.T("overview.none.blocking")}
	names := map[string]string{}
	for _, u := range units {
		names[u.Slug] = u.Name
	}
	slugs := make([]string, 0, len(ov.ByUnit))
	for u := range ov.ByUnit {
		slugs = append(slugs, u)
	}
	sort.Slice(slugs, func(i, j int) bool {
		a, b := slugs[i], slugs[j]
		if ov.ByUnit[a] != ov.ByUnit[b] {
			return ov.ByUnit[a] > ov.ByUnit[b]
		}
		return a < b
	})
	for _, u := range slugs {
		name := names[u]
		if name == "" {
			name = u
		}
		byUnit.Bars = append(byUnit.Bars, bar{Label: name, FR: true, N: ov.ByUnit[u], URL: list("unit", u, "blocking", "yes", "current", "1")})
	}

	risks := chart{ID: "risks", Title: v.T("overview.risks.title"), Caption: v.T("overview.risks.caption"), Head: v.T("overview.risk")}
	risks.Bars = []bar{
		{Label: v.T("overview.risk.sensitive"), N: ov.Sensitive, URL: list("sensitive", "yes", "current", "1")},
		{Label: v.T("risk.dpia"), N: ov.DPIADue, URL: list("risk", "dpia", "current", "1")},
		{Label: v.T("risk.transfers"), N: ov.Abroad, URL: list("risk", "transfers", "current", "1")},
		{Label: v.T("risk.profiling"), N: ov.Profiling, URL: list("risk", "profiling", "current", "1")},
		{Label: v.T("overview.risk.overdue"), N: ov.Overdue, URL: list("overdue", "1", "current", "1")},
	}
	d.Charts = []chart{status, laws, byUnit, risks}
	for i := range d.Charts {
		d.Charts[i].layout()
	}
}

// overviewLabels are the overview's words, and the list's filters it
// added.
func overviewLabels() map[string]text {
	return map[string]text{
		"nav.overview":               {"Vue d’ensemble", "Overview"},
		"overview.title":             {"Vue d’ensemble de la conformité", "Compliance overview"},
		"overview.lead":              {"Ce qui bloque la publication et les risques, d’un coup d’œil. Chaque nombre de traitements mène à leur liste.", "What blocks publication and the risks, at a glance. Every number of processings leads to their list."},
		"overview.org":               {"Organisation", "Organisation"},
		"overview.org.choose":        {"Choisir une organisation", "Choose an organisation"},
		"overview.org.hint":          {"La vue d’ensemble porte sur une organisation à la fois.", "The overview covers one organisation at a time."},
		"overview.org.show":          {"Afficher", "Show"},
		"overview.figures":           {"En bref", "In short"},
		"overview.fig.current":       {"traitements en vigueur (hors archivés)", "current processings (archived ones left out)"},
		"overview.fig.tasks":         {"tâches de revue à faire (campagnes en cours)", "review tasks to do (open campaigns)"},
		"overview.fig.tasks.overdue": {"tâches de revue en retard", "overdue review tasks"},
		"overview.fig.blocked":       {"avec des points bloquants", "with blocking findings"},
		"overview.fig.clear":         {"sans point bloquant", "with no blocking finding"},
		"overview.status.title":      {"Traitements par statut", "Processings by status"},
		"overview.status.caption":    {"Nombre de traitements par statut, archivés compris", "Number of processings by status, archived ones included"},
		"overview.laws.title":        {"Points bloquants par loi", "Blocking findings by law"},
		"overview.laws.caption":      {"Traitements en vigueur ayant au moins un point bloquant exigé par chaque texte (un traitement peut compter sous plusieurs textes)", "Current processings with at least one blocking finding required by each text (a processing may count under several texts)"},
		"overview.law":               {"Texte", "Text"},
		"overview.units.title":       {"Points bloquants par unité", "Blocking findings by unit"},
		"overview.units.caption":     {"Traitements en vigueur ayant au moins un point bloquant, par unité", "Current processings with at least one blocking finding, by unit"},
		"overview.none.blocking":     {"Aucun traitement en vigueur n’a de point bloquant.", "No current processing has a blocking finding."},
		"overview.risks.title":       {"Risques", "Risks"},
		"overview.risks.caption":     {"Traitements en vigueur présentant chaque risque", "Current processings with each risk"},
		"overview.risk":              {"Risque", "Risk"},
		"overview.risk.sensitive":    {"Données sensibles", "Sensitive data"},
		"overview.risk.overdue":      {"Revue en retard", "Review overdue"},
		"overview.number":            {"Nombre", "Number"},
		"overview.see.list":          {"voir la liste", "see the list"},
		"overview.all":               {"Voir tout le registre", "See the whole register"},
		"overview.fresh":             {"Les nombres sont ceux des contrôles faits à chaque enregistrement et chaque jour ; le rapport de conformité les recalcule.", "The numbers are those of the checks made at every save and every day; the compliance report computes them again."},
		"risk.dpia":                  {"Analyse d’impact à faire", "Impact assessment due"},
		"risk.transfers":             {"Transferts à l’étranger", "Transfers abroad"},
		"risk.profiling":             {"Profilage", "Profiling"},
		"filter.law":                 {"Point bloquant exigé par", "Blocking finding required by"},
		"filter.law.hint":            {"Le texte qui exige l’élément manquant.", "The text that requires the missing item."},
		"filter.risk":                {"Risque", "Risk"},
		"filter.current":             {"En vigueur seulement (hors archivés)", "Current only (archived left out)"},
	}
}

// MayOverview tells the layout whether to offer the overview.
func (v *view) MayOverview() bool { return mayOverview(v.Who) }
