package register

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/registre/registre/auth/identity"
)

// Spreadsheet import: a register kept in a spreadsheet (the CNIL register
// template, or a council's own table) exported as CSV. Every row is checked
// before anything is written; then all rows are created as drafts in one
// transaction, or none. docs/migrating.md documents the columns and the cell
// grammar; the tables below are that documentation's source.

// Limits of a spreadsheet import.
const (
	MaxCSVBytes = 5 << 20
	MaxCSVRows  = 5000
	// maxCSVErrors bounds the answer to a file that is wrong everywhere.
	maxCSVErrors = 200
)

// csvColumns maps folded header names (SearchKey, "(s)" removed) to fields.
func csvColumns() map[string]string {
	cols := map[string][]string{
		"title":           {"nom du traitement", "traitement", "nom", "intitule", "title", "name", "processing"},
		"reference":       {"reference", "ref", "numero", "reference interne"},
		"unit":            {"unite", "service", "unit", "department"},
		"purpose":         {"finalite", "finalite principale", "finalites", "purpose", "purposes"},
		"description":     {"sous-finalite", "sous-finalites", "description", "details"},
		"public_summary":  {"resume public", "resume", "public summary", "summary"},
		"controller":      {"responsable", "responsable du traitement", "responsable de traitement", "controller"},
		"contact":         {"contact", "contact du responsable", "controller contact"},
		"legal_bases":     {"base legale", "bases legales", "base juridique", "fondement juridique", "legal basis", "legal bases"},
		"data_subjects":   {"categories de personnes concernees", "personnes concernees", "data subjects", "categories of data subjects"},
		"data_categories": {"categories de donnees", "categories de donnees personnelles", "donnees personnelles", "donnees", "data categories", "categories of personal data"},
		"sensitive":       {"donnees sensibles", "categories particulieres de donnees", "donnees sensibles ou particulieres", "sensitive data"},
		"recipients":      {"destinataires", "categories de destinataires", "recipients"},
		"transfers":       {"transferts hors ue", "transferts", "transferts de donnees hors ue", "transferts hors suisse", "transfers", "transfers abroad"},
		"retention":       {"durees de conservation", "duree de conservation", "duree", "conservation", "retention", "retention period"},
		"security":        {"mesures de securite", "mesures de securite techniques et organisationnelles", "security measures"},
		"sources":         {"sources", "source", "source des donnees", "sources of data"},
		"profiling":       {"profilage", "profiling"},
		"automated":       {"decision automatisee", "decisions automatisees", "automated decision"},
		"notes":           {"notes internes", "remarques", "internal notes", "notes"},
		// The export's status (sheetwrite.go): an imported row is always a
		// draft, whatever it says, so that an export imports again.
		"status": {"statut", "status"},
	}
	out := map[string]string{}
	for field, names := range cols {
		for _, n := range names {
			out[n] = field
		}
	}
	return out
}

// fieldColumn maps a validation path to the column that feeds it.
func fieldColumn(path string) string {
	head, _, _ := strings.Cut(path, ".")
	head, _, _ = strings.Cut(head, "[")
	switch head {
	case "controller":
		if strings.HasSuffix(path, "contact") {
			return "contact"
		}
		return "controller"
	case "retention":
		return "retention"
	case "security_measures":
		return "security"
	case "data_categories":
		return "data_categories"
	}
	return head
}

// IsSheetHeader reports whether a row of a spreadsheet is its header: it
// has a column for the name of the processing. A workbook may hold a title
// or notes above its table (the CNIL's template does).
func IsSheetHeader(cells []string) bool {
	aliases := csvColumns()
	for _, c := range cells {
		if aliases[foldHeader(c)] == "title" {
			return true
		}
	}
	return false
}

// headerClean drops what headers add around a name: "(s)", a trailing ":"
// or "?" (the CNIL list heads a column "Données sensibles ?"), a "*".
var headerClean = regexp.MustCompile(`\(s\)|[:*?]`)

func foldHeader(h string) string {
	h = headerClean.ReplaceAllString(SearchKey(strings.TrimSpace(h)), "")
	return strings.Join(strings.Fields(h), " ")
}

