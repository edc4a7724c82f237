package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// seedRich fills a database with a bit of everything an export must carry:
// processings in every state, a published one with a newer draft, a return
// comment with comments on fields, an ended processing, a model, a closed
// review campaign and an open one with a task in each state, accounts, a
// deleted account and a revoked token, the own key.
func seedRich(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@geneve.example.ch", Website: "https://www.geneve.example.ch", GDPRApplies: true})
	must(err)
	_, err = svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"})
	must(err)
	complete := func(title string) register.Fields {
		return register.Fields{Unit: "etat-civil", Title: title, Purpose: "Tenir le registre <des> naissances & décès.", PublicSummary: "Résumé « public ».",
			Controller: register.Party{Name: "Service de l'état civil", Contact: "ec@geneve.example.ch"},
			LegalBases: []register.LegalBasis{{Type: register.BasisLaw, Reference: "CC art. 39 ss (RS 210)", Level: register.NormFormalLaw},
				{Type: register.BasisLaw, Reference: "OEC art. 8", URL: "https://www.fedlex.admin.ch/eli/cc/2004/118/fr", Level: register.NormRegulation}},
			CommonIdentifier: "numéro AVS",
			DataSubjects:     []string{"nouveau-nés"},
			DataCategories:   []register.DataCategory{{Name: "santé", Sensitive: true}},
			Recipients:       []register.Recipient{{Name: "OCPM", Type: register.RecipientPublicBody}},
			Retention:        register.Retention{Period: "P150Y", Disposal: register.DisposalArchive},
			SecurityMeasures: []register.SecurityMeasure{{Category: register.SecAccessControl, Details: "rôles"}},
			InternalNotes:    "note interne"}
	}
	var ids []string
	for _, state := range []string{"draft", "in_review", "published", "archived", "republished", "reviewed"} {
		p, err := svc.CreateProcessing(ctx, admin, "geneve", complete("Traitement "+state))
		must(err)
		ids = append(ids, p.ID)
		steps := map[string][]register.Step{"in_review": {"submit"}, "published": {"submit", "publish"},
			"archived": {"submit", "publish"}, "republished": {"submit", "return", "submit", "publish"},
			"reviewed": {"submit", "publish"}}[state]
		for _, st := range steps {
			if st == register.StepReturn {
				// Returned with comments on two fields (review_notes).
				_, err := svc.ReturnWithNotes(ctx, admin, p.ID, nil, "Précisez la base légale.",
					map[string]string{"purpose": "Trop « vague ».", "retention.period": "Dix ans ?"})
				must(err)
				continue
			}
			_, err := svc.Transition(ctx, admin, p.ID, st, nil, "")
			must(err)
		}
	}
	// Ended, with a public reason (processing_endings: the public register
	// answers 410 with it).
	_, err = svc.Archive(ctx, admin, ids[3], nil, register.EndInput{EndedOn: "2026-06-30", Reason: "Remplacé par la plateforme cantonale."})
	must(err)
	must(svc.SetModel(ctx, admin, ids[2], true)) // models
	// A closed campaign (its tasks all left to do), and an open one with a
	// task in each state: to do, confirmed, changes asked (a new draft).
	closed, err := svc.OpenCampaign(ctx, admin, "geneve", register.CampaignInput{Title: "Revue 2025", DueOn: "2027-01-31"})
	must(err)
	_, err = svc.CloseCampaign(ctx, admin, closed.Campaign.ID)
	must(err)
	open, err := svc.OpenCampaign(ctx, admin, "geneve", register.CampaignInput{Title: "Revue « annuelle »", Units: []string{"etat-civil"}, DueOn: "2027-03-31"})
	must(err)
	_, err = svc.ConfirmReview(ctx, admin, open.Campaign.ID, ids[2])
	must(err)
	_, err = svc.RequestChanges(ctx, admin, open.Campaign.ID, ids[5])
	must(err)
	cur, err := svc.GetProcessing(ctx, admin, ids[4])
	must(err)
	_, err = svc.UpdateProcessing(ctx, admin, ids[4], cur.Revision, complete("Traitement republié, en cours de révision"))
	must(err)
	_, err = svc.CreateUserAsOperator(ctx, register.NewAccount{Username: "alice", Password: "correct horse battery", Role: "dpo", Org: "geneve"})
	must(err)
	_, err = svc.CreateUserAsOperator(ctx, register.NewAccount{Username: "bob", Password: "correct horse battery", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}})
	must(err)
	must(svc.DeleteUser(ctx, admin, "bob"))
	_, err = svc.OwnSigningKey(ctx)
	must(err)
	now := time.Now().UTC()
	must(db.Store().InTx(ctx, func(tx register.Store) error { // a single sign-on person (oidc_subjects)
		return tx.PutSubject(ctx, &register.ExternalSubject{Issuer: "https://idp.example.ch", Subject: "s-1", Username: "alice",
			Source: register.SourceAdmin, Email: "alice@geneve.example.ch", Name: "Alice", FirstSeen: now, LastSeen: now})
	}))
	p, err := svc.Login(ctx, "alice", "correct horse battery")
	must(err)
	// Reminders: the organisation's schedule, alice's opt-out and language
	// (reminder_settings, reminder_prefs).
	_, err = svc.SetReminderSettings(ctx, admin, register.ReminderSettings{Organisation: "geneve", Frequency: register.Daily, Hour: 9})
	must(err)
	_, err = svc.SetMyReminderPrefs(ctx, p, true, "en")
	must(err)
	p.TokenID = "jti-1"
	must(svc.Logout(ctx, p))
}

