package office

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// The register list: the home page after sign-in. A table of the reader's
// organisation's processings with filters beside it (a GET form, the MOJ
// filter pattern), one-click views, sortable column headers and paging by
// cursor. Everything it shows comes from the Standing kept with each record:
// no finding is computed for a list.

// listPerPage is the length of a page of the list.
const listPerPage = 25

// listQuery is the list's state, as its URL carries it.
type listQuery struct {
	Status, Unit, Sensitive, Blocking, View, Q, Sort, Order, Cursor string
	Overdue                                                         bool
	// The overview's filters (overview.go): an administrator's
	// organisation, a law of the blocking findings, a risk, archived left out.
	Org, Law, Risk string
	Current        bool
}

// values is the query's URL form, without the cursor.
func (q listQuery) values() url.Values {
	u := url.Values{}
	set := func(k, v string) {
		if v != "" {
			u.Set(k, v)
		}
	}
	set("view", q.View)
	set("org", q.Org)
	set("status", q.Status)
	set("unit", q.Unit)
	set("sensitive", q.Sensitive)
	set("blocking", q.Blocking)
	if q.Overdue {
		u.Set("overdue", "1")
	}
	set("law", q.Law)
	set("risk", q.Risk)
	if q.Current {
		u.Set("current", "1")
	}
	set("q", q.Q)
	set("sort", q.Sort)
	set("order", q.Order)
	return u
}

// filtered tells whether a filter or a search narrows the list.
func (q listQuery) filtered() bool {
	return q.Status != "" || q.Unit != "" || q.Sensitive != "" || q.Blocking != "" || q.Overdue || strings.TrimSpace(q.Q) != "" ||
		q.Law != "" || q.Risk != "" || q.Current
}

// sortKeys are the sortable columns, in the table's order.
var sortKeys = []register.SortKey{register.SortTitle, register.SortReference, register.SortUnit,
	register.SortStatus, register.SortVersion, register.SortBlocking, register.SortUpdated}

// descByDefault tells the columns read newest or largest first when first
// chosen.
func descByDefault(k register.SortKey) bool {
	return k == register.SortUpdated || k == register.SortBlocking
}

// parseList reads the list's query. A value the list never offers is a
// bad request, not a silent default: the page says so.
func parseList(q url.Values) (listQuery, register.ProcessingFilter, error) {
	lq := listQuery{Status: q.Get("status"), Unit: q.Get("unit"), Sensitive: q.Get("sensitive"),
		Blocking: q.Get("blocking"), View: q.Get("view"), Q: q.Get("q"), Sort: q.Get("sort"),
		Order: q.Get("order"), Cursor: q.Get("cursor"), Org: q.Get("org"), Law: q.Get("law"), Risk: q.Get("risk")}
	flag := func(name string, to *bool) error {
		switch q.Get(name) {
		case "", "0":
		case "1", "on", "true":
			*to = true
		default:
			return badParam(name)
		}
		return nil
	}
	if err := flag("overdue", &lq.Overdue); err != nil {
		return lq, register.ProcessingFilter{}, err
	}
	if err := flag("current", &lq.Current); err != nil {
		return lq, register.ProcessingFilter{}, err
	}
	if lq.Law != "" && !slices.Contains(register.LawCodes(), lq.Law) {
		return lq, register.ProcessingFilter{}, badParam("law")
	}
	if lq.Risk != "" && !register.Risk(lq.Risk).Valid() {
		return lq, register.ProcessingFilter{}, badParam("risk")
	}
	// org narrows an administrator's list; the domain keeps everyone
	// else to their own organisation whatever it says.
	f := register.ProcessingFilter{Status: register.Status(lq.Status), Unit: lq.Unit, Query: lq.Q,
		Overdue: lq.Overdue, Cursor: lq.Cursor, PerPage: listPerPage, Page: 1, Organisation: lq.Org,
		Law: lq.Law, Risk: register.Risk(lq.Risk), Current: lq.Current}
	yesNo := func(name, s string) (*bool, error) {
		switch s {
		case "":
			return nil, nil
		case "yes":
			b := true
			return &b, nil
		case "no":
			b := false
			return &b, nil
		}
		return nil, badParam(name)
	}
	var err error
	if f.Sensitive, err = yesNo("sensitive", lq.Sensitive); err != nil {
		return lq, f, err
	}
	if f.Blocking, err = yesNo("blocking", lq.Blocking); err != nil {
		return lq, f, err
	}
	switch register.View(lq.View) {
	case "", register.ViewMyDrafts, register.ViewReturned, register.ViewToReview:
		f.View = register.View(lq.View)
	default:
		return lq, f, badParam("view")
	}
	key := register.SortUpdated
	if lq.Sort != "" {
		key = register.SortKey(lq.Sort)
		if !validSort(key) {
			return lq, f, badParam("sort")
		}
	}
	desc := descByDefault(key)
	switch lq.Order {
	case "":
	case "asc":
		desc = false
	case "desc":
		desc = true
	default:
		return lq, f, badParam("order")
	}
	if lq.Sort != "" || lq.Order != "" {
		f.Sort, f.Desc = key, desc
	}
	return lq, f, nil
}

