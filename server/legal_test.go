package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// legalFinding is a finding as a client reads it.
type legalFinding struct {
	ProcessingID string   `json:"processing_id"`
	Rule         string   `json:"rule"`
	Severity     string   `json:"severity"`
	Field        string   `json:"field"`
	Laws         []string `json:"laws"`
	Articles     []string `json:"articles"`
	Override     *struct {
		Justification, By string
	} `json:"override"`
}

// publishRefused submits body, asks to publish it, and returns the blocking
// findings of the 422 (failing if publication went through).
func publishRefused(t *testing.T, e *apitest.Env, dpo string, body map[string]any) (string, []legalFinding) {
	t.Helper()
	id := e.Must(201, "POST", "/api/v1/processings", dpo, body).Map(t)["id"].(string)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
	r := e.Do("POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
	checkProblem(t, r, 422, "")
	var p struct {
		Findings []legalFinding `json:"findings"`
	}
	r.JSON(t, &p)
	return id, p.Findings
}

// TestGateRefusesFalseRecords: each false or inconsistent record of issue 13
// is refused at publication with the finding's field, laws and the articles
// of the organisation's regime (a Geneva commune: the LIPAD).
func TestGateRefusesFalseRecords(t *testing.T) {
	health := []any{map[string]any{"name": "santé", "sensitive": true}}
	tests := []struct {
		name, rule, field, law, article string
		change                          func(b map[string]any)
	}{
		{"NoSafeguard", "transfer-no-safeguard", "transfers[0].safeguard", "fadp-16", "LIPAD art. 39", func(b map[string]any) {
			b["processors"] = []any{map[string]any{"name": "Hébergeur", "country": "DE", "contract": true}}
			b["transfers"] = []any{map[string]any{"country": "DE", "safeguard": "none"}}
		}},
		{"AdequacyClaimedForIndia", "transfer-not-adequate", "transfers[0].country", "lipad-39", "OPDo annexe 1", func(b map[string]any) {
			b["processors"] = []any{map[string]any{"name": "Éditeur de l'application", "country": "IN", "contract": true}}
			b["transfers"] = []any{map[string]any{"country": "IN", "safeguard": "adequacy", "details": "support technique"}}
		}},
		{"UnitedStatesWithoutCertification", "transfer-not-adequate", "transfers[0].country", "fadp-16", "LIPAD art. 39", func(b map[string]any) {
			b["processors"] = []any{map[string]any{"name": "Plateforme de recrutement", "country": "US", "contract": true}}
			b["transfers"] = []any{map[string]any{"country": "US", "safeguard": "adequacy"}}
		}},
		{"OtherWithoutDetails", "transfer-details", "transfers[0].details", "notice", "LIPAD art. 39", func(b map[string]any) {
			b["transfers"] = []any{map[string]any{"country": "BR", "safeguard": "other"}}
		}},
		{"ProcessorAbroadWithoutTransfer", "abroad-without-transfer", "processors[0].country", "gdpr-30", "RIPAD art. 13A", func(b map[string]any) {
			b["processors"] = []any{map[string]any{"name": "Outil de sondage en ligne", "country": "US", "contract": true}}
		}},
		{"RecipientAbroadWithoutTransfer", "abroad-without-transfer", "recipients[1].country", "fadp-12", "LIPAD art. 39", func(b map[string]any) {
			b["recipients"] = append(b["recipients"].([]any), map[string]any{"name": "Université de Lyon", "type": "third_party", "country": "FR"})
		}},
		{"PublicTaskWithoutNorm", "legal-basis-reference", "legal_bases[1].reference", "lipad-35", "LIPAD art. 35", func(b map[string]any) {
			b["legal_bases"] = append(b["legal_bases"].([]any), map[string]any{"type": "public_task"})
		}},
		{"HealthDataOnARegulation", "formal-law-basis", "legal_bases", "fadp-34", "LIPAD art. 35", func(b map[string]any) {
			b["data_categories"] = health
			b["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-03-01"}
			b["legal_bases"] = []any{map[string]any{"type": "public_task", "reference": "Règlement sur la santé scolaire (fictif), art. 4", "level": "regulation"}}
		}},
		{"ProcessorWithoutContract", "processor-contract", "processors[0].contract", "fadp-9", "RIPAD art. 13A", func(b map[string]any) {
			b["processors"] = []any{map[string]any{"name": "Imprimerie", "country": "CH", "contract": false}}
		}},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := e.WithT(t)
				b := apitest.Complete("etat-civil", "Registre "+tt.name)
				tt.change(b)
				_, fs := publishRefused(t, e, dpo, b)
				i := slices.IndexFunc(fs, func(f legalFinding) bool { return f.Rule == tt.rule && f.Field == tt.field })
				if i < 0 {
					t.Fatalf("got findings %+v, want %s on %s", fs, tt.rule, tt.field)
				}
				f := fs[i]
				if f.Severity != "error" || !slices.Contains(f.Laws, tt.law) || !slices.Contains(f.Articles, tt.article) {
					t.Fatalf("got %+v, want an error with law %s and article %s", f, tt.law, tt.article)
				}
			})
		}
		// The same records, made true, are published.
		b := apitest.Complete("etat-civil", "Plateforme américaine certifiée")
		b["processors"] = []any{map[string]any{"name": "Plateforme de recrutement", "country": "US", "contract": true}}
		b["transfers"] = []any{map[string]any{"country": "US", "safeguard": "adequacy", "recipient_certified": true, "details": "certifiée au Swiss-US Data Privacy Framework"}}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		p := e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil).Map(t)
		if p["rules_version"] != register.RulesVersion {
			t.Fatalf("published with rules_version %v, want %s", p["rules_version"], register.RulesVersion)
		}
		page := strings.Join(strings.Fields(string(e.Must(200, "GET", "/processings/"+id+"?lang=en", "", nil).Body)), " ")
		notice := strings.Join(strings.Fields(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang=en", "", nil).Body)), " ")
		for where, text := range map[string]string{"page": page, "notice": notice} {
			if !strings.Contains(text, "covered by the partial adequacy decision") {
				t.Errorf("the %s does not say the US recipient is covered by the partial decision", where)
			}
		}
	})
}