func cmdRun(t *testing.T, dsn string, stdin io.Reader, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
	if err := run(context.Background(), args, getenv, stdin, &out, &errb); err != nil {
		t.Fatalf("registre %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func TestExportImportRoundTrip(t *testing.T) {
	for _, path := range [][]dbtest.Kind{
		{dbtest.SQLite, dbtest.SQLite},
		{dbtest.Postgres, dbtest.Postgres},
		{dbtest.SQLite, dbtest.Postgres, dbtest.SQLite},
	} {
		var names []string
		for _, k := range path {
			names = append(names, string(k))
		}
		t.Run(strings.Join(names, "-to-"), func(t *testing.T) {
			first := dbtest.DSNs()[path[0]](t)
			db := dbtest.Open(t, first)
			seedRich(t, db)
			// alice's private feed: its address must work after a restore.
			feed, err := register.NewService(db.Store()).RotateFeedToken(context.Background(), &auth.Principal{Subject: "alice", Role: auth.RoleDPO, Org: "geneve"})
			if err != nil {
				t.Fatal(err)
			}
			doc := cmdRun(t, first, nil, "export")
			if !strings.Contains(doc, `"secrets":{"users":[{"username":"admin"`) && !strings.Contains(doc, `"password_hash"`) {
				t.Fatalf("operator export lacks the accounts")
			}
			wantKeeping(t, doc)
			for _, kind := range path[1:] {
				dsn := dbtest.DSNs()[kind](t)
				file := filepath.Join(t.TempDir(), "export.json")
				if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
					t.Fatal(err)
				}
				out := cmdRun(t, dsn, nil, "import", "--with-accounts", file)
				if !strings.Contains(out, "imported 1 organisations, 6 processings") {
					t.Fatalf("import said %q", out)
				}
				if v := cmdRun(t, dsn, nil, "audit", "verify"); !strings.HasPrefix(v, "ok:") {
					t.Fatalf("after import into %s: %s", kind, v)
				}
				endingRestored(t, dsn, doc)
				remindersRestored(t, dsn, feed)
				again := cmdRun(t, dsn, nil, "export")
				if again != doc {
					t.Fatalf("export after import into %s differs:\n%s\n%s", kind, firstDiff(doc, again), "")
				}
				doc = again
			}
		})
	}
}

// wantKeeping fails unless the export of seedRich's register holds what it
// made besides the records: without this, a round trip of a document that
// silently lacks them would compare equal.
func wantKeeping(t *testing.T, doc string) {
	t.Helper()
	var b register.Backup
	if err := json.Unmarshal([]byte(doc), &b); err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, tk := range b.ReviewTasks {
		outcomes[tk.Outcome]++
	}
	closed := 0
	for _, c := range b.Campaigns {
		if c.ClosedAt != nil {
			closed++
		}
	}
	if len(b.ReminderSettings) != 1 || b.ReminderSettings[0] != (register.ReminderSettings{Organisation: "geneve", Frequency: register.Daily, Hour: 9}) ||
		b.Secrets == nil || len(b.Secrets.ReminderPrefs) != 1 || !b.Secrets.ReminderPrefs[0].OptOut || b.Secrets.ReminderPrefs[0].Lang != "en" {
		t.Fatalf("export lacks the reminders: settings %+v, secrets %v", b.ReminderSettings, b.Secrets != nil)
	}
	if len(b.Models) != 1 || len(b.Endings) != 1 || b.Endings[0].Reason != "Remplacé par la plateforme cantonale." ||
		len(b.ReviewNotes) != 2 || len(b.Campaigns) != 2 || closed != 1 ||
		outcomes[register.TaskOpen] < 1 || outcomes[register.TaskConfirmed] != 1 || outcomes[register.TaskChanges] != 1 {
		t.Fatalf("export lacks part of the register: %d models, endings %+v, %d review notes, %d campaigns (%d closed), task outcomes %v",
			len(b.Models), b.Endings, len(b.ReviewNotes), len(b.Campaigns), closed, outcomes)
	}
}

// endingRestored checks through the domain that the restored archived
// processing has its ending, which the public register answers 410 with.
func endingRestored(t *testing.T, dsn, doc string) {
	t.Helper()
	var b register.Backup
	if err := json.Unmarshal([]byte(doc), &b); err != nil {
		t.Fatal(err)
	}
	svc := register.NewService(dbtest.Open(t, dsn).Store())
	want := b.Endings[0]
	got, err := svc.PublicEnding(context.Background(), want.ProcessingID)
	if err != nil || got.Reason != want.Reason || got.EndedOn != want.EndedOn || got.Title != want.Title {
		t.Fatalf("the restored archived processing's ending: %+v %v, want %+v", got, err, want)
	}
}

// remindersRestored checks through the domain that the restored register
// keeps the organisation's schedule, alice's opt-out and language, and the
// address of her private feed (only its hash was in the document).
func remindersRestored(t *testing.T, dsn, feed string) {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(dbtest.Open(t, dsn).Store())
	rs, err := svc.ReminderSettings(ctx, &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}, "geneve")
	if err != nil || rs.Frequency != register.Daily || rs.Hour != 9 {
		t.Fatalf("restored reminder settings: %+v %v, want daily at 9", rs, err)
	}
	alice := &auth.Principal{Subject: "alice", Role: auth.RoleDPO, Org: "geneve"}
	prefs, err := svc.MyReminderPrefs(ctx, alice)
	if err != nil || !prefs.OptOut || prefs.Lang != "en" {
		t.Fatalf("restored preferences of alice: %+v %v, want opted out, en", prefs, err)
	}
	d, err := svc.FeedDigest(ctx, feed)
	if err != nil || d.Username != "alice" || d.Lang != "en" {
		t.Fatalf("alice's feed after a restore: %+v %v, want hers, in en", d, err)
	}
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(0, i-80)
			return "…" + a[lo:min(len(a), i+80)] + "\n≠\n…" + b[lo:min(len(b), i+80)]
		}
	}
	return "one is a prefix of the other"
}