// csvRow is one parsed row: its fields, where it was, and its errors.
type csvRow struct {
	line   int
	fields Fields
}

// ImportCSV imports a spreadsheet into organisation org (a dpo of org, or an
// admin). defaultUnit is used for rows without a unit column. Every error of
// every row is reported, as "line N, column "Header"", in one EInvalid error;
// nothing is written unless every row is valid.
func (s *Service) ImportCSV(ctx context.Context, p *identity.Principal, org, defaultUnit string, r io.Reader) ([]Processing, error) {
	org, err := s.importOrg(ctx, p, org)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read spreadsheet: %w", err)
	}
	rows, err := s.prepareImport(ctx, org, defaultUnit, data)
	if err != nil {
		return nil, err
	}
	return s.writeImport(ctx, p, org, rows, nil)
}

// importOrg checks who imports into which organisation: a DPO into their
// own, an administrator into the one named.
func (s *Service) importOrg(ctx context.Context, p *identity.Principal, org string) (string, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return "", err
	}
	if p.Role != identity.RoleAdmin {
		// Naming another organisation is refused as the rest of the API
		// refuses it: as if it did not exist. Rows are never written
		// somewhere the caller did not ask for.
		if org != "" && org != p.Org {
			return "", notFound("organisation")
		}
		org = p.Org
	}
	if org == "" {
		return "", invalid(FieldError{Field: "org", Message: "is required"})
	}
	if _, err := s.GetOrganisation(ctx, p, org); err != nil {
		return "", err
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return "", err
	}
	return org, nil
}

// prepareImport reads and checks every row of a spreadsheet for org,
// writing nothing: the rows as the drafts they will become, or every
// error in one EInvalid error.
func (s *Service) prepareImport(ctx context.Context, org, defaultUnit string, data []byte) ([]csvRow, error) {
	if len(data) > MaxCSVBytes {
		return nil, invalid(fileError(sheetf("file.size", "must be at most %d bytes", MaxCSVBytes)))
	}
	units, err := s.store.ListUnits(ctx, org)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	// A spreadsheet names units as people do ("Service de l'état civil");
	// the slug is accepted too. Slugs are unique and come first: a unit
	// whose name reads like another unit's slug cannot draw that unit's
	// rows to itself. A name that several units share is refused.
	bySlug := map[string]string{}
	byName := map[string][]string{}
	for _, u := range units {
		known[u.Slug] = true
		bySlug[unitKey(u.Slug)] = u.Slug
		byName[unitKey(u.Name)] = append(byName[unitKey(u.Name)], u.Slug)
	}
	unitOf := func(cell string) (string, sheetMsg) {
		key := unitKey(cell)
		if slug, ok := bySlug[key]; ok {
			return slug, sheetMsg{}
		}
		switch names := byName[key]; len(names) {
		case 0:
			return "", sheetf("unit.name", "is not a unit of the organisation (give its name or its slug)")
		case 1:
			return names[0], sheetMsg{}
		default:
			return "", sheetf("unit.twice", "is the name of %d units (%s): give the slug of the one you mean", len(names), strings.Join(names, ", "))
		}
	}
	if slug, msg := unitOf(defaultUnit); !msg.failed() {
		defaultUnit = slug
	}
	rows, errs, headerOf := s.parseCSV(data, defaultUnit, unitOf)
	refs, err := s.references(ctx, org)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, row := range rows {
		if row.fields.Unit != "" && !known[row.fields.Unit] && ValidSlug(row.fields.Unit) {
			errs = append(errs, cellError(row.line, headerOf("unit"), sheetf("unit.unknown", "is not a unit of the organisation")))
		}
		if ref := row.fields.Reference; ref != "" {
			// References that differ only by case, width or a look-alike
			// dash are one reference to a reader: a second one is a
			// duplicate, not a new record.
			key := ReferenceKey(ref)
			if first, ok := seen[key]; ok {
				errs = append(errs, cellError(row.line, headerOf("reference"), sheetf("ref.twice", "is used twice in the file (also line %d; references are compared ignoring case, width and dash variants)", first)))
			} else if refs[key] {
				errs = append(errs, cellError(row.line, headerOf("reference"), sheetf("ref.taken", "is already used by a processing of the organisation (references are compared ignoring case, width and dash variants)")))
			}
			seen[key] = row.line
		}
	}
	if len(errs) > 0 {
		sortByLine(errs)
		total := len(errs)
		if total > maxCSVErrors {
			errs = append(errs[:maxCSVErrors], fileError(sheetf("more", "and %d more errors", total-maxCSVErrors)))
		}
		return nil, &Error{Code: EInvalid, Message: fmt.Sprintf("%d errors in the spreadsheet; nothing was imported", total), Fields: errs}
	}
	if len(rows) == 0 {
		return nil, invalid(fileError(sheetf("no.rows", "has no rows under its header")))
	}
	return rows, nil
}