// TestOverrideLetsOneThroughAndLapses: a DPO overrules a blocking finding
// with a written reason; the record is published, an auditor sees the reason
// in the findings, the history and the audit trail; once the field changes,
// the override lapses and the gate refuses again.
func TestOverrideLetsOneThroughAndLapses(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		auditor := e.Token(auth.RoleAuditor, "geneve")
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		b := apitest.Complete("etat-civil", "Dossiers de santé scolaire")
		b["data_categories"] = []any{map[string]any{"name": "santé", "sensitive": true}}
		b["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-03-01"}
		b["legal_bases"] = []any{map[string]any{"type": "public_task", "reference": "Règlement sur la santé scolaire (fictif), art. 4", "level": "regulation"}}
		id, _ := publishRefused(t, e, dpo, b)
		why := "Le règlement est indispensable à une tâche définie par la LIP (loi formelle) ; avis du préposé du 2026-05-04."
		in := map[string]any{"rule": "formal-law-basis", "field": "legal_bases", "justification": why}

		// Who may, and what is checked.
		checkProblem(t, e.Do("POST", "/api/v1/processings/"+id+"/overrides", editor, in), 403, "")
		checkProblem(t, e.Do("POST", "/api/v1/processings/"+id+"/overrides", dpo, map[string]any{"rule": "formal-law-basis", "field": "legal_bases", "justification": "non"}), 422, "justification")
		checkProblem(t, e.Do("POST", "/api/v1/processings/"+id+"/overrides", dpo, map[string]any{"rule": "recipients", "field": "recipients", "justification": why}), 422, "rule")

		got := e.Must(200, "POST", "/api/v1/processings/"+id+"/overrides", dpo, in).Map(t)
		if ov, _ := got["overrides"].([]any); len(ov) != 1 {
			t.Fatalf("got overrides %v, want one", got["overrides"])
		}
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		// The auditor sees the reason in the findings and the history.
		var c struct {
			Items []legalFinding `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/compliance?per_page=200", auditor, nil).JSON(t, &c)
		i := slices.IndexFunc(c.Items, func(f legalFinding) bool { return f.ProcessingID == id && f.Rule == "formal-law-basis" })
		if i < 0 || c.Items[i].Override == nil || c.Items[i].Override.Justification != why || c.Items[i].Override.By == "" {
			t.Fatalf("auditor does not see the override: %+v", c.Items)
		}
		hist := string(e.Must(200, "GET", "/api/v1/processings/"+id+"/history", auditor, nil).Body)
		if !strings.Contains(hist, `"override"`) || !strings.Contains(hist, "indispensable") || !strings.Contains(hist, "rules "+register.RulesVersion) {
			t.Fatalf("history lacks the override or the rule version: %s", hist)
		}

		// The legal basis changes: the override lapses, the gate refuses.
		r := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil)
		cur := r.Map(t)
		cur["legal_bases"] = []any{map[string]any{"type": "public_task", "reference": "Règlement sur la santé scolaire (fictif), art. 5", "level": "regulation"}}
		upd := e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, cur, "If-Match: "+r.Header.Get("ETag")).Map(t)
		if ov, _ := upd["overrides"].([]any); len(ov) != 0 {
			t.Fatalf("override kept after its field changed: %v", upd["overrides"])
		}
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		checkProblem(t, e.Do("POST", "/api/v1/processings/"+id+"/publish", dpo, nil), 422, "")
		// The version the public reads is still the one the override passed.
		e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
	})
}

// TestNonCompliantPublishedRecordStaysPublished: a rule change that makes a
// published record non-compliant (here: the GDPR starts to apply, and Monaco
// is on the Swiss list only) leaves it published, and shows the finding to
// the DPO. Nothing is silently unpublished.
func TestNonCompliantPublishedRecordStaysPublished(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		admin := e.Token(auth.RoleAdmin, "")
		o := e.Must(200, "GET", "/api/v1/organisations/geneve", admin, nil).Map(t)
		if o["regime"] != "lipad" || o["gdpr_applies"] != false {
			t.Fatalf("a new organisation got regime %v, gdpr %v; want lipad, false", o["regime"], o["gdpr_applies"])
		}
		b := apitest.Complete("etat-civil", "Abonnements du théâtre")
		b["processors"] = []any{map[string]any{"name": "Billetterie", "country": "MC", "contract": true}}
		b["transfers"] = []any{map[string]any{"country": "MC", "safeguard": "adequacy"}}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		// A DPO may not change the regime; an admin may. Old clients that
		// send no regime leave it as it is.
		o["gdpr_applies"] = true
		checkProblem(t, e.Do("PUT", "/api/v1/organisations/geneve", dpo, o), 403, "")
		e.Must(200, "PUT", "/api/v1/organisations/geneve", admin, o)
		old := map[string]any{"name": o["name"], "lipad_contact": o["lipad_contact"], "dpo_contact": "dpo2@geneve.example.ch"}
		if got := e.Must(200, "PUT", "/api/v1/organisations/geneve", dpo, old).Map(t); got["gdpr_applies"] != true || got["regime"] != "lipad" {
			t.Fatalf("a PUT without regime changed it: %v", got)
		}

		var c struct {
			Items []legalFinding `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/compliance?per_page=200", dpo, nil).JSON(t, &c)
		i := slices.IndexFunc(c.Items, func(f legalFinding) bool { return f.ProcessingID == id && f.Rule == "transfer-not-adequate" })
		if i < 0 || !slices.Contains(c.Items[i].Articles, "GDPR art. 45") || !slices.Contains(c.Items[i].Articles, "LIPAD art. 39") {
			t.Fatalf("the DPO does not see the new finding with its articles: %+v", c.Items)
		}
		if got := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil).Map(t)["status"]; got != "published" {
			t.Fatalf("status %v, want published", got)
		}
		e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
	})
}

