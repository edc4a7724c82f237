package main

// Hostile imports: a crafted `registre export` document, re-chained with the
// project's own hashing so that its audit trail verifies, and spreadsheets
// that try to put rows in the wrong unit or duplicate references.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// rechain recomputes the audit chain of b with register's own hashing, as
// someone who edits an export would, and the head the document announces.
func rechain(t *testing.T, b *register.Backup) {
	t.Helper()
	for i := range b.Audit {
		var prev *register.AuditEntry
		if i > 0 {
			prev = &b.Audit[i-1]
		}
		b.Audit[i].Chain(prev)
	}
	last := b.Audit[len(b.Audit)-1]
	b.AuditHead = register.FormatHead(last.Seq, last.Hash)
	var v register.ChainVerifier
	for _, e := range b.Audit {
		v.Add(e)
	}
	if res := v.Result(); !res.OK {
		t.Fatalf("the crafted trail does not verify, so the test proves nothing: %+v", res)
	}
}

// editRecord changes a stored record (JSON) through a map.
func editRecord(t *testing.T, raw json.RawMessage, edit func(m map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func processingIn(t *testing.T, b *register.Backup, status register.Status, published bool) int {
	t.Helper()
	for i, p := range b.Processings {
		if p.Status == status && (p.PublishedVersion > 0) == published {
			return i
		}
	}
	t.Fatalf("the export has no %s processing (published %v)", status, published)
	return -1
}

// TestImportRefusesCraftedExport takes a real export, edits it as an
// attacker would (an extra administrator, unknown roles, users without an
// organisation, a status "hacked", a "publication" of a draft carrying its
// internal notes, forged actors), re-chains its audit trail so that the
// chain verifies, and imports it: refused with a message naming what is
// wrong, and nothing is written, on both databases.
func TestImportRefusesCraftedExport(t *testing.T) {
	src := dbtest.SQLiteDSN(t)
	seedRich(t, dbtest.Open(t, src))
	original := cmdRun(t, src, nil, "export")
	var orig register.Backup
	if err := json.Unmarshal([]byte(original), &orig); err != nil {
		t.Fatal(err)
	}
	fresh := func(t *testing.T) *register.Backup {
		var b register.Backup
		if err := json.Unmarshal([]byte(original), &b); err != nil {
			t.Fatal(err)
		}
		return &b
	}
	alice := func(b *register.Backup) register.BackupUser {
		for _, u := range b.Secrets.Users {
			if u.Username == "alice" {
				return u
			}
		}
		t.Fatal("no alice in the export")
		return register.BackupUser{}
	}
	addUser := func(b *register.Backup, u register.BackupUser) {
		b.Secrets.Users = append(b.Secrets.Users, u)
		b.Audit = append(b.Audit, register.AuditEntry{At: b.Audit[len(b.Audit)-1].At, Actor: "system", Role: "system", Action: register.ActionUserCreate, Target: "user/" + u.Username})
	}

	cases := []struct {
		name  string
		flags []string
		craft func(t *testing.T, b *register.Backup)
		want  []string // in the error message
	}{
		{"ExtraAdminNeedsTheOperatorsConsent", nil, func(t *testing.T, b *register.Backup) {
			u := alice(b)
			u.Username, u.Role, u.Organisation = "mallory", "admin", ""
			addUser(b, u)
		}, []string{"administrators (mallory)", "--with-accounts", "--no-accounts"}},
		{"UnknownRole", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			u := alice(b)
			u.Username, u.Role = "root", "root"
			addUser(b, u)
		}, []string{"secrets.users[1].role: must be admin, dpo, editor or auditor"}},
		{"UserWithoutOrganisation", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			u := alice(b)
			u.Username, u.Organisation = "nobody", ""
			addUser(b, u)
		}, []string{"secrets.users[1].org: is required"}},
		{"UserOfAnUnknownOrganisation", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			u := alice(b)
			u.Username, u.Organisation = "stranger", "lausanne"
			addUser(b, u)
		}, []string{"secrets.users[1].organisation: is not an organisation of the document"}},
		{"CheapPasswordHash", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			b.Secrets.Users[0].PasswordHash = "$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"
		}, []string{"secrets.users[0].password_hash"}},
		{"ForeignSigningKey", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			b.Secrets.SigningKeys[0].KID = "idp-2026-01"
		}, []string{"secrets.signing_keys[0].kid: is not the id of the key"}},
		{"StatusHacked", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			i := processingIn(t, b, register.StatusDraft, false)
			b.Processings[i].Status = "hacked"
			b.Processings[i].Data = editRecord(t, b.Processings[i].Data, func(m map[string]any) { m["status"] = "hacked" })
		}, []string{".status: is not one of draft, in_review, published, archived"}},
		{"PublicationOfANeverPublishedDraft", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			p := b.Processings[processingIn(t, b, register.StatusDraft, false)]
			b.Publications = append(b.Publications, register.BackupPublication{ProcessingID: p.ID, Organisation: p.Organisation,
				Version: 1, Title: p.Title, SearchKey: p.SearchKey, PublishedAt: p.UpdatedAt, Data: p.Data})
			b.Audit = append(b.Audit, register.AuditEntry{At: p.UpdatedAt, Actor: "admin", Role: "admin", Organisation: p.Organisation,
				Action: register.ActionPublish, Target: "processing/" + p.ID, Version: 1})
		}, []string{"is not the version the processing has published"}},
		{"PublicationCarryingInternalNotes", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			b.Publications[0].Data = editRecord(t, b.Publications[0].Data, func(m map[string]any) { m["internal_notes"] = "note interne" })
		}, []string{"is not the public projection of the published version"}},
		{"DraftMarkedPublishedEverywhere", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			// The head, its version and its record all say published; only
			// the trail (which the attacker did not think of) does not.
			i := processingIn(t, b, register.StatusDraft, false)
			p := &b.Processings[i]
			p.Status, p.PublishedVersion = register.StatusPublished, p.Version
			p.Data = editRecord(t, p.Data, func(m map[string]any) { m["status"] = "published"; m["published_version"] = float64(p.Version) })
			for j := range b.Versions {
				if b.Versions[j].ProcessingID == p.ID {
					b.Versions[j].Status = register.StatusPublished
					b.Versions[j].Data = editRecord(t, b.Versions[j].Data, func(m map[string]any) { m["status"] = "published"; m["published_version"] = float64(p.Version) })
				}
			}
		}, []string{"the audit trail has no publication of this version"}},
		{"ForgedActorRole", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			b.Audit[0].Actor, b.Audit[0].Role = "mallory", "superuser"
		}, []string{"audit[seq=1].role: must be admin, dpo, editor, auditor, cli or system"}},
		{"RechainedTrailAgainstTheSavedHead", []string{"--no-accounts", "--expect-head", orig.AuditHead}, func(t *testing.T, b *register.Backup) {
			// A consistent rewrite of who did what: only the head saved
			// outside the source database tells.
			b.Audit[1].Actor = "someone-else"
		}, []string{"the trail was rewritten"}},
		{"EverythingAtOnce", []string{"--with-accounts"}, func(t *testing.T, b *register.Backup) {
			u := alice(b)
			u.Username, u.Role = "root", "root"
			addUser(b, u)
			i := processingIn(t, b, register.StatusDraft, false)
			b.Processings[i].Status = "hacked"
			b.Publications[0].Data = editRecord(t, b.Publications[0].Data, func(m map[string]any) { m["internal_notes"] = "x" })
		}, []string{"nothing was imported", "role", ".status", "public projection"}},
	}
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, empty string) {
		getenv := func(k string) string { return map[string]string{"REGISTRE_DB": empty}[k] }
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				b := fresh(t)
				tc.craft(t, b)
				rechain(t, b)
				doc, err := encodeBackup(b)
				if err != nil {
					t.Fatal(err)
				}
				args := append(append([]string{"import"}, tc.flags...), "-")
				err = run(context.Background(), args, getenv, strings.NewReader(string(doc)), io.Discard, io.Discard)
				if err == nil {
					t.Fatalf("the crafted document was imported")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to say %q", err, w)
					}
				}
				if v := cmdRun(t, empty, nil, "audit", "verify"); !strings.HasPrefix(v, "ok: 0 entries") {
					t.Fatalf("a refused import wrote: %s", v)
				}
				if out := cmdRun(t, empty, nil, "export", "--no-secrets"); !strings.Contains(out, `"organisations":[]`) {
					t.Fatalf("a refused import left rows behind")
				}
			})
		}
		// The untouched export, re-chained as it is, still imports: the
		// checks refuse forgeries, not exports.
		t.Run("UntouchedExportImports", func(t *testing.T) {
			b := fresh(t)
			rechain(t, b)
			doc, err := encodeBackup(b)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if err := run(context.Background(), []string{"import", "--with-accounts", "--expect-head", orig.AuditHead, "-"}, getenv, strings.NewReader(string(doc)), &out, io.Discard); err != nil {
				t.Fatalf("a genuine export was refused: %v", err)
			}
			if !strings.Contains(out.String(), "restored 1 accounts; administrators: none") {
				t.Errorf("the import does not say which accounts it restored: %q", out.String())
			}
		})
	})
}