// writeImport creates the rows as drafts of org in one transaction, all or
// none; also, when not nil, runs in the same transaction.
func (s *Service) writeImport(ctx context.Context, p *identity.Principal, org string, rows []csvRow, also func(tx Store) error) ([]Processing, error) {
	out := make([]Processing, 0, len(rows))
	err := s.store.InTx(ctx, func(tx Store) error {
		out = out[:0]
		now := s.clock()
		for _, row := range rows {
			pr, err := s.insertDraft(ctx, tx, p, org, row.fields, ActionImport, now)
			if err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
			out = append(out, *pr)
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// references lists the references already used in org, by ReferenceKey.
func (s *Service) references(ctx context.Context, org string) (map[string]bool, error) {
	out := map[string]bool{}
	f := ProcessingFilter{Organisation: org, PerPage: MaxPerPage}
	for f.Page = 1; ; f.Page++ {
		items, total, err := s.store.ListProcessings(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Reference != "" {
				out[ReferenceKey(it.Reference)] = true
			}
		}
		if f.Page*f.PerPage >= total {
			return out, nil
		}
	}
}

// sheetMsg is what an import says of a cell, a row or the file: its key and
// arguments, for a page to say in its own language (the office's labels
// "imp.<key>"), and its English words, which the API shows.
type sheetMsg struct {
	key  string
	args []any
	text string
}

// sheetf is a sheetMsg whose English words are format with args.
func sheetf(key, format string, args ...any) sheetMsg {
	return sheetMsg{key: key, args: args, text: fmt.Sprintf(format, args...)}
}

// failed reports whether m says anything: a cell read well says nothing.
func (m sheetMsg) failed() bool { return m.text != "" }

func cellError(line int, column string, m sheetMsg) FieldError {
	return FieldError{Field: fmt.Sprintf("line %d, column %q", line, column), Message: m.text,
		Line: line, Column: column, Key: m.key, Args: m.args}
}

func lineError(line int, m sheetMsg) FieldError {
	return FieldError{Field: fmt.Sprintf("line %d", line), Message: m.text, Line: line, Key: m.key, Args: m.args}
}

func fileError(m sheetMsg) FieldError {
	return FieldError{Field: "file", Message: m.text, Key: m.key, Args: m.args}
}

// parseCSV reads the rows and reports every cell that cannot be read.
// It also returns how each field's column is headed in the file.
func (s *Service) parseCSV(data []byte, defaultUnit string, unitOf func(string) (string, sheetMsg)) ([]csvRow, []FieldError, func(field string) string) {
	sheet := s.sheets(data)
	if sheet.HeaderErr != "" {
		return nil, []FieldError{lineError(1, sheetf("no.header", "no header line could be read: %s", sheet.HeaderErr))}, func(f string) string { return f }
	}
	header := sheet.Header
	aliases := csvColumns()
	colField := make([]string, len(header))
	var errs []FieldError
	have := map[string]string{} // field -> header as written
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, ok := aliases[foldHeader(h)]
		if !ok {
			errs = append(errs, cellError(1, h, sheetf("col.unknown", "is not a known column (see docs/migrating.md); rename or remove it so that no data is silently left out")))
			continue
		}
		if prev, dup := have[f]; dup {
			errs = append(errs, cellError(1, h, sheetf("col.same", "feeds the same field as column %q", prev)))
			continue
		}
		colField[i], have[f] = f, h
	}
	if _, ok := have["title"]; !ok {
		errs = append(errs, lineError(1, sheetf("col.title", "needs a column for the name of the processing (\"Nom du traitement\")")))
	}
	headerOf := func(field string) string {
		if h, ok := have[field]; ok {
			return h
		}
		return field
	}
	if len(errs) > 0 {
		return nil, errs, headerOf
	}
	var rows []csvRow
	for _, r := range sheet.Records {
		line, rec := r.Line, r.Cells
		if r.Err != "" {
			errs = append(errs, lineError(line, sheetf("row.unreadable", "cannot be read: %s", r.Err)))
			continue
		}
		if isBlank(rec) {
			continue
		}
		if len(rows) >= MaxCSVRows {
			errs = append(errs, lineError(line, sheetf("rows.max", "the file has more than %d rows", MaxCSVRows)))
			break
		}
		row := csvRow{line: line, fields: Fields{Unit: defaultUnit}}
		unitBad := false // reported once, not again as "unit is required"
		for i, cell := range rec {
			if i >= len(colField) || colField[i] == "" {
				if strings.TrimSpace(cell) != "" {
					errs = append(errs, FieldError{Field: fmt.Sprintf("line %d, column %d", line, i+1), Message: "has a value but no header",
						Line: line, ColumnNo: i + 1, Key: "cell.noheader"})
				}
				continue
			}
			if colField[i] == "unit" && strings.TrimSpace(cell) != "" {
				slug, msg := unitOf(cell)
				if msg.failed() {
					errs = append(errs, cellError(line, headerOf("unit"), msg))
					unitBad = true
					continue
				}
				row.fields.Unit = slug
				continue
			}
			if msg := setCell(&row.fields, colField[i], strings.TrimSpace(cell)); msg.failed() {
				errs = append(errs, cellError(line, headerOf(colField[i]), msg))
			}
		}
		row.fields.normalise()
		if err := s.validate.Struct(&row.fields); err != nil {
			if e, ok := AsError(err); ok {
				for _, fe := range e.Fields {
					if unitBad && fe.Field == "unit" {
						continue
					}
					ce := cellError(line, headerOf(fieldColumn(fe.Field)), sheetf("invalid", "%s %s", fe.Field, fe.Message))
					if _, ok := have[fieldColumn(fe.Field)]; !ok {
						ce.Column = "" // the file has no such column: the row is where
					}
					errs = append(errs, ce)
				}
			} else {
				errs = append(errs, lineError(line, sheetf("row.unchecked", "could not be checked: %s", err.Error())))
			}
		}
		rows = append(rows, row)
	}
	return rows, errs, headerOf
}

// sortByLine orders errors as the file reads: by line, then as found.
func sortByLine(errs []FieldError) {
	line := func(f string) int {
		n := 0
		fmt.Sscanf(f, "line %d", &n)
		return n
	}
	sort.SliceStable(errs, func(i, j int) bool { return line(errs[i].Field) < line(errs[j].Field) })
}

func isBlank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// splitList splits a cell holding a list: items are separated by newlines,
// ';' or '|'.
func splitList(cell string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == '\n' || r == ';' || r == '|' || r == '\r' }) {
		if p := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(part), "-•*")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// setCell stores one cell into f; it returns why it cannot, or "".
func setCell(f *Fields, field, cell string) sheetMsg {
	if cell == "" {
		return sheetMsg{}
	}
	switch field {
	case "title":
		f.Title = cell
	case "reference":
		f.Reference = cell
	case "purpose":
		f.Purpose = cell
	case "description":
		f.Description = cell
	case "public_summary":
		f.PublicSummary = cell
	case "controller":
		f.Controller.Name = cell
	case "contact":
		f.Controller.Contact = cell
	case "notes":
		f.InternalNotes = cell
	case "data_subjects":
		f.DataSubjects = append(f.DataSubjects, splitList(cell)...)
	case "sources":
		f.Sources = append(f.Sources, splitList(cell)...)
	case "data_categories", "sensitive":
		if field == "sensitive" {
			// The CNIL list sheet answers "Données sensibles ?" with oui or
			// non: "non" adds nothing, and "oui" alone does not say which
			// data are sensitive, which the register must.
			if yes, ok := parseBool(cell); ok || SearchKey(cell) == "aucune" || SearchKey(cell) == "none" {
				if yes {
					return sheetf("sensitive.yes", "says oui without naming the sensitive data: list them instead (e.g. \"santé; mesures d'aide sociale\")")
				}
				return sheetMsg{}
			}
		}
		for _, c := range splitList(cell) {
			f.DataCategories = append(f.DataCategories, DataCategory{Name: c, Sensitive: field == "sensitive"})
		}
	case "legal_bases":
		for _, item := range splitList(cell) {
			f.LegalBases = append(f.LegalBases, parseLegalBasis(item))
		}
	case "recipients":
		for _, item := range splitList(cell) {
			f.Recipients = append(f.Recipients, parseRecipient(item))
		}
	case "transfers":
		for _, item := range splitList(cell) {
			t, msg := parseTransfer(item)
			if msg.failed() {
				return msg
			}
			if t.Country != "" {
				f.Transfers = append(f.Transfers, t)
			}
		}
	case "retention":
		ret, msg := parseRetention(cell)
		if msg.failed() {
			return msg
		}
		f.Retention = ret
	case "security":
		for _, item := range splitList(cell) {
			f.SecurityMeasures = append(f.SecurityMeasures, parseSecurity(item))
		}
	case "profiling", "automated":
		b, ok := parseBool(cell)
		if !ok {
			return sheetf("yesno", "must be oui or non (yes or no)")
		}
		if field == "profiling" {
			f.Profiling = b
		} else {
			f.AutomatedDecision = b
		}
	}
	return sheetMsg{}
}

func parseBool(cell string) (bool, bool) {
	switch SearchKey(cell) {
	case "oui", "yes", "true", "vrai", "x", "1":
		return true, true
	case "non", "no", "false", "faux", "0", "-":
		return false, true
	}
	return false, false
}

// prefixed splits "kind: rest" when kind is one of the words of kinds.
func prefixed[T any](item string, kinds map[string]T) (T, string, bool) {
	var zero T
	k, rest, ok := strings.Cut(item, ":")
	if !ok {
		return zero, item, false
	}
	v, known := kinds[SearchKey(strings.TrimSpace(k))]
	if !known {
		return zero, item, false
	}
	return v, strings.TrimSpace(rest), true
}

func parseLegalBasis(item string) LegalBasis {
	kinds := map[string]LegalBasisType{
		"loi": BasisLaw, "law": BasisLaw, "base legale": BasisLaw,
		"obligation legale": BasisLegalObligation, "legal obligation": BasisLegalObligation,
		"mission d'interet public": BasisPublicTask, "interet public": BasisPublicTask, "public task": BasisPublicTask,
		"consentement": BasisConsent, "consent": BasisConsent,
		"contrat": BasisContract, "contract": BasisContract,
		"interet vital": BasisVitalInterest, "vital interest": BasisVitalInterest,
		"interet legitime": BasisLegitimateInterest, "legitimate interest": BasisLegitimateInterest,
	}
	t, ref, ok := prefixed(item, kinds)
	if !ok {
		t = BasisLaw
	}
	b := LegalBasis{Type: t, Reference: ref}
	if i := strings.Index(ref, "http"); i >= 0 {
		if u := strings.Fields(ref[i:])[0]; validHTTPURL(u) {
			b.URL, b.Reference = u, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(ref[:i]), "-"))
		}
	}
	return b
}