func validSort(k register.SortKey) bool {
	for _, s := range sortKeys {
		if s == k {
			return true
		}
	}
	return false
}

func badParam(name string) error {
	return httpkit.BadRequest("the list has no such " + name)
}

// listRow is one row of the table.
type listRow struct {
	ID, Title, Reference, Unit, UnitSlug string
	// Organisation and OrgURL (the list of that organisation alone): on
	// an administrator's list of every organisation only.
	Organisation, OrgURL string
	Status               register.Status
	Version              int
	Blocking             int
	Sensitive, Returned  bool
	Updated              time.Time
	UpdatedBy            string
	ReturnComment        string // the DPO's, on a returned draft (workflow.go)
}

// column is a column header: sortable by a link that says its direction.
type column struct {
	Key, Label string
	URL        string // the list sorted by this column
	Sort       string // aria-sort of the current column: ascending, descending; "" otherwise
	Numeric    bool
}

// viewLink is a one-click view.
type viewLink struct {
	Label, URL string
	Current    bool
}

// option is a choice of a filter's select.
type option struct {
	Value, Label string
	Selected     bool
}

// listData is what the list page shows.
type listData struct {
	Q                    listQuery
	Rows                 []listRow
	Total                int
	Capped               bool
	CountText            string
	Caption              string
	Columns              []column
	Views                []viewLink
	Statuses, Units      []option
	Sensitive, Blocking  []option
	Laws, Risks          []option
	NextURL, FirstURL    string
	ClearURL             string
	Filtered, OnlyCursor bool
	ShowUnits            bool
	// AllOrgs: an administrator's list of every organisation, which is not
	// sorted by the columns whose values mean something only within one
	// (register.SortKey.WithinOrganisation): their headers are no links.
	AllOrgs bool
	// The register as a spreadsheet (import.go); "" for an administrator
	// who has not named an organisation.
	ExportXLSX, ExportCSV string
}

// listPage serves GET /office/: the register list.
func (o *Office) listPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	v := o.newView(r)
	lq, f, err := parseList(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := o.svc.ListProcessingsPage(ctx, p, f)
	if register.ErrorCode(err) == register.EInvalid {
		// Everything the list sends comes from its URL: a value the
		// domain refuses is a bad query string (a stale cursor, a search
		// too long), not a form to correct.
		return httpkit.BadRequest(httpkit.ProblemFor(err).Detail)
	}
	if err != nil {
		return err
	}
	names := map[string]string{}
	d := listData{Q: lq, Total: page.Total, Capped: page.TotalIsCapped, Filtered: lq.filtered()}
	if p != nil && p.Org != "" {
		units, err := o.svc.ListUnits(ctx, p, p.Org)
		if err != nil {
			return err
		}
		d.ShowUnits = true
		d.Units = append(d.Units, option{Value: "", Label: v.T("filter.any"), Selected: lq.Unit == ""})
		for _, u := range units {
			names[u.Slug] = u.Name
			d.Units = append(d.Units, option{Value: u.Slug, Label: u.Name, Selected: lq.Unit == u.Slug})
		}
	}
	d.AllOrgs = p != nil && p.Org == "" && lq.Org == ""
	orgNames := map[string]string{}
	if d.AllOrgs {
		// Which organisation each record is of: the page's few
		// organisations read by their key, not the whole list of them.
		for _, it := range page.Items {
			if _, ok := orgNames[it.Organisation]; ok {
				continue
			}
			org, err := o.svc.GetOrganisation(ctx, p, it.Organisation)
			if err != nil {
				return err
			}
			orgNames[it.Organisation] = org.Name
		}
	}
	for _, it := range page.Items {
		row := listRow{ID: it.ID, Title: it.Title, Reference: it.Reference, Unit: names[it.Unit], UnitSlug: it.Unit,
			Status: it.Status, Version: it.Version, Blocking: it.Standing.Blocking, Sensitive: it.Standing.Sensitive,
			Returned: it.Standing.Returned, Updated: it.UpdatedAt, UpdatedBy: it.Standing.UpdatedBy,
			ReturnComment: it.Standing.ReturnComment}
		if row.Unit == "" {
			row.Unit = it.Unit
		}
		if d.AllOrgs {
			row.Organisation = orgNames[it.Organisation]
			row.OrgURL = link("/office/", url.Values{"org": {it.Organisation}}, v.Lang)
		}
		d.Rows = append(d.Rows, row)
	}
	listChrome(v, &d)
	if p != nil && (p.Org != "" || lq.Org != "") {
		q := url.Values{}
		if lq.Org != "" && p.Org == "" {
			q.Set("org", lq.Org)
		}
		d.ExportXLSX, d.ExportCSV = link("/office/export.xlsx", q, v.Lang), link("/office/export.csv", q, v.Lang)
	}
	if page.NextCursor != "" {
		q := lq.values()
		q.Set("cursor", page.NextCursor)
		d.NextURL = link("/office/", q, v.Lang)
	}
	if lq.Cursor != "" {
		d.FirstURL = link("/office/", lq.values(), v.Lang)
	}
	v.Title, v.Nav, v.Data = v.T("list.title"), "register", d
	if lq.View != "" {
		v.Title = v.T("view."+lq.View) + " — " + v.T("list.title")
	}
	return o.render(w, http.StatusOK, "list", v)
}