// postCSV sends a spreadsheet to POST /api/v1/import?org=org.
func (tg *target) postCSV(org, csv string) (*http.Response, []byte) {
	tg.t.Helper()
	return tg.send(request{method: "POST", path: "/api/v1/import?org=" + org, body: strings.NewReader(csv),
		header: map[string]string{"Content-Type": "text/csv; charset=utf-8", "Authorization": "Bearer " + tg.admin()}})
}

// problemMentions fails unless the problem's field errors hold want.
func problemMentions(t *testing.T, p map[string]any, want string) {
	t.Helper()
	b, _ := json.Marshal(p["errors"])
	if !strings.Contains(string(b), want) {
		t.Errorf("got errors %s, want one saying %q", b, want)
	}
}

// TestCSVImportUnitShadowing: a unit whose name is another unit's slug does
// not draw that unit's rows; a name several units share is refused.
func TestCSVImportUnitShadowing(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		admin := tg.admin()
		// "sport" is named like the slug of the civil registry; two units
		// share the name "Culture".
		tg.must(201, "POST", "/api/v1/organisations/ville-a/units", admin, map[string]any{"slug": "sport", "name": "etat-civil"})
		tg.must(201, "POST", "/api/v1/organisations/ville-a/units", admin, map[string]any{"slug": "culture-a", "name": "Culture"})
		tg.must(201, "POST", "/api/v1/organisations/ville-a/units", admin, map[string]any{"slug": "culture-b", "name": "Culture"})

		before := tg.auditEntries()
		resp, body := tg.postCSV("ville-a", "Nom du traitement;Finalité;Service\nCours de sport;Organiser les cours;Culture\n")
		p := problemOf(t, resp, body, 422)
		problemMentions(t, p, "is the name of 2 units (culture-a, culture-b)")
		tg.wroteNothing(before)

		resp, body = tg.postCSV("ville-a", "Nom du traitement;Finalité;Service\nNaissances;Tenir le registre;etat-civil\nMariages;Tenir le registre;ÉTAT‐CIVIL\nPiscines;Gérer les entrées;Sport\n")
		if resp.StatusCode != 201 {
			t.Fatalf("got %d %s, want 201", resp.StatusCode, truncate(body, 300))
		}
		var out struct {
			Items []struct {
				Title string `json:"title"`
				Unit  string `json:"unit"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"Naissances": "etat-civil", "Mariages": "etat-civil", "Piscines": "sport"}
		if len(out.Items) != len(want) {
			t.Fatalf("got %d items, want %d", len(out.Items), len(want))
		}
		for _, it := range out.Items {
			if it.Unit != want[it.Title] {
				t.Errorf("%q went to unit %q, want %q", it.Title, it.Unit, want[it.Title])
			}
		}
	})
}

// TestCSVImportLookAlikeReferences: references that differ only by case,
// width or a look-alike dash are duplicates, within the file and against
// the references of the organisation; nothing is written.
func TestCSVImportLookAlikeReferences(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		m := apitest.Complete("etat-civil", "Registre des décès")
		m["organisation"], m["reference"] = "ville-a", "VDG-EC-004"
		tg.must(201, "POST", "/api/v1/processings", tg.admin(), m)
		before := tg.auditEntries()
		for _, tc := range []struct{ name, csv, want string }{
			{"StoredHyphen", "Nom du traitement;Finalité;Service;Référence\nDécès;Tenir le registre;etat-civil;VDG\u2010EC\u2010004\n", "already used by a processing of the organisation"},
			{"StoredCase", "Nom du traitement;Finalité;Service;Référence\nDécès;Tenir le registre;etat-civil;vdg-ec-004\n", "already used by a processing of the organisation"},
			{"StoredFullWidth", "Nom du traitement;Finalité;Service;Référence\nDécès;Tenir le registre;etat-civil;ＶＤＧ－ＥＣ－００４\n", "already used by a processing of the organisation"},
			{"InFileDash", "Nom du traitement;Finalité;Service;Référence\nActes A;Tenir le registre;etat-civil;ABC-1\nActes B;Tenir le registre;etat-civil;abc\u20131\n", "is used twice in the file (also line 2"},
			{"InFileMinusSign", "Nom du traitement;Finalité;Service;Référence\nActes A;Tenir le registre;etat-civil;ABC-1\nActes B;Tenir le registre;etat-civil;ABC\u22121\n", "is used twice in the file (also line 2"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := tg.postCSV("ville-a", tc.csv)
				p := problemOf(t, resp, body, 422)
				problemMentions(t, p, tc.want)
				if errs, _ := p["errors"].([]any); len(errs) != 1 {
					t.Errorf("got %d errors %v, want the one about the reference", len(errs), errs)
				}
				tg.wroteNothing(before)
			})
		}
	})
}