func parseRecipient(item string) Recipient {
	kinds := map[string]RecipientType{
		"interne": RecipientInternal, "internal": RecipientInternal, "service interne": RecipientInternal,
		"organisme public": RecipientPublicBody, "autorite": RecipientPublicBody, "public": RecipientPublicBody, "public body": RecipientPublicBody,
		"sous-traitant": RecipientProcessor, "processor": RecipientProcessor,
		"tiers": RecipientThirdParty, "third party": RecipientThirdParty,
	}
	t, name, ok := prefixed(item, kinds)
	if !ok {
		t = RecipientThirdParty
	}
	return Recipient{Name: name, Type: t}
}

// parseTransfer reads "FR", "FR (adequacy)", "US: clauses contractuelles
// types", "États-Unis - scc".
func parseTransfer(item string) (Transfer, sheetMsg) {
	safeguards := map[string]Safeguard{
		"adequacy": SafeguardAdequacy, "adequation": SafeguardAdequacy, "decision d'adequation": SafeguardAdequacy, "pays adequat": SafeguardAdequacy,
		"scc": SafeguardSCC, "clauses contractuelles types": SafeguardSCC, "cct": SafeguardSCC, "standard contractual clauses": SafeguardSCC,
		"bcr": SafeguardBCR, "regles d'entreprise contraignantes": SafeguardBCR, "binding corporate rules": SafeguardBCR,
		"consent": SafeguardConsent, "consentement": SafeguardConsent,
		"derogation": SafeguardDerogation, "other": SafeguardOther, "autre": SafeguardOther,
		"none": SafeguardNone, "aucune": SafeguardNone, "aucun": SafeguardNone,
	}
	switch SearchKey(item) {
	case "non", "aucun", "aucune", "none", "no", "-", "aucun transfert", "pas de transfert", "no transfer", "no transfers":
		return Transfer{}, sheetMsg{}
	}
	country, guard := item, ""
	if i := strings.IndexAny(item, "(:"); i >= 0 {
		country, guard = item[:i], strings.Trim(item[i:], "(): ")
	} else if i := strings.Index(item, " - "); i >= 0 {
		country, guard = item[:i], item[i+3:]
	}
	code, ok := countryCode(strings.TrimSpace(country))
	if !ok {
		return Transfer{}, sheetf("country", "%q is not a country (an ISO code such as FR, or its French or English name)", strings.TrimSpace(country))
	}
	t := Transfer{Country: code}
	if guard != "" {
		sg, ok := safeguards[SearchKey(guard)]
		if !ok {
			return Transfer{}, sheetf("safeguard", "%q is not a safeguard (adequacy, scc, bcr, consent, derogation, other, none)", guard)
		}
		t.Safeguard = sg
	}
	return t, sheetMsg{}
}