func TestImportRefusals(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		seedRich(t, dbtest.Open(t, dsn))
		doc := cmdRun(t, dsn, nil, "export")
		getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
		// Into a database that holds something: refused, nothing changed.
		err := run(context.Background(), []string{"import", "--with-accounts", "-"}, getenv, strings.NewReader(doc), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("import into a full database: got %v", err)
		}
		empty := dbtest.DSNs()[kind](t)
		getenv = func(k string) string { return map[string]string{"REGISTRE_DB": empty}[k] }
		for _, tt := range []struct{ name, doc, want string }{
			{"TamperedAudit", strings.Replace(doc, `"actor":"admin"`, `"actor":"mallory"`, 1), "audit"},
			{"WrongFormat", strings.Replace(doc, register.BackupFormat, "other-v9", 1), "format"},
			{"NotJSON", "{", "not a document"},
			{"UnknownField", strings.Replace(doc, `{"format"`, `{"colour":1,"format"`, 1), "not a document"},
		} {
			err := run(context.Background(), []string{"import", "--with-accounts", "-"}, getenv, strings.NewReader(tt.doc), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: got %v, want an error about %s", tt.name, err, tt.want)
			}
		}
		if out := cmdRun(t, empty, nil, "export", "--no-secrets"); strings.Contains(out, `"processings":[{`) {
			t.Fatalf("a refused import left rows behind")
		}
	})
}

