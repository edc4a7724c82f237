package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	mailer "github.com/registre/registre/internal/mail"
	"github.com/registre/registre/internal/smtptest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// fixture: geneve/etat-civil; ed (editor, English) submitted a draft that
// dora (DPO) returned; another record waits for dora's review; eve has
// something waiting too but her server refuses her address.
func fixture(t *testing.T, db *sqlstore.DB, now func() time.Time, log *slog.Logger) *register.Service {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(now), register.WithLogger(log))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", DPOContact: "dpo@geneve.example.ch", LIPADContact: "lipad@geneve.example.ch", Address: "Rue du Stand 1, 1204 Genève"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []register.NewAccount{
		{Username: "ed", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "ed@geneve.example.ch"},
		{Username: "eve", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "eve@geneve.example.ch"},
		{Username: "dora", Role: "dpo", Org: "geneve", Email: "dora@geneve.example.ch"},
	} {
		a.Password = "correct horse battery staple 42"
		if _, err := svc.CreateUser(ctx, admin, a); err != nil {
			t.Fatal(err)
		}
	}
	dora := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
	for i, who := range []string{"ed", "eve", "ed"} {
		p := &auth.Principal{Subject: who, Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}}
		var f register.Fields
		b, _ := json.Marshal(apitest.Complete("etat-civil", []string{"Registre des décès", "Registre des mariages", "Registre des naissances"}[i]))
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		pr, err := svc.CreateProcessing(ctx, p, "geneve", f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, p, pr.ID, register.StepSubmit, nil, ""); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if _, err := svc.Transition(ctx, dora, pr.ID, register.StepReturn, nil, "Préciser la durée."); err != nil {
				t.Fatal(err)
			}
		}
	}
	ed := &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "geneve"}
	if _, err := svc.SetMyReminderPrefs(ctx, ed, false, "en"); err != nil {
		t.Fatal(err)
	}
	return svc
}

// parts reads a digest back: its header, and the decoded body of each part
// of its multipart/alternative by media type (text/plain, text/html),
// failing unless there are exactly these two, plain text first.
func parts(t *testing.T, data []byte) (*mail.Message, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	var order []string
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || cp["charset"] != "utf-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part %q %q: want UTF-8, quoted-printable", p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		out[ct] = string(b)
		order = append(order, ct)
	}
	if !slices.Equal(order, []string{"text/plain", "text/html"}) {
		t.Fatalf("parts %v, want text/plain then text/html", order)
	}
	return m, out
}

