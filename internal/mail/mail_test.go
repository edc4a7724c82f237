package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	mailer "github.com/registre/registre/internal/mail"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// received is a message the test server accepted.
type received struct {
	from, user string
	to         []string
	tls        bool
	data       []byte
}

// smtpServer is a real SMTP server on 127.0.0.1 that offers STARTTLS with
// a certificate of its own, requires PLAIN authentication, refuses the
// recipients in refuse and keeps what it receives.
type smtpServer struct {
	mu     sync.Mutex
	msgs   []received
	refuse string
	roots  *x509.CertPool
	addr   string
}

type session struct {
	srv  *smtpServer
	conn *smtp.Conn
	cur  received
}

func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "registre" || pass != "s3cret-Pa55" {
			return errors.New("bad credentials")
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.srv.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: no such user"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{user: s.cur.user} }
func (s *session) Logout() error { return nil }

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	srv := &smtpServer{roots: roots}
	s := smtp.NewServer(srv)
	s.Domain = "127.0.0.1"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return srv
}

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

func body(t *testing.T, data []byte) (*mail.Message, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m, string(b)
}

// Two instances on one database send the due digests through a real SMTP
// server (STARTTLS, PLAIN): ed and dora each get one message, in their
// language, with their items and links; eve's address is refused and the
// log says so without her address or the password.
func TestDigestsReachTheSMTPServerOncePerPeriod(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := startSMTP(t)
		srv.refuse = "eve@geneve.example.ch"
		now := func() time.Time { return time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC) } // Monday 08:30 Zurich
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
		svc := fixture(t, db, now, log)
		other := register.NewService(db.Store(), register.WithClock(now), register.WithLogger(log))
		cfg, err := mailer.Parse("smtp://registre:s3cret-Pa55@"+srv.addr, "registre@geneve.example.ch", "https://registre.example.ch/")
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLS = &tls.Config{RootCAs: srv.roots}
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
		got := map[string]string{}
		for _, m := range srv.msgs {
			to = append(to, m.to...)
			if !m.tls || m.from != "registre@geneve.example.ch" || m.user != "registre" {
				t.Errorf("message to %v: tls %t from %q user %q", m.to, m.tls, m.from, m.user)
			}
			hdr, text := body(t, m.data)
			subject, _ := new(mime.WordDecoder).DecodeHeader(hdr.Header.Get("Subject"))
			got[m.to[0]] = subject + "\n" + text
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
		if strings.Contains(got["ed@geneve.example.ch"], "mariages") || strings.Contains(got["dora@geneve.example.ch"], "décès") {
			t.Errorf("someone else's item in a digest: %v", got)
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