// A backup made before models, endings, review notes, campaigns and
// reminders were kept has none of their parts: it still restores, with none of them.
func TestImportOfAnOlderBackupWithoutTheLaterParts(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		seedRich(t, dbtest.Open(t, dsn))
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(cmdRun(t, dsn, nil, "export")), &doc); err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{"models", "endings", "review_notes", "review_campaigns", "review_tasks", "reminder_settings"} {
			if doc[part] == nil {
				t.Fatalf("the export has no %q to leave out", part)
			}
			delete(doc, part)
		}
		var secrets map[string]json.RawMessage
		if err := json.Unmarshal(doc["secrets"], &secrets); err != nil || secrets["reminder_prefs"] == nil {
			t.Fatalf("the export's secrets have no reminder_prefs to leave out (%v)", err)
		}
		delete(secrets, "reminder_prefs")
		raw, err := json.Marshal(secrets)
		if err != nil {
			t.Fatal(err)
		}
		doc["secrets"] = raw
		old, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		empty := dbtest.DSNs()[kind](t)
		if out := cmdRun(t, empty, bytes.NewReader(old), "import", "--with-accounts", "-"); !strings.Contains(out, "6 processings") {
			t.Fatalf("import said %q", out)
		}
		again := cmdRun(t, empty, nil, "export")
		for _, part := range []string{`"models"`, `"endings"`, `"review_notes"`, `"review_campaigns"`, `"review_tasks"`, `"reminder_settings"`, `"reminder_prefs"`} {
			if strings.Contains(again, part) {
				t.Errorf("restored from a document without %s, the export has some", part)
			}
		}
	})
}

// A document whose models, endings, notes or campaigns the service could
// not have written is refused as a whole, naming the part.
func TestImportRefusesCraftedKeeping(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		seedRich(t, dbtest.Open(t, dsn))
		var orig register.Backup
		if err := json.Unmarshal([]byte(cmdRun(t, dsn, nil, "export")), &orig); err != nil {
			t.Fatal(err)
		}
		draft := ""
		for _, p := range orig.Processings {
			if p.PublishedVersion == 0 {
				draft = p.ID
			}
		}
		empty := dbtest.DSNs()[kind](t)
		for _, tc := range []struct {
			name string
			edit func(b *register.Backup)
			want string
		}{
			{"TaskOfNoCampaign", func(b *register.Backup) { b.ReviewTasks[0].CampaignID = "0190c0de-0000-7000-8000-000000000000" }, "review_tasks[0].campaign_id"},
			{"NoteOfNoProcessing", func(b *register.Backup) { b.ReviewNotes[0].ProcessingID = "0190c0de-0000-7000-8000-000000000000" }, "review_notes[0].processing_id"},
			{"EndingOfALiveProcessing", func(b *register.Backup) { b.Endings[0].ProcessingID = b.Models[0].ProcessingID }, "only an archived processing has an ending"},
			{"EndingTwice", func(b *register.Backup) { b.Endings = append(b.Endings, b.Endings[0]) }, "endings[1].processing_id"},
			{"ModelNeverPublished", func(b *register.Backup) { b.Models[0].ProcessingID = draft }, "only a processing that was published can be a model"},
			{"NoteOfAFutureVersion", func(b *register.Backup) { b.ReviewNotes[0].Version = 99 }, "review_notes[0].version"},
			{"UnknownOutcome", func(b *register.Backup) { b.ReviewTasks[0].Outcome = "maybe" }, "review_tasks[0].outcome"},
			{"DoneTaskWithoutWhen", func(b *register.Backup) {
				for i := range b.ReviewTasks {
					if b.ReviewTasks[i].Outcome == register.TaskConfirmed {
						b.ReviewTasks[i].DoneAt = nil
					}
				}
			}, "a done task has both when and by whom"},
			{"CampaignOfAnotherUnit", func(b *register.Backup) { b.Campaigns[0].Units = []string{"police"} }, `"police" is not a unit of the organisation`},
			{"CampaignOfNoOrganisation", func(b *register.Backup) { b.Campaigns[0].Organisation = "lausanne" }, "review_campaigns[0].organisation"},
			{"RemindersOfNoOrganisation", func(b *register.Backup) { b.ReminderSettings[0].Organisation = "lausanne" }, "reminder_settings[0].organisation"},
			{"RemindersAtHour24", func(b *register.Backup) { b.ReminderSettings[0].Hour = 24 }, "reminder_settings[0].hour"},
			{"RemindersMonthly", func(b *register.Backup) { b.ReminderSettings[0].Frequency = "monthly" }, "reminder_settings[0].frequency"},
			{"RemindersTwice", func(b *register.Backup) { b.ReminderSettings = append(b.ReminderSettings, b.ReminderSettings[0]) }, "reminder_settings[1].organisation"},
			{"PrefsInGerman", func(b *register.Backup) { b.Secrets.ReminderPrefs[0].Lang = "de" }, "secrets.reminder_prefs[0].lang"},
			{"PrefsWithAFeedSecretInsteadOfItsHash", func(b *register.Backup) {
				b.Secrets.ReminderPrefs[0].FeedHash = "the-secret-itself-not-a-hash"
			}, "secrets.reminder_prefs[0].feed_hash"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				raw, err := json.Marshal(orig)
				if err != nil {
					t.Fatal(err)
				}
				var b register.Backup
				if err := json.Unmarshal(raw, &b); err != nil {
					t.Fatal(err)
				}
				tc.edit(&b)
				doc, err := json.Marshal(&b)
				if err != nil {
					t.Fatal(err)
				}
				getenv := func(k string) string { return map[string]string{"REGISTRE_DB": empty}[k] }
				err = run(context.Background(), []string{"import", "--with-accounts", "-"}, getenv, bytes.NewReader(doc), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want an error naming %s", err, tc.want)
				}
			})
		}
		if out := cmdRun(t, empty, nil, "export", "--no-secrets"); strings.Contains(out, `"processings":[{`) {
			t.Fatalf("a refused import left rows behind")
		}
	})
}