// countryCode reads an ISO 3166-1 alpha-2 code or a French or English name.
func countryCode(s string) (string, bool) {
	if len(s) == 2 {
		up := strings.ToUpper(s)
		if _, _, ok := CountryName(up); ok {
			return up, true
		}
	}
	key := SearchKey(s)
	// Withdrawn codes that CLDR still names (East Germany is "Germany").
	withdrawn := map[string]bool{"DD": true, "FX": true, "SU": true, "YU": true, "CS": true, "TP": true, "ZR": true, "BU": true}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if fr, en, ok := CountryName(code); ok && !withdrawn[code] && (SearchKey(fr) == key || SearchKey(en) == key) {
				return code, true
			}
		}
	}
	return "", false
}

var retentionRE = regexp.MustCompile(`^(\d{1,3})\s*(ans?|annees?|years?|mois|months?|semaines?|weeks?|jours?|days?)\b`)

// parseRetention reads "P10Y", "10 ans", "6 mois", "1 an et 6 mois",
// "10 ans après la clôture du dossier" (the rest becomes the trigger).
func parseRetention(cell string) (Retention, sheetMsg) {
	text := strings.TrimSpace(cell)
	if strings.HasPrefix(text, "P") {
		period, rest, _ := strings.Cut(text, " ")
		if err := checkRetention(period); err != nil {
			return Retention{}, sheetf("retention.iso", "is not a retention period from P1D to P150Y: %s", err.Error())
		}
		return Retention{Period: period, Trigger: strings.TrimSpace(rest)}, sheetMsg{}
	}
	var d Duration
	rest := SearchKey(text)
	orig := text
	matched := false
	for {
		m := retentionRE.FindStringSubmatchIndex(rest)
		if m == nil {
			break
		}
		n, _ := strconv.Atoi(rest[m[2]:m[3]])
		switch unit := rest[m[4]:m[5]]; {
		case strings.HasPrefix(unit, "an") || strings.HasPrefix(unit, "year"):
			d.Years += n
		case strings.HasPrefix(unit, "mo"):
			d.Months += n
		case strings.HasPrefix(unit, "sem") || strings.HasPrefix(unit, "week"):
			d.Weeks += n
		default:
			d.Days += n
		}
		matched = true
		// The folded text keeps the original's length in runes only roughly;
		// cut the original by the same number of runes.
		cut := len([]rune(rest[:m[1]]))
		orig = string([]rune(orig)[min(cut, len([]rune(orig))):])
		rest = strings.TrimSpace(rest[m[1]:])
		orig = strings.TrimSpace(orig)
		for _, sep := range []string{"et ", "and ", ", "} {
			if strings.HasPrefix(rest, sep) && retentionRE.MatchString(strings.TrimSpace(rest[len(sep):])) {
				rest = strings.TrimSpace(rest[len(sep):])
				orig = strings.TrimSpace(string([]rune(orig)[len([]rune(sep)):]))
			}
		}
	}
	if !matched {
		return Retention{}, sheetf("retention.words", "is not a duration such as \"10 ans\", \"6 mois\", \"30 jours\" or P10Y")
	}
	period := formatDuration(d)
	if err := checkRetention(period); err != nil {
		return Retention{}, sheetf("retention.range", "is not a retention period from one day to 150 years: %s", err.Error())
	}
	return Retention{Period: period, Trigger: strings.TrimSpace(orig)}, sheetMsg{}
}