// TestAbroadIsNeverDeniedInPublic: a processor or recipient abroad never
// yields "not disclosed abroad" on any public surface: the page, the JSON,
// the notice in both languages and the register PDF. One record was
// published before the rule refused a processor abroad without a transfer
// (written straight to the store, as the migration left it); one is
// consistent; a domestic one still says "not disclosed abroad", so the test
// can fail.
func TestAbroadIsNeverDeniedInPublic(t *testing.T) {
	denials := []string{"not disclosed abroad", "pas communiquées à l’étranger"}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		ctx := context.Background()

		// Legacy: a processor in India, a recipient in France, no transfer.
		b := apitest.Complete("etat-civil", "Application de signalement")
		b["processors"] = []any{map[string]any{"name": "Éditeur de l'application", "country": "IN", "contract": true}}
		b["recipients"] = []any{map[string]any{"name": "Laboratoire partenaire", "type": "third_party", "country": "FR"}}
		legacy := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		var p register.Processing
		e.Must(200, "GET", "/api/v1/processings/"+legacy, dpo, nil).JSON(t, &p)
		at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		data, err := json.Marshal(register.Public(&p, at))
		if err != nil {
			t.Fatal(err)
		}
		err = db.Store().InTx(ctx, func(tx register.Store) error {
			return tx.PutPublication(ctx, &register.Publication{ProcessingID: legacy, Organisation: "geneve", Version: p.Version,
				Title: p.Title, SearchKey: register.SearchKey(p.Title), BasisTypes: " law ", Categories: "\n", Data: data,
				PublishedAt: at, RulesVersion: "2026-11-22"})
		})
		if err != nil {
			t.Fatal(err)
		}

		// Consistent: a processor in the United States under standard clauses.
		b = apitest.Complete("etat-civil", "Messagerie en nuage")
		b["processors"] = []any{map[string]any{"name": "Fournisseur de la plateforme", "country": "US", "contract": true}}
		b["transfers"] = []any{map[string]any{"country": "US", "safeguard": "scc", "details": "clauses types reconnues par le PFPDT"}}
		cloud := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+cloud+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+cloud+"/publish", dpo, nil)

		// Domestic: nothing leaves Switzerland.
		home := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre local")).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+home+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+home+"/publish", dpo, nil)

		surfaces := func(id string) map[string]string {
			return map[string]string{
				"page fr":   string(e.Must(200, "GET", "/processings/"+id+"?lang=fr", "", nil).Body),
				"page en":   string(e.Must(200, "GET", "/processings/"+id+"?lang=en", "", nil).Body),
				"json":      string(e.Must(200, "GET", "/public/v1/processings/"+id, "", nil).Body),
				"notice fr": pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang=fr", "", nil).Body),
				"notice en": pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang=en", "", nil).Body),
			}
		}
		for name, id := range map[string]string{"legacy": legacy, "consistent": cloud} {
			for where, text := range surfaces(id) {
				flat := strings.Join(strings.Fields(text), " ")
				for _, d := range denials {
					if strings.Contains(flat, d) {
						t.Errorf("%s record: %s says %q", name, where, d)
					}
				}
			}
		}
		if csv := string(e.Must(200, "GET", "/public/v1/processings.csv?org=geneve", "", nil).Body); !strings.Contains(csv, "Laboratoire partenaire | third_party | FR") {
			t.Errorf("open data does not say where the recipient abroad is")
		}
		legacyNotice := strings.Join(strings.Fields(surfaces(legacy)["notice en"]), " ")
		if !strings.Contains(legacyNotice, "India") || !strings.Contains(legacyNotice, "copy of the safeguards") {
			t.Errorf("legacy notice does not name the processor's country and how to get the safeguards: %s", legacyNotice)
		}
		for _, lang := range []string{"fr", "en"} {
			reg := strings.Join(strings.Fields(pdfText(t, e.Must(200, "GET", "/public/v1/organisations/geneve/register.pdf?lang="+lang, "", nil).Body)), " ")
			// Only the domestic record may deny disclosure abroad: once.
			n := 0
			for _, d := range denials {
				n += strings.Count(reg, d)
			}
			if n != 1 {
				t.Errorf("register PDF (%s) denies disclosure abroad %d times, want once (the domestic record)", lang, n)
			}
		}
		for where, text := range surfaces(home) {
			flat := strings.Join(strings.Fields(text), " ")
			if where != "json" && !strings.Contains(flat, denials[0]) && !strings.Contains(flat, denials[1]) {
				t.Errorf("domestic record: %s does not say the data stay in Switzerland", where)
			}
		}
	})
}

// TestFooterSaysWhatRequiresTheRegister: the public pages do not claim that
// the FADP and the GDPR require this register (only federal bodies publish
// theirs); they name the LIPAD's catalogue.
func TestFooterSaysWhatRequiresTheRegister(t *testing.T) {
	e := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)))
	for _, lang := range []string{"fr", "en"} {
		page := strings.Join(strings.Fields(string(e.Must(200, "GET", "/?lang="+lang, "", nil).Body)), " ")
		for _, wrong := range []string{"la LPD et le RGPD", "the Swiss FADP and the GDPR"} {
			if strings.Contains(page, wrong) {
				t.Errorf("%s footer still says %q", lang, wrong)
			}
		}
		if !strings.Contains(page, "LIPAD (art. 43)") || !strings.Contains(page, "catalog") {
			t.Errorf("%s footer does not name the LIPAD catalogue", lang)
		}
	}
}
