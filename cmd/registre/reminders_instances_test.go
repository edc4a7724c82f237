package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/smtptest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestTwoServeProcessesSendEachDigestOnce runs two `registre serve`
// processes on one PostgreSQL database with one real SMTP server on
// 127.0.0.1 (STARTTLS with its own certificate, trusted through
// SSL_CERT_FILE, PLAIN), both looking for due digests every 200 ms
// (REGISTRE_REMINDERS_INTERVAL) with the organisation's hour set to the
// current Zurich hour. Everyone starts opted out; once both processes are
// looking, three people opt back in: each receives exactly one digest for
// the period, however many passes both processes make; the one who stayed
// opted out receives none.
func TestTwoServeProcessesSendEachDigestOnce(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	db := dbtest.Open(t, dsn)
	zone, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	// A daily period is the Zurich day: a run across midnight would rightly
	// send a second digest, in the next period. Start after it instead.
	if now := time.Now().In(zone); now.Hour() == 23 && now.Minute() == 59 {
		time.Sleep(time.Duration(60-now.Second()+1) * time.Second)
	}
	hour := time.Now().In(zone).Hour()
	seedReminders(t, db, hour)

	srv := smtptest.Start(t, "registre", "smtp-Pa55word")
	certs := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(certs, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"REGISTRE_SMTP_URL":           "smtp://registre:smtp-Pa55word@" + srv.Addr,
		"REGISTRE_MAIL_FROM":          "registre@geneve.example.ch",
		"REGISTRE_PUBLIC_URL":         "https://registre.example.ch",
		"REGISTRE_REMINDERS_INTERVAL": "200ms",
		"SSL_CERT_FILE":               certs, // the SMTP server's certificate, as the system's roots
	}
	a := startTarget(t, dbtest.Postgres, dsn, env)
	b := startTarget(t, dbtest.Postgres, dsn, env)
	// Both are looking now: the three opt back in at once, and both
	// processes' next passes race for their digests.
	time.Sleep(500 * time.Millisecond)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d digests sent while everyone had opted out", n)
	}
	svc := register.NewService(db.Store())
	for _, who := range []string{"ed", "nina", "dora"} {
		if _, err := svc.SetMyReminderPrefs(context.Background(), &auth.Principal{Subject: who, Role: auth.RoleEditor, Org: "geneve"}, false, "fr"); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()

	want := []string{"dora@geneve.example.ch", "ed@geneve.example.ch", "nina@geneve.example.ch"}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Messages()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d digests received %v after the opt-ins", len(srv.Messages()), time.Since(start).Round(time.Millisecond))
	// Both keep looking every 200 ms: ten more passes each find the
	// period's digests claimed.
	time.Sleep(2 * time.Second)

	var to []string
	bodies := map[string]string{}
	for _, m := range srv.Messages() {
		if !m.TLS || m.User != "registre" || m.From != "registre@geneve.example.ch" {
			t.Errorf("message to %v: tls %t user %q from %q", m.To, m.TLS, m.User, m.From)
		}
		to = append(to, m.To...)
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "multipart/alternative" {
			t.Errorf("message to %v: %s", m.To, msg.Header.Get("Content-Type"))
		}
		bodies[m.To[0]] = string(m.Data)
	}
	slices.Sort(to)
	if !slices.Equal(to, want) {
		t.Fatalf("recipients %v, want each of %v exactly once", to, want)
	}
	for addr, words := range map[string][]string{
		"ed@geneve.example.ch":   {"Registre des d=C3=A9c=C3=A8s", "Revue annuelle"},
		"nina@geneve.example.ch": {"Revue annuelle"},
		"dora@geneve.example.ch": {"Registre des mariages"},
	} {
		for _, w := range words {
			if !strings.Contains(bodies[addr], w) {
				t.Errorf("%s's digest lacks %q", addr, w)
			}
		}
	}
	// The claims say who sent: one row per person, sent, whichever process.
	var claims []struct {
		Username string `bun:"username"`
		Outcome  string `bun:"outcome"`
	}
	if err := db.Bun().NewSelect().TableExpr("reminder_claims").Column("username", "outcome").Order("username").Scan(context.Background(), &claims); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(claims); string(b) != `[{"Username":"dora","Outcome":"sent"},{"Username":"ed","Outcome":"sent"},{"Username":"nina","Outcome":"sent"}]` {
		t.Errorf("claims: %s", b)
	}
	sentBy := func(tg *target) int { return strings.Count(tg.logs.String(), "reminders sent") }
	t.Logf("passes that sent: %d on A, %d on B", sentBy(a), sentBy(b))
	for _, tg := range []*target{a, b} {
		if l := tg.logs.String(); strings.Contains(l, "smtp-Pa55word") || strings.Contains(l, "@geneve.example.ch") {
			t.Errorf("a process logged the SMTP password or an address:\n%s", l)
		}
	}
}

// seedReminders writes, before any process starts: geneve, daily digests
// at hour (Zurich); ed (editor) with a draft the DPO returned and a task of
// an open campaign; nina (editor) with the same task only; otto (editor)
// with a task too; dora (DPO) with a record waiting for her review. All of
// them opted out, for the test to open the race when both processes look.
func seedReminders(t *testing.T, db *sqlstore.DB, hour int) {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@geneve.example.ch"}))
	must(svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}))
	for _, a := range []register.NewAccount{
		{Username: "ed", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "ed@geneve.example.ch"},
		{Username: "nina", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "nina@geneve.example.ch"},
		{Username: "otto", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "otto@geneve.example.ch"},
		{Username: "dora", Role: "dpo", Org: "geneve", Email: "dora@geneve.example.ch"},
	} {
		a.Password = "correct horse battery staple 42"
		must(svc.CreateUser(ctx, admin, a))
	}
	ed := &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}}
	dora := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
	create := func(p *auth.Principal, title string) string {
		t.Helper()
		var f register.Fields
		raw, _ := json.Marshal(apitest.Complete("etat-civil", title))
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		pr, err := svc.CreateProcessing(ctx, p, "geneve", f)
		if err != nil {
			t.Fatal(err)
		}
		must(svc.Transition(ctx, p, pr.ID, register.StepSubmit, nil, ""))
		return pr.ID
	}
	must(svc.Transition(ctx, dora, create(ed, "Registre des décès"), register.StepReturn, nil, "Préciser la durée."))
	create(ed, "Registre des mariages") // waits for dora
	must(svc.Transition(ctx, dora, create(dora, "Registre des naissances"), register.StepPublish, nil, ""))
	must(svc.OpenCampaign(ctx, dora, "geneve", register.CampaignInput{Title: "Revue annuelle", Units: []string{}, DueOn: "2099-12-31"}))
	for _, who := range []string{"ed", "nina", "otto", "dora"} {
		must(svc.SetMyReminderPrefs(ctx, &auth.Principal{Subject: who, Role: auth.RoleEditor, Org: "geneve"}, true, "fr"))
	}
	must(svc.SetReminderSettings(ctx, admin, register.ReminderSettings{Organisation: "geneve", Frequency: register.Daily, Hour: hour}))
}
