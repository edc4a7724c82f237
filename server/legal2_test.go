package server_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// flat collapses white space, so that text wrapped by a PDF or a template
// compares as one line.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestDPIACriteriaGate (issue 14) on both databases: each criterion alone and
// in combination makes the assessment required and blocks publication until
// it is done; the client's "required" disagreeing with the criteria is a
// warning and the derived value is published; a high residual risk blocks
// until the consultation is recorded, whose public part is published.
func TestDPIACriteriaGate(t *testing.T) {
	type tc struct {
		name  string
		dpia  map[string]any
		rules []string // blocking DPIA findings at publication; none: published
	}
	var tests []tc
	for _, c := range []string{"sensitive-large-scale", "public-monitoring", "high-risk-profiling", "automated-decision", "new-technology"} {
		tests = append(tests, tc{"Only-" + c, map[string]any{"required": true, "criteria": []any{c}, "status": "in_progress"}, []string{"dpia-required"}})
	}
	tests = append(tests,
		tc{"Combination", map[string]any{"required": true, "criteria": []any{"sensitive-large-scale", "automated-decision"}, "status": "not_started"}, []string{"dpia-required"}},
		tc{"HighRiskNotConsulted", map[string]any{"required": true, "criteria": []any{"new-technology"}, "status": "done", "residual_risk": "high"}, []string{"dpia-consultation"}},
		tc{"NotDoneAndHighRisk", map[string]any{"required": true, "criteria": []any{"new-technology"}, "status": "in_progress", "residual_risk": "high"}, []string{"dpia-required", "dpia-consultation"}},
	)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := e.WithT(t)
				b := apitest.Complete("etat-civil", "AIPD "+tt.name)
				b["dpia"] = tt.dpia
				_, fs := publishRefused(t, e, dpo, b)
				var got []string
				for _, f := range fs {
					if strings.HasPrefix(f.Rule, "dpia-") {
						got = append(got, f.Rule)
						if f.Severity != "error" || len(f.Laws) == 0 || f.Articles == nil {
							t.Errorf("finding %+v", f)
						}
					}
				}
				if !slices.Equal(got, tt.rules) {
					t.Fatalf("blocking DPIA findings %v, want %v (all: %+v)", got, tt.rules, fs)
				}
			})
		}

		// The client says "not required", the criteria say otherwise: a
		// warning, and the public record says required.
		b := apitest.Complete("etat-civil", "Vidéosurveillance de la place")
		b["dpia"] = map[string]any{"required": false, "criteria": []any{"public-monitoring"}, "status": "done", "completed_on": "2026-02-01",
			"residual_risk": "high", "consultation": map[string]any{"authority": "ppdt", "consulted_on": "2026-01-15", "reference": "PPDT-2026-3", "outcome": "avis favorable avec réserves"}}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		var c struct {
			Items []legalFinding `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/compliance?per_page=200", dpo, nil).JSON(t, &c)
		if !slices.ContainsFunc(c.Items, func(f legalFinding) bool {
			return f.ProcessingID == id && f.Rule == "dpia-required-mismatch" && f.Severity == "warning" && f.Field == "dpia.required"
		}) {
			t.Fatalf("findings %+v, want the dpia-required-mismatch warning", c.Items)
		}
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
		var pub struct {
			DPIA struct {
				Required     bool           `json:"required"`
				Criteria     []string       `json:"criteria"`
				ResidualRisk string         `json:"residual_risk"`
				Consultation map[string]any `json:"consultation"`
			} `json:"dpia"`
		}
		r := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
		r.JSON(t, &pub)
		if !pub.DPIA.Required || !slices.Equal(pub.DPIA.Criteria, []string{"public-monitoring"}) || pub.DPIA.ResidualRisk != "high" ||
			pub.DPIA.Consultation["authority"] != "ppdt" || pub.DPIA.Consultation["consulted_on"] != "2026-01-15" || len(pub.DPIA.Consultation) != 2 {
			t.Fatalf("public dpia %+v, want the derived required, the criteria and the consultation's authority and date only", pub.DPIA)
		}
		if bytes.Contains(r.Body, []byte("PPDT-2026-3")) || bytes.Contains(r.Body, []byte("réserves")) {
			t.Fatal("the consultation's reference or outcome reached the public JSON")
		}
		for _, lang := range []string{"fr", "en"} {
			page := flat(string(e.Must(200, "GET", "/processings/"+id+"?lang="+lang, "", nil).Body))
			notice := flat(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+lang, "", nil).Body))
			want := map[string][2]string{
				"fr": {"surveillance systématique du domaine public", "Préposé cantonal à la protection des données et à la transparence (PPDT)"},
				"en": {"systematic monitoring of the public area", "cantonal data protection and transparency commissioner (PPDT)"},
			}[lang]
			for where, text := range map[string]string{"page": page, "notice": notice} {
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("%s (%s) does not say %q", where, lang, w)
					}
				}
			}
		}
	})
}

// TestRetentionByCriteriaPublished (issue 14) on both databases: a record
// whose retention is given by criteria only, with a retention per category,
// a purge frequency and the archives' schedule, is published, and every
// public surface shows the per-category retention: the page, the JSON, the
// notice and register PDFs in French and English, and the CSV.
func TestRetentionByCriteriaPublished(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")

		// Neither a period nor criteria: refused on retention.period.
		b := apitest.Complete("etat-civil", "Sans durée")
		b["retention"] = map[string]any{"trigger": "inscription"}
		if _, fs := publishRefused(t, e, dpo, b); !slices.ContainsFunc(fs, func(f legalFinding) bool { return f.Rule == "retention" && f.Field == "retention.period" }) {
			t.Fatalf("findings %+v, want retention", fs)
		}

		b = apitest.Complete("etat-civil", "Dossiers de la crèche")
		b["retention"] = map[string]any{
			"criteria": "tant que l'enfant fréquente la crèche, puis jusqu'au paiement de la dernière facture", "disposal": "delete",
			"purge_frequency": "P1Y", "schedule": "Calendrier de conservation de la petite enfance, rubrique 2.1",
			"per_category": []any{map[string]any{"category": "filiation", "period": "P10Y", "disposal": "archive"}},
		}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		var pub struct {
			Retention struct {
				Period, Criteria string
				PerCategory      []map[string]any `json:"per_category"`
			} `json:"retention"`
		}
		e.Must(200, "GET", "/public/v1/processings/"+id, "", nil).JSON(t, &pub)
		if pub.Retention.Period != "" || !strings.HasPrefix(pub.Retention.Criteria, "tant que") || len(pub.Retention.PerCategory) != 1 ||
			pub.Retention.PerCategory[0]["category"] != "filiation" || pub.Retention.PerCategory[0]["period"] != "P10Y" {
			t.Fatalf("public retention %+v", pub.Retention)
		}
		want := map[string][]string{
			"fr": {"tant que l'enfant fréquente la crèche", "Par catégorie de données", "filiation", "10 ans", "Calendrier de conservation de la petite enfance"},
			"en": {"tant que l'enfant fréquente la crèche", "By category of data", "filiation", "10 years", "Calendrier de conservation de la petite enfance"},
		}
		for _, lang := range []string{"fr", "en"} {
			surfaces := map[string]string{
				"page":     flat(strings.ReplaceAll(string(e.Must(200, "GET", "/processings/"+id+"?lang="+lang, "", nil).Body), "&#39;", "'")),
				"notice":   flat(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+lang, "", nil).Body)),
				"register": flat(pdfText(t, e.Must(200, "GET", "/public/v1/organisations/geneve/register.pdf?lang="+lang, "", nil).Body)),
			}
			for where, text := range surfaces {
				for _, w := range want[lang] {
					if !strings.Contains(text, w) {
						t.Errorf("%s (%s) does not show %q", where, lang, w)
					}
				}
				// Criteria only: no "not stated" period.
				if strings.Contains(text, "non indiqué") || strings.Contains(text, "not stated") || strings.Contains(text, "Non indiqué") {
					t.Errorf("%s (%s) says a period is not stated although criteria are given", where, lang)
				}
			}
		}
		rows, err := csv.NewReader(bytes.NewReader(e.Must(200, "GET", "/public/v1/processings.csv", "", nil).Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		found := false
		for _, r := range rows[1:] {
			if r[col["id"]] == id {
				found = true
				if r[col["retention_period"]] != "" || !strings.HasPrefix(r[col["retention_criteria"]], "tant que") ||
					r[col["retention_per_category"]] != "filiation | P10Y |  | archive" || r[col["retention_purge_frequency"]] != "P1Y" {
					t.Fatalf("CSV row %v", r)
				}
			}
		}
		if !found {
			t.Fatal("the record is not in the CSV")
		}
	})
}

// TestNoticeItemsOnlyWhenTheyApply (issue 14): the consent withdrawal, the
// duty to provide, the decision logic, the exception to the duty to inform
// and the transparency contact appear on the page and in the notice, in
// French and English, when the record calls for them, and not otherwise.
func TestNoticeItemsOnlyWhenTheyApply(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		dpo := e.Token(auth.RoleDPO, "geneve")
		org := e.Must(200, "GET", "/api/v1/organisations/geneve", admin, nil).Map(t)
		org["transparency_contact"] = "transparence@geneve.example.ch"
		e.Must(200, "PUT", "/api/v1/organisations/geneve", admin, org)

		publish := func(b map[string]any) string {
			id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
			return id
		}
		plain := publish(apitest.Complete("etat-civil", "Registre simple"))
		b := apitest.Complete("etat-civil", "Calcul des allocations")
		b["legal_bases"] = append(b["legal_bases"].([]any), map[string]any{"type": "consent", "reference": "consentement à l'infolettre"})
		b["automated_decision"] = true
		b["information"] = map[string]any{"provision": "mandatory", "consequences": "Sans ces données, la demande est irrecevable.",
			"decision_logic": "Le montant suit le barème du revenu déterminant.", "exception": "provided-by-law", "exception_reason": "Les données viennent du registre fiscal en vertu de la loi."}
		rich := publish(b)

		items := map[string][]string{
			"fr": {"vous pouvez le retirer à tout moment", "Devez-vous fournir ces données", "Sans ces données, la demande est irrecevable.",
				"Logique de la décision", "Le montant suit le barème du revenu déterminant.", "le traitement est prévu par la loi", "Les données viennent du registre fiscal"},
			"en": {"you may withdraw it at any time", "Must you provide these data?", "Sans ces données, la demande est irrecevable.",
				"Logic of the decision", "Le montant suit le barème du revenu déterminant.", "the processing is provided for by law", "Les données viennent du registre fiscal"},
		}
		contacts := map[string][]string{
			"fr": {"Accès aux documents officiels", "transparence@geneve.example.ch"},
			"en": {"Access to official documents", "transparence@geneve.example.ch"},
		}
		dpoLabel := map[string]string{"fr": "Conseiller·ère à la protection des données", "en": "Data protection officer"}
		for _, lang := range []string{"fr", "en"} {
			for _, id := range []string{plain, rich} {
				page := flat(strings.ReplaceAll(string(e.Must(200, "GET", "/processings/"+id+"?lang="+lang, "", nil).Body), "&#39;", "'"))
				notice := flat(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+lang, "", nil).Body))
				for where, text := range map[string]string{"page": page, "notice": notice} {
					for _, w := range items[lang] {
						if got := strings.Contains(text, w); got != (id == rich) {
							t.Errorf("%s (%s) of %s: contains %q = %v", where, lang, id, w, got)
						}
					}
					for _, w := range contacts[lang] {
						if !strings.Contains(text, w) {
							t.Errorf("%s (%s): no transparency contact %q", where, lang, w)
						}
					}
				}
				if !strings.Contains(page, dpoLabel[lang]) || !strings.Contains(page, "dpo@geneve.example.ch") {
					t.Errorf("page (%s) does not give the DPO's contact", lang)
				}
			}
		}
	})
}

// TestOpenAPINamesIssue14Fields: the OpenAPI document names the new optional
// fields and their closed values.
func TestOpenAPINamesIssue14Fields(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		doc := string(e.Must(200, "GET", "/api/openapi.json", "", nil).Body)
		for _, w := range []string{`"criteria"`, `"residual_risk"`, `"consultation"`, `"consulted_on"`, `"purge_frequency"`, `"schedule"`,
			`"per_category"`, `"information"`, `"provision"`, `"decision_logic"`, `"exception_reason"`, `"transparency_contact"`,
			`"public-monitoring"`, `"ppdt"`, `"provided-by-law"`, `"mandatory"`} {
			if !strings.Contains(doc, w) {
				t.Errorf("the OpenAPI document does not name %s", w)
			}
		}
	})
}
