package office

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/spreadsheet"
)

// The import wizard: upload a spreadsheet (the CSV `registre import --csv`
// takes, or an XLSX workbook), see each row as the draft it will become or
// every error with its row and column, then confirm. Nothing is written
// before the confirmation, and then every row or none
// (register.Service.PreviewImport, ConfirmImport). The file waits between
// the two in the database, for 30 minutes at most, one per person
// (register/importstage.go): the preview is a page of its own
// (POST/redirect/GET), the confirmation may reach another instance, and the
// person does not choose the file twice.
//
//	GET  /office/import            the upload form (?done=imported&n=N: the banner after an import)
//	POST /office/import            upload: 422 with every error, or 303 to the preview
//	GET  /office/import/{id}       the preview and the confirmation form
//	POST /office/import/{id}       confirm: 303 to /office/import?done=imported&n=N
//
// The upload is bounded by the office's form limits (httpkit: one file,
// 1 MiB with the form, as the API's import), then by the import's own
// (rows, and for a workbook its unzipped size before it is opened, its
// columns and cells: package spreadsheet).

func (o *Office) importRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/import", in(o.importPage)},
		{post, "/office/import", in(o.importUpload)},
		{get, "/office/import/{id}", in(o.importPreview)},
		{post, "/office/import/{id}", in(o.importConfirm)},
		{get, "/office/export.xlsx", in(o.exportXLSX)},
		{get, "/office/export.csv", in(o.exportCSV)},
	}
}

// mayImport tells who is offered the import: who may write every unit.
func mayImport(p *identity.Principal) bool {
	return p != nil && (p.Role == identity.RoleDPO || p.Role == identity.RoleAdmin)
}

// MayImport tells the templates whether to offer the import.
func (v *view) MayImport() bool { return mayImport(v.Who) }

// importError is one error of a spreadsheet, where the file has it, in
// the page's language (a message the office has no words for is shown as
// the forms show one: "value refused (in English): …").
type importError struct {
	Where, Message string
}

// importData is what the import pages show.
type importData struct {
	Orgs, Units []option
	Org, Unit   string
	Errors      []importError
	Problem     string // a label key: what went wrong besides the rows
	Imported    int    // after an import
	Preview     *register.ImportPreview
	Rows        []importRowView
	Blocked     int // rows that will have blocking findings
	ConfirmURL  string
	ListURL     string
	ErrorsTitle string
}

type importRowView struct {
	register.ImportRow
	UnitName string
	Blocking []string
}

// importPage serves GET /office/import: the upload form.
func (o *Office) importPage(w http.ResponseWriter, r *http.Request) error {
	d := &importData{}
	if r.URL.Query().Get("done") == "imported" {
		d.Imported, _ = strconv.Atoi(r.URL.Query().Get("n"))
	}
	return o.showImport(w, r, http.StatusOK, d)
}