func formatDuration(d Duration) string {
	var b strings.Builder
	b.WriteByte('P')
	for _, part := range []struct {
		n int
		c byte
	}{{d.Years, 'Y'}, {d.Months, 'M'}, {d.Weeks, 'W'}, {d.Days, 'D'}} {
		if part.n > 0 {
			b.WriteString(strconv.Itoa(part.n))
			b.WriteByte(part.c)
		}
	}
	return b.String()
}

func parseSecurity(item string) SecurityMeasure {
	keywords := []struct {
		words []string
		cat   SecurityCategory
	}{
		{[]string{"chiffrement des communications", "https", "tls", "en transit", "in transit"}, SecEncryptionInTransit},
		{[]string{"chiffr", "encrypt"}, SecEncryptionAtRest},
		{[]string{"authentification", "authentication", "mot de passe", "password", "mfa"}, SecAuthentication},
		{[]string{"journal", "tracabilite", "logging", " log ", " logs "}, SecLogging},
		{[]string{"acces", "habilitation", "droits", "access"}, SecAccessControl},
		{[]string{"pseudonym", "anonym"}, SecPseudonymisation},
		{[]string{"sauvegarde", "backup"}, SecBackup},
		{[]string{"reseau", "pare-feu", "firewall", "network"}, SecNetwork},
		{[]string{"physique", "locaux", "physical", "badge"}, SecPhysical},
		{[]string{"formation", "sensibilisation", "training"}, SecTraining},
	}
	key := " " + SearchKey(item) + " "
	for _, k := range keywords {
		for _, w := range k.words {
			if strings.Contains(key, w) {
				return SecurityMeasure{Category: k.cat, Details: item}
			}
		}
	}
	return SecurityMeasure{Category: SecOther, Details: item}
}

// ReferenceKey folds a reference for comparison: Unicode compatibility
// forms (NFKC: full-width letters, ligatures), case (full case folding),
// every dash and minus look-alike to '-', invisible format characters
// (soft hyphen, zero-width space) removed, and runs of spaces to one.
// "VDG‐EC‐004", "ｖｄｇ-ec-004" and "vdg-ec-004" have one key.
func ReferenceKey(ref string) string {
	s := cases.Fold().String(norm.NFKC.String(ref))
	var b strings.Builder
	space := false
	for _, r := range norm.NFKC.String(s) {
		switch {
		case isDash(r):
			r = '-'
		case unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isDash reports dash punctuation and the signs that look like a hyphen.
func isDash(r rune) bool {
	switch r {
	case '\u2212', '\u02d7', '\u2043', '\u2796', '\ufe63', '\uff0d':
		return true
	}
	return unicode.Is(unicode.Pd, r)
}

// unitKey folds a unit's name or slug as a spreadsheet may write it: the
// search folding (case, accents), dash variants and spacing.
func unitKey(s string) string {
	return SearchKey(strings.Join(strings.Fields(ReferenceKey(s)), " "))
}