// listChrome fills the parts of the list page around its rows: the count,
// the caption, the column headers, the views and the filters' choices.
func listChrome(v *view, d *listData) {
	lq := d.Q
	switch {
	case d.Capped:
		d.CountText = v.Tf("list.count.capped", v.Number(d.Total)) // the cap the count stopped at
	default:
		d.CountText = v.Count(d.Total, "list.count.one", "list.count.many")
	}
	// A search the reader did not sort is ranked by relevance: no column
	// is then the sorted one.
	ranked := strings.TrimSpace(lq.Q) != "" && lq.Sort == ""
	cur := register.SortKey(lq.Sort)
	if cur == "" {
		cur = register.SortUpdated
	}
	curDesc := descByDefault(cur)
	switch lq.Order {
	case "asc":
		curDesc = false
	case "desc":
		curDesc = true
	}
	dir := func(desc bool) string {
		if desc {
			return v.T("list.desc")
		}
		return v.T("list.asc")
	}
	for _, k := range sortKeys {
		c := column{Key: string(k), Label: v.T("col." + string(k)), Numeric: k == register.SortVersion || k == register.SortBlocking}
		q := lq.values()
		q.Del("cursor")
		q.Set("sort", string(k))
		next := descByDefault(k)
		if k == cur && !ranked {
			next = !curDesc
			c.Sort = "ascending"
			if curDesc {
				c.Sort = "descending"
			}
		}
		if next {
			q.Set("order", "desc")
		} else {
			q.Set("order", "asc")
		}
		if !d.AllOrgs || !k.WithinOrganisation() {
			c.URL = link("/office/", q, v.Lang)
		}
		d.Columns = append(d.Columns, c)
		if k == register.SortTitle && d.AllOrgs {
			// Not a sort: organisations are chosen with the filter.
			d.Columns = append(d.Columns, column{Key: "organisation", Label: v.T("col.organisation")})
		}
	}
	d.Caption = v.Tf("list.caption.sorted", strings.ToLower(v.T("col."+string(cur))), dir(curDesc))
	if ranked {
		d.Caption = v.T("list.caption.relevance")
	}

	viewURL := func(name string) string {
		q := lq.values()
		q.Del("view")
		if name != "" {
			q.Set("view", name)
		}
		return link("/office/", q, v.Lang)
	}
	d.Views = append(d.Views, viewLink{Label: v.T("view.all"), URL: viewURL(""), Current: lq.View == ""})
	for _, name := range []register.View{register.ViewMyDrafts, register.ViewReturned, register.ViewToReview} {
		d.Views = append(d.Views, viewLink{Label: v.T("view." + string(name)), URL: viewURL(string(name)), Current: lq.View == string(name)})
	}
	if mayHaveTasks(v.Who) { // the campaigns' tasks have a page of their own (mytasks.go)
		d.Views = append(d.Views, viewLink{Label: v.T("view.tasks"), URL: link("/office/tasks", nil, v.Lang)})
	}

	d.Statuses = append(d.Statuses, option{Value: "", Label: v.T("filter.any"), Selected: lq.Status == ""})
	for _, s := range []register.Status{register.StatusDraft, register.StatusInReview, register.StatusPublished, register.StatusArchived} {
		d.Statuses = append(d.Statuses, option{Value: string(s), Label: v.Enum("status", s), Selected: lq.Status == string(s)})
	}
	tri := func(cur string) []option {
		return []option{{"", v.T("filter.any"), cur == ""}, {"yes", v.T("filter.with"), cur == "yes"}, {"no", v.T("filter.without"), cur == "no"}}
	}
	d.Sensitive, d.Blocking = tri(lq.Sensitive), tri(lq.Blocking)
	d.Laws = append(d.Laws, option{Value: "", Label: v.T("filter.any"), Selected: lq.Law == ""})
	for _, l := range register.LawCodes() {
		d.Laws = append(d.Laws, option{Value: l, Label: v.T("law." + l), Selected: lq.Law == l})
	}
	d.Risks = append(d.Risks, option{Value: "", Label: v.T("filter.any"), Selected: lq.Risk == ""})
	for _, r := range register.Risks() {
		d.Risks = append(d.Risks, option{Value: string(r), Label: v.T("risk." + string(r)), Selected: lq.Risk == string(r)})
	}
	clear := url.Values{}
	for _, k := range []string{"view", "org", "sort", "order"} {
		if x := lq.values().Get(k); x != "" {
			clear.Set(k, x)
		}
	}
	d.ClearURL = link("/office/", clear, v.Lang)
}

// Number prints an integer with its thousands grouped as the language
// does: "10 000" in French, "10,000" in English.
func (v *view) Number(n int) string {
	s := strconv.Itoa(n)
	sep := ","
	if v.Lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}