// Two instances on one database send the due digests through a real SMTP
// server (STARTTLS, PLAIN): ed and dora each get one message, in their
// language, with their items and links; eve's address is refused and the
// log says so without her address or the password.
func TestDigestsReachTheSMTPServerOncePerPeriod(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := smtptest.Start(t, "registre", "s3cret-Pa55")
		srv.Refuse("eve@geneve.example.ch")
		now := func() time.Time { return time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC) } // Monday 08:30 Zurich
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
		svc := fixture(t, db, now, log)
		other := register.NewService(db.Store(), register.WithClock(now), register.WithLogger(log))
		cfg, err := mailer.Parse("smtp://registre:s3cret-Pa55@"+srv.Addr, "registre@geneve.example.ch", "https://registre.example.ch/")
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLS = &tls.Config{RootCAs: srv.Roots}
		var wg sync.WaitGroup
		start := time.Now()
		for _, s := range []*register.Service{svc, other} {
			wg.Go(func() {
				if _, err := s.SendDueDigests(ctx, mailer.New(cfg)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		t.Logf("two instances, 3 digests claimed: %v", time.Since(start))
		var to []string
		got, html := map[string]string{}, map[string]string{}
		for _, m := range srv.Messages() {
			to = append(to, m.To...)
			if !m.TLS || m.From != "registre@geneve.example.ch" || m.User != "registre" {
				t.Errorf("message to %v: tls %t from %q user %q", m.To, m.TLS, m.From, m.User)
			}
			hdr, body := parts(t, m.Data)
			subject, _ := new(mime.WordDecoder).DecodeHeader(hdr.Header.Get("Subject"))
			got[m.To[0]] = subject + "\n" + body["text/plain"]
			html[m.To[0]] = body["text/html"]
		}
		slices.Sort(to)
		if !slices.Equal(to, []string{"dora@geneve.example.ch", "ed@geneve.example.ch"}) {
			t.Fatalf("recipients %v, want dora and ed once each", to)
		}
		for addr, want := range map[string][]string{
			"ed@geneve.example.ch": {"Registre: 1 item(s) waiting for you", "Hello ed,", "Drafts returned to you:", "Registre des décès",
				"DPO's comment: Préciser la durée.", "https://registre.example.ch/office/processings/", "https://registre.example.ch/office/account"},
			"dora@geneve.example.ch": {"Registre : 1 élément(s) vous attendent", "Bonjour dora,", "Traitements qui attendent votre revue :",
				"Registre des naissances"},
		} {
			for _, w := range want {
				if !strings.Contains(got[addr], w) {
					t.Errorf("%s's message lacks %q:\n%s", addr, w, got[addr])
				}
			}
		}
		// The HTML part says the same, in the person's language, with
		// absolute links on REGISTRE_PUBLIC_URL.
		for addr, want := range map[string][]string{
			"ed@geneve.example.ch": {`<html lang="en">`, "<title>Registre: 1 item(s) waiting for you</title>", "Hello ed,", "Drafts returned to you",
				`<a href="https://registre.example.ch/office/processings/`, "Registre des décès", "DPO&#39;s comment: Préciser la durée.",
				`<a href="https://registre.example.ch/office/account"`},
			"dora@geneve.example.ch": {`<html lang="fr">`, "Bonjour dora,", "Traitements qui attendent votre revue", "Registre des naissances",
				`<a href="https://registre.example.ch/office/processings/`},
		} {
			for _, w := range want {
				if !strings.Contains(html[addr], w) {
					t.Errorf("%s's HTML part lacks %q:\n%s", addr, w, html[addr])
				}
			}
		}
		if strings.Contains(got["ed@geneve.example.ch"], "mariages") || strings.Contains(got["dora@geneve.example.ch"], "décès") ||
			strings.Contains(html["ed@geneve.example.ch"], "mariages") || strings.Contains(html["dora@geneve.example.ch"], "décès") {
			t.Errorf("someone else's item in a digest: %v %v", got, html)
		}
		l := logs.String()
		if !strings.Contains(l, "sending a digest") || !strings.Contains(l, "user=eve") {
			t.Errorf("the refusal was not logged: %s", l)
		}
		for _, secret := range []string{"s3cret-Pa55", "@geneve.example.ch"} {
			if strings.Contains(l, secret) {
				t.Errorf("the log holds %q: %s", secret, l)
			}
		}
	})
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestParseRefusesBadSettingsWithoutQuotingThem(t *testing.T) {
	t.Parallel()
	for name, c := range map[string][2]string{
		"ErrScheme": {"http://u:hunter2@mail.example.ch", "a@example.ch"},
		"ErrNoHost": {"smtp://u:hunter2@", "a@example.ch"},
		"ErrPath":   {"smtp://u:hunter2@mail.example.ch/x", "a@example.ch"},
		"ErrFrom":   {"smtp://u:hunter2@mail.example.ch", "not an address"},
	} {
		if _, err := mailer.Parse(c[0], c[1], ""); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for raw, want := range map[string]string{"smtp://mail.example.ch": "mail.example.ch:587", "smtps://u:hunter2@mail.example.ch": "mail.example.ch:465",
		"smtp://mail.example.ch:2525": "mail.example.ch:2525"} {
		c, err := mailer.Parse(raw, "Registre <registre@example.ch>", "")
		if err != nil || c.Host != want || c.From != "registre@example.ch" || c.Implicit != strings.HasPrefix(raw, "smtps") {
			t.Errorf("%s: %+v %v", raw, c, err)
		}
		if strings.Contains(c.String(), "hunter2") {
			t.Errorf("String shows the password: %s", c)
		}
	}
}

// Every value a digest interpolates into its HTML part is people's words
// (titles, units, campaign titles, the DPO's comments, usernames): sent
// through the SMTP server with hostile ones, the HTML part holds them as
// text, escaped, and no markup of theirs; the plain-text part holds them as
// they are.
func TestDigestHTMLEscapesHostileValues(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "registre", "s3cret-Pa55")
	cfg, err := mailer.Parse("smtp://registre:s3cret-Pa55@"+srv.Addr, "registre@geneve.example.ch", "https://registre.example.ch")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = &tls.Config{RootCAs: srv.Roots}
	const script = `<script>alert("title")</script>`
	d := &register.Digest{Username: `<b>ed</b>`, Email: "ed@geneve.example.ch", Lang: "en", Organisation: "geneve", Period: "2026-W49",
		Items: []register.DigestItem{
			{Kind: register.ItemTask, ProcessingID: "0193a000-0000-7000-8000-000000000001", Title: script, Unit: `etat"civil`,
				CampaignID: "0193a000-0000-7000-8000-0000000000c1", Campaign: `Revue <img src=x onerror=alert(1)>`, DueOn: "2026-12-31"},
			{Kind: register.ItemReturned, ProcessingID: "0193a000-0000-7000-8000-000000000002", Title: `"><a href="javascript:alert(2)">x</a>`,
				Unit: "etat-civil", Comment: `Fix & <i>resubmit</i>`},
		}}
	if err := mailer.New(cfg).SendDigest(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	_, body := parts(t, msgs[0].Data)
	html, text := body["text/html"], body["text/plain"]
	for _, bad := range []string{"<script", "<img", "<b>", "<i>", `href="javascript:`} {
		if strings.Contains(html, bad) {
			t.Errorf("the HTML part holds %q unescaped:\n%s", bad, html)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;", "etat&#34;civil", "Revue &lt;img src=x onerror=alert(1)&gt;",
		"&#34;&gt;&lt;a href=&#34;javascript:alert(2)&#34;&gt;x&lt;/a&gt;", "Fix &amp; &lt;i&gt;resubmit&lt;/i&gt;", "Hello &lt;b&gt;ed&lt;/b&gt;,",
		`<a href="https://registre.example.ch/office/campaigns/0193a000-0000-7000-8000-0000000000c1"`,
		`<a href="https://registre.example.ch/office/processings/0193a000-0000-7000-8000-000000000002"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML part lacks %q:\n%s", want, html)
		}
	}
	for _, want := range []string{script, `Revue <img src=x onerror=alert(1)>`, `Fix & <i>resubmit</i>`} {
		if !strings.Contains(text, want) {
			t.Errorf("the plain-text part lacks %q as written:\n%s", want, text)
		}
	}
}