func (o *Office) showImport(w http.ResponseWriter, r *http.Request, status int, d *importData) error {
	p := principal(r)
	if !mayImport(p) {
		return register.Errorf(register.EForbidden, "imports are for DPOs and administrators")
	}
	v := o.newView(r)
	ctx := r.Context()
	if p.Role == identity.RoleAdmin {
		orgs, err := o.svc.ListOrganisations(ctx, p)
		if err != nil {
			return err
		}
		d.Orgs = append(d.Orgs, option{Value: "", Label: v.T("overview.org.choose"), Selected: d.Org == ""})
		for _, x := range orgs {
			d.Orgs = append(d.Orgs, option{Value: x.Slug, Label: x.Name, Selected: d.Org == x.Slug})
		}
	} else {
		units, err := o.svc.ListUnits(ctx, p, p.Org)
		if err != nil {
			return err
		}
		d.Units = append(d.Units, option{Value: "", Label: v.T("import.unit.none"), Selected: d.Unit == ""})
		for _, u := range units {
			d.Units = append(d.Units, option{Value: u.Slug, Label: u.Name, Selected: d.Unit == u.Slug})
		}
	}
	d.ListURL = link("/office/", url.Values{"view": {"my-drafts"}}, v.Lang)
	v.Title, v.Nav, v.Data = v.T("import.title"), "import", d
	if len(d.Errors) > 0 || d.Problem != "" {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	return o.render(w, status, "import", v)
}

// importUpload serves POST /office/import: the file is checked; with
// errors the form comes back (422) with every one, else the browser goes
// to the preview.
func (o *Office) importUpload(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !mayImport(p) {
		return register.Errorf(register.EForbidden, "imports are for DPOs and administrators")
	}
	d := &importData{Org: r.PostForm.Get("org"), Unit: r.PostForm.Get("unit")}
	var file httpkit.Upload
	if vi := visitOf(r); vi != nil {
		file = vi.files["file"]
	}
	if len(file.Data) == 0 {
		d.Problem = "import.error.nofile"
		return o.showImport(w, r, http.StatusUnprocessableEntity, d)
	}
	pv, err := o.svc.PreviewImport(r.Context(), p, d.Org, d.Unit, file.Filename, file.Data)
	if e, ok := register.AsError(err); ok && e.Code == register.EInvalid {
		v := o.newView(r)
		for _, fe := range e.Fields {
			d.Errors = append(d.Errors, v.importError(fe))
		}
		// Counted from the errors themselves: the listed ones, and those
		// the last one says were left out.
		n := 0
		for _, fe := range e.Fields {
			more, ok := 0, false
			if fe.Key == "more" && len(fe.Args) == 1 {
				more, ok = fe.Args[0].(int)
			}
			if ok {
				n += more
			} else {
				n++
			}
		}
		d.ErrorsTitle = v.Count(n, "import.errors.count.one", "import.errors.count.many")
		return o.showImport(w, r, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/import/"+pv.ID, nil, pickLang(r)), http.StatusSeeOther)
	return nil
}

// importPreview serves GET /office/import/{id}: each row as the draft it
// will become, and the confirmation.
func (o *Office) importPreview(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	pv, err := o.svc.StagedPreview(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := o.newView(r)
	units, err := o.svc.ListUnits(r.Context(), p, pv.Organisation)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Slug] = u.Name
	}
	d := &importData{Preview: pv, ConfirmURL: "/office/import/" + pv.ID}
	for _, row := range pv.Rows {
		rv := importRowView{ImportRow: row, UnitName: names[row.Fields.Unit]}
		seen := map[string]bool{}
		for _, f := range row.Blocking {
			if !seen[f.Rule] {
				seen[f.Rule] = true
				rv.Blocking = append(rv.Blocking, capitalise(v.T("rule."+f.Rule)))
			}
		}
		if len(rv.Blocking) > 0 {
			d.Blocked++
		}
		d.Rows = append(d.Rows, rv)
	}
	v.Title, v.Nav, v.Data = v.T("import.preview.title"), "import", d
	return o.render(w, http.StatusOK, "importpreview", v)
}

// importConfirm serves POST /office/import/{id}: every row becomes a
// draft, or none.
func (o *Office) importConfirm(w http.ResponseWriter, r *http.Request) error {
	items, err := o.svc.ConfirmImport(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	q := url.Values{"done": {"imported"}, "n": {strconv.Itoa(len(items))}}
	http.Redirect(w, r, link("/office/import", q, pickLang(r)), http.StatusSeeOther)
	return nil
}

// exportXLSX and exportCSV serve the organisation's register as a
// spreadsheet (an administrator names the organisation with ?org=).
func (o *Office) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	return o.export(w, r, "xlsx")
}

func (o *Office) exportCSV(w http.ResponseWriter, r *http.Request) error {
	return o.export(w, r, "csv")
}

func (o *Office) export(w http.ResponseWriter, r *http.Request, kind string) error {
	write, ctype := spreadsheet.RegisterXLSX, spreadsheet.XLSXType
	if kind == "csv" {
		write, ctype = spreadsheet.RegisterCSV, "text/csv; charset=utf-8; header=present"
	}
	body, name, err := write(r.Context(), o.svc, principal(r), r.URL.Query().Get("org"), time.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	return httpkit.WriteRaw(w, http.StatusOK, ctype, body)
}

// importError says where an imported spreadsheet's error is and what it is,
// in the page's language: by the key the import gave it (register's
// csvmap.go, labels "imp.<key>"), or, for a rule of the record itself, as
// the forms say it (domainMessage).
func (v *view) importError(fe register.FieldError) importError {
	e := importError{Where: fe.Field, Message: fe.Message}
	switch {
	case fe.Line > 0 && fe.Column != "":
		e.Where = v.Tf("imp.where.cell", fe.Line, fe.Column)
	case fe.Line > 0 && fe.ColumnNo > 0:
		e.Where = v.Tf("imp.where.colno", fe.Line, fe.ColumnNo)
	case fe.Line > 0:
		e.Where = v.Tf("imp.where.line", fe.Line)
	case fe.Field == "file" || fe.Field == "org":
		e.Where = v.T("imp.where." + fe.Field)
	}
	switch _, known := v.labels["imp."+fe.Key]; {
	case fe.Key == "invalid" && len(fe.Args) == 2:
		// A rule of the record: the field, by the form's name for it when
		// it is one of the record's own (a JSON path otherwise), and what
		// the rule says, as the forms say it.
		field := fmt.Sprint(fe.Args[0])
		if _, ok := v.labels["f."+field]; ok {
			field = v.T("f." + field)
		}
		e.Message = v.Tf("imp.invalid", field, v.domainMessage(fmt.Sprint(fe.Args[1])))
	case fe.Key != "" && known:
		e.Message = v.Tf("imp."+fe.Key, fe.Args...)
	case v.Lang != "en":
		e.Message = v.domainMessage(fe.Message)
	}
	return e
}

// importLabels are the import's and the export's words.
func importLabels() map[string]text {
	return map[string]text{
		"nav.import":               {"Importer", "Import"},
		"import.title":             {"Importer un tableur", "Import a spreadsheet"},
		"import.lead":              {"Reprenez le registre que vous tenez dans un tableur : chaque ligne deviendra un traitement en brouillon. Rien n’est enregistré avant que vous ayez vu l’aperçu et confirmé.", "Start from the register you keep in a spreadsheet: each row will become a draft processing. Nothing is saved before you have seen the preview and confirmed."},
		"import.file":              {"Fichier", "File"},
		"import.file.hint":         {"CSV (séparateur point-virgule, virgule ou tabulation) ou classeur XLSX, 1 Mo au plus, 5000 lignes au plus, une ligne par traitement, les en-têtes de colonnes du modèle de registre de la CNIL en français ou en anglais (voir le guide de migration).", "CSV (semicolon, comma or tab separated) or an XLSX workbook, 1 MB at most, 5,000 rows at most, one row per processing, the column headings of the CNIL's register template in French or English (see the migration guide)."},
		"import.unit":              {"Unité des lignes sans colonne « Unité »", "Unit of rows without a “Unit” column"},
		"import.unit.none":         {"Aucune (chaque ligne nomme son unité)", "None (each row names its unit)"},
		"import.org":               {"Organisation", "Organisation"},
		"import.submit":            {"Vérifier le fichier", "Check the file"},
		"import.error.nofile":      {"Choisissez un fichier CSV ou XLSX", "Choose a CSV or XLSX file"},
		"import.errors.title":      {"Le fichier contient des erreurs ; rien n’a été importé", "The file has errors; nothing was imported"},
		"import.errors.lead":       {"Corrigez-les dans votre tableur, puis envoyez le fichier à nouveau.", "Correct them in your spreadsheet, then send the file again."},
		"import.errors.where":      {"Où", "Where"},
		"import.errors.count.one":  {"%d erreur dans le tableur ; rien n’a été importé", "%d error in the spreadsheet; nothing was imported"},
		"import.errors.count.many": {"%d erreurs dans le tableur ; rien n’a été importé", "%d errors in the spreadsheet; nothing was imported"},
		// Where an error is, and what it is (register's csvmap.go: the
		// English words are the API's, the same here).
		"imp.where.cell":         {"ligne %d, colonne « %s »", "line %d, column %q"},
		"imp.where.colno":        {"ligne %d, colonne %d", "line %d, column %d"},
		"imp.where.line":         {"ligne %d", "line %d"},
		"imp.where.file":         {"le fichier", "file"},
		"imp.where.org":          {"l’organisation", "org"},
		"imp.file.size":          {"dépasse %d octets", "must be at most %d bytes"},
		"imp.unit.unknown":       {"n’est pas une unité de l’organisation", "is not a unit of the organisation"},
		"imp.unit.name":          {"n’est pas une unité de l’organisation (donnez son nom ou son identifiant)", "is not a unit of the organisation (give its name or its slug)"},
		"imp.unit.twice":         {"est le nom de %d unités (%s) : donnez l’identifiant de celle dont il s’agit", "is the name of %d units (%s): give the slug of the one you mean"},
		"imp.ref.twice":          {"figure deux fois dans le fichier (aussi ligne %d ; les références sont comparées sans tenir compte des majuscules, de la largeur des caractères ni des variantes de tiret)", "is used twice in the file (also line %d; references are compared ignoring case, width and dash variants)"},
		"imp.ref.taken":          {"est déjà utilisée par un traitement de l’organisation (les références sont comparées sans tenir compte des majuscules, de la largeur des caractères ni des variantes de tiret)", "is already used by a processing of the organisation (references are compared ignoring case, width and dash variants)"},
		"imp.more":               {"et %d autres erreurs", "and %d more errors"},
		"imp.no.rows":            {"n’a aucune ligne sous ses en-têtes", "has no rows under its header"},
		"imp.no.header":          {"aucune ligne d’en-têtes n’a pu être lue (%s)", "no header line could be read: %s"},
		"imp.col.unknown":        {"n’est pas une colonne connue (voir le guide de migration) ; renommez-la ou retirez-la, pour qu’aucune donnée ne soit laissée de côté sans le dire", "is not a known column (see docs/migrating.md); rename or remove it so that no data is silently left out"},
		"imp.col.same":           {"remplit le même champ que la colonne « %s »", "feeds the same field as column %q"},
		"imp.col.title":          {"il manque une colonne pour le nom du traitement (« Nom du traitement »)", "needs a column for the name of the processing (\"Nom du traitement\")"},
		"imp.row.unreadable":     {"ne peut pas être lue (%s)", "cannot be read: %s"},
		"imp.row.unchecked":      {"n’a pas pu être vérifiée (%s)", "could not be checked: %s"},
		"imp.rows.max":           {"le fichier a plus de %d lignes", "the file has more than %d rows"},
		"imp.cell.noheader":      {"contient une valeur mais sa colonne n’a pas d’en-tête", "has a value but no header"},
		"imp.sensitive.yes":      {"dit « oui » sans nommer les données sensibles : nommez-les plutôt (par exemple « santé; mesures d’aide sociale »)", "says oui without naming the sensitive data: list them instead (e.g. \"santé; mesures d'aide sociale\")"},
		"imp.yesno":              {"doit être oui ou non", "must be oui or non (yes or no)"},
		"imp.country":            {"« %s » n’est pas un pays (un code ISO comme FR, ou son nom en français ou en anglais)", "%q is not a country (an ISO code such as FR, or its French or English name)"},
		"imp.safeguard":          {"« %s » n’est pas une garantie (adéquation, cct, bcr, consentement, dérogation, autre, aucune)", "%q is not a safeguard (adequacy, scc, bcr, consent, derogation, other, none)"},
		"imp.retention.iso":      {"n’est pas une durée de conservation de P1D à P150Y (%s)", "is not a retention period from P1D to P150Y: %s"},
		"imp.retention.words":    {"n’est pas une durée comme « 10 ans », « 6 mois », « 30 jours » ou P10Y", "is not a duration such as \"10 ans\", \"6 mois\", \"30 jours\" or P10Y"},
		"imp.retention.range":    {"n’est pas une durée de conservation d’un jour à 150 ans (%s)", "is not a retention period from one day to 150 years: %s"},
		"imp.invalid":            {"%s : %s", "%s %s"},
		"import.errors.what":     {"Erreur", "Error"},
		"import.done.title":      {"Import terminé", "Import done"},
		"import.done":            {"%d traitements importés comme brouillons.", "%d processings imported as drafts."},
		"import.done.link":       {"Voir mes brouillons", "See my drafts"},
		"import.preview.title":   {"Aperçu de l’import", "Import preview"},
		"import.preview.lead":    {"Voici chaque ligne telle qu’elle deviendra un brouillon. Rien n’est encore enregistré.", "Here is each row as the draft it will become. Nothing is saved yet."},
		"import.preview.file":    {"Fichier : %s", "File: %s"},
		"import.preview.count":   {"%d lignes deviendront des brouillons ; %d auront encore des points bloquant la publication.", "%d rows will become drafts; %d will still have findings that block publication."},
		"import.preview.expires": {"Cet aperçu peut être confirmé jusqu’à %s ; ensuite, envoyez le fichier à nouveau.", "This preview may be confirmed until %s; after that, send the file again."},
		"import.preview.caption": {"Les lignes du fichier et les brouillons qu’elles deviendront", "The rows of the file and the drafts they will become"},
		"import.col.line":        {"Ligne", "Row"},
		"import.col.title":       {"Traitement", "Processing"},
		"import.col.unit":        {"Unité", "Unit"},
		"import.col.purpose":     {"Finalité", "Purpose"},
		"import.col.data":        {"Données", "Data"},
		"import.col.retention":   {"Conservation", "Retention"},
		"import.col.blocking":    {"Bloque la publication", "Blocks publication"},
		"import.nothing.blocks":  {"Rien", "Nothing"},
		"import.confirm":         {"Importer %d traitements comme brouillons", "Import %d processings as drafts"},
		"import.confirm.effect":  {"Tous les traitements sont créés en brouillon dans votre organisation, ou aucun si le registre a changé entre-temps (une référence prise, par exemple). Vous pourrez les compléter, puis les soumettre.", "Every processing is created as a draft of your organisation, or none if the register changed meanwhile (a reference taken, for instance). You can then complete them and submit them."},
		"import.cancel":          {"Choisir un autre fichier", "Choose another file"},
		"import.sensitive":       {"sensible", "sensitive"},
		"export.title":           {"Télécharger le registre", "Download the register"},
		"export.xlsx":            {"Classeur XLSX", "XLSX workbook"},
		"export.csv":             {"Tableau CSV", "CSV table"},
		"export.hint":            {"Tous les traitements de l’organisation, version courante, champs internes compris : à ne pas publier.", "Every processing of the organisation, current version, internal fields included: not for publication."},
	}
}