// Every table the migrations create is either carried by a backup or left
// out on purpose (sqlstore.TablesLeftOutOfBackups says why), and every
// table said to be carried really comes back: seedRich puts rows in each,
// and a restore into an empty database has as many. A new table fails here
// until the backup carries it or the list says why not.
func TestBackupCoversEveryTable(t *testing.T) {
	carried := map[string]bool{}
	for _, name := range sqlstore.BackupTables() {
		carried[name] = true
	}
	leftOut := sqlstore.TablesLeftOutOfBackups()
	seen := map[string]bool{}
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		src := dbtest.Open(t, dsn)
		seedRich(t, src)
		tables := tablesOf(t, src)
		for _, name := range tables {
			seen[name] = true
			switch {
			case carried[name] && leftOut[name] != "":
				t.Errorf("table %s is both carried and left out", name)
			case !carried[name] && leftOut[name] == "":
				t.Errorf("table %s is neither in backups (sqlstore.BackupTables) nor in the tables left out (sqlstore.TablesLeftOutOfBackups)", name)
			}
		}
		restored := dbtest.DSNs()[kind](t)
		cmdRun(t, restored, strings.NewReader(cmdRun(t, dsn, nil, "export")), "import", "--with-accounts", "-")
		dst := dbtest.Open(t, restored)
		for _, name := range sqlstore.BackupTables() {
			n, err := src.Bun().NewSelect().TableExpr(name).Count(ctx)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			m, err := dst.Bun().NewSelect().TableExpr(name).Count(ctx)
			if err != nil {
				t.Fatalf("%s after restore: %v", name, err)
			}
			if n == 0 || m != n {
				t.Errorf("table %s: %d rows seeded, %d after a restore (want as many, and some)", name, n, m)
			}
		}
	})
	for name := range carried {
		if !seen[name] {
			t.Errorf("sqlstore.BackupTables names %s, which neither database has", name)
		}
	}
	for name := range leftOut {
		if !seen[name] {
			t.Errorf("sqlstore.TablesLeftOutOfBackups names %s, which neither database has", name)
		}
	}
}

// tablesOf lists the tables of a migrated database; a full-text virtual
// table's SQLite shadow tables (name_data, name_idx, ...) count as it.
func tablesOf(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Postgres() {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Bun().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		for _, shadow := range []string{"_data", "_idx", "_content", "_docsize", "_config"} {
			if base, ok := strings.CutSuffix(name, shadow); ok && strings.HasSuffix(base, "_fts") {
				name = base
			}
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("found only the tables %v: not a migrated database", names)
	}
	return names
}
