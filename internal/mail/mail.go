// Package mail sends the reminders' digests by SMTP (REGISTRE_SMTP_URL):
// STARTTLS whenever the server offers it, or TLS from the start with
// smtps://. The password and the recipients' addresses are never logged
// and never part of an error this package returns.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// Config is where and as whom digests are sent.
type Config struct {
	Host     string // host:port
	Implicit bool   // smtps: TLS from the first byte
	User     string
	Password string
	From     string // REGISTRE_MAIL_FROM
	// BaseURL prefixes the links to the office pages (REGISTRE_PUBLIC_URL).
	BaseURL string
	// TLS is the client's TLS configuration (nil: the system's roots, the
	// host's name); tests give their own roots.
	TLS *tls.Config
}

// String leaves the password out, so that printing a Config by mistake
// does not leak it.
func (c Config) String() string {
	return fmt.Sprintf("{host:%s implicit:%t user:%s password:[hidden]}", c.Host, c.Implicit, c.User)
}

// Parse reads smtp://user:pass@host:port or smtps://… and the sender's
// address. Errors never quote the URL (it holds the password).
func Parse(rawURL, from, baseURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, errors.New("REGISTRE_SMTP_URL is not a URL")
	}
	c := Config{BaseURL: strings.TrimRight(baseURL, "/")}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.Implicit, port = true, "465"
	default:
		return Config{}, errors.New("REGISTRE_SMTP_URL must start with smtp:// or smtps://")
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return Config{}, errors.New("REGISTRE_SMTP_URL must be smtp[s]://[user:password@]host[:port]")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	c.Host = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	a, err := mail.ParseAddress(from)
	if err != nil || from == "" {
		return Config{}, errors.New("REGISTRE_MAIL_FROM must be an e-mail address")
	}
	c.From = a.Address
	return c, nil
}

// Sender sends digests; it implements register.DigestSender.
type Sender struct {
	cfg  Config
	now  func() time.Time
	html *template.Template
}

// New returns a Sender for cfg.
func New(cfg Config) *Sender {
	return &Sender{cfg: cfg, now: time.Now, html: template.Must(template.New("digest").Parse(digestHTML))}
}

var _ register.DigestSender = (*Sender)(nil)

// AddressHash is what logs may say instead of an address.
func AddressHash(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(addr)))
	return hex.EncodeToString(sum[:6])
}

// SendDigest implements register.DigestSender: one connection, one
// message.
func (s *Sender) SendDigest(ctx context.Context, d *register.Digest) error {
	msg, err := s.Message(d)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(s.cfg.Host)
	tcfg := s.cfg.TLS.Clone()
	if tcfg == nil {
		tcfg = &tls.Config{}
	}
	if tcfg.ServerName == "" {
		tcfg.ServerName = host
	}
	tcfg.MinVersion = tls.VersionTLS12
	var conn net.Conn
	if s.cfg.Implicit {
		conn, err = (&tls.Dialer{NetDialer: &net.Dialer{Timeout: 30 * time.Second}, Config: tcfg}).DialContext(ctx, "tcp", s.cfg.Host)
	} else {
		conn, err = (&net.Dialer{Timeout: 30 * time.Second}).DialContext(ctx, "tcp", s.cfg.Host)
	}
	if err != nil {
		return fmt.Errorf("smtp connect: %w", err)
	}
	// A stuck server does not hold the loop for ever.
	_ = conn.SetDeadline(s.now().Add(2 * time.Minute))
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if !s.cfg.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tcfg); err != nil {
				return fmt.Errorf("smtp starttls: %w", err)
			}
		}
	}
	if s.cfg.User != "" {
		// net/smtp sends PLAIN credentials only over TLS or to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, host)); err != nil {
			return errors.New("smtp authentication failed") // the server's reply may quote the user
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(d.Email); err != nil {
		return fmt.Errorf("smtp RCPT TO refused for %s", AddressHash(d.Email))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp message refused: %w", err)
	}
	return c.Quit()
}

// Message is the digest as an RFC 5322 message in the person's language:
// multipart/alternative, a plain-text part and an HTML part (the one mail
// programs show when they can), both UTF-8 and quoted-printable, saying the
// same with the same absolute links.
func (s *Sender) Message(d *register.Digest) ([]byte, error) {
	if _, err := mail.ParseAddress(d.Email); err != nil || strings.ContainsAny(d.Email, "\r\n") {
		return nil, fmt.Errorf("the address of %s is not usable", d.Username)
	}
	w := words(d.Lang)
	html, err := s.HTML(d)
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	mp := multipart.NewWriter(&body)
	for _, part := range []struct{ ctype, text string }{
		{"text/plain; charset=utf-8", s.Text(d)},
		{"text/html; charset=utf-8", html},
	} {
		pw, err := mp.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.text, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mp.Close(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := s.cfg.From[strings.LastIndexByte(s.cfg.From, '@')+1:]
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", (&mail.Address{Name: "Registre", Address: s.cfg.From}).String())
	hdr("To", (&mail.Address{Address: d.Email}).String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", fmt.Sprintf(w.subject, len(d.Items))))
	hdr("Date", s.now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mp.Boundary()}))
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// digestHTML is the HTML part. html/template escapes every value for where
// it stands (text, attribute, URL): titles, units, campaigns and the DPO's
// comments are people's words. Styles are inline, the only ones mail
// programs keep; the layout is one column, readable at any width.
const digestHTML = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">
<p>{{.Hello}}</p>
{{- range .Sections}}
<h2 style="font-size:18px;margin:24px 0 8px">{{.Head}}</h2>
<ul style="padding-left:20px;margin:0">
{{- range .Items}}
<li style="margin:0 0 12px"><a href="{{.Link}}" style="color:#0b5394">{{.Title}}</a> ({{.Unit}})
{{- if .Campaign}}<br>{{$.CampaignWord}}{{$.Colon}} {{.Campaign}}, {{$.DueWord}} {{.DueOn}}{{end}}
{{- if .Comment}}<br>{{$.CommentWord}}{{$.Colon}} {{.Comment}}{{end}}</li>
{{- end}}
</ul>
{{- end}}
<hr style="border:0;border-top:1px solid #767676;margin:24px 0 8px">
<p style="font-size:14px">{{.Footer}} <a href="{{.Account}}" style="color:#0b5394">{{.Account}}</a></p>
</body>
</html>
`

type htmlItem struct {
	Link, Title, Unit, Campaign, DueOn, Comment string
}

type htmlSection struct {
	Head  string
	Items []htmlItem
}

// HTML is the digest's HTML part.
func (s *Sender) HTML(d *register.Digest) (string, error) {
	w := words(d.Lang)
	data := struct {
		Lang, Subject, Hello, Footer, Account     string
		CampaignWord, DueWord, CommentWord, Colon string
		Sections                                  []htmlSection
	}{
		Lang: w.code, Subject: fmt.Sprintf(w.subject, len(d.Items)), Hello: fmt.Sprintf(w.hello, d.Username),
		Footer: w.footer, Account: s.cfg.BaseURL + "/office/account",
		CampaignWord: w.campaign, DueWord: w.due, CommentWord: w.comment, Colon: w.colon,
	}
	for _, kind := range []string{register.ItemTask, register.ItemReturned, register.ItemToReview} {
		sec := htmlSection{Head: strings.TrimSuffix(strings.TrimSuffix(w.heads[kind], ":"), " ")}
		for _, it := range d.Items {
			if it.Kind != kind {
				continue
			}
			h := htmlItem{Link: s.link(it), Title: it.Title, Unit: it.Unit, Comment: it.Comment}
			if kind == register.ItemTask {
				h.Campaign, h.DueOn, h.Comment = it.Campaign, it.DueOn, ""
			}
			sec.Items = append(sec.Items, h)
		}
		if sec.Items != nil {
			data.Sections = append(data.Sections, sec)
		}
	}
	var b strings.Builder
	if err := s.html.Execute(&b, data); err != nil {
		return "", fmt.Errorf("digest HTML: %w", err)
	}
	return b.String(), nil
}

// link is the office page of an item: the campaign of a task, the record
// otherwise. Ids are path-escaped: they come from the database.
func (s *Sender) link(it register.DigestItem) string {
	if it.Kind == register.ItemTask {
		return s.cfg.BaseURL + "/office/campaigns/" + url.PathEscape(it.CampaignID)
	}
	return s.cfg.BaseURL + "/office/processings/" + url.PathEscape(it.ProcessingID)
}

// Text is the digest's body.
func (s *Sender) Text(d *register.Digest) string {
	w := words(d.Lang)
	var b strings.Builder
	fmt.Fprintf(&b, w.hello, d.Username)
	b.WriteString("\n\n")
	for _, kind := range []string{register.ItemTask, register.ItemReturned, register.ItemToReview} {
		first := true
		for _, it := range d.Items {
			if it.Kind != kind {
				continue
			}
			if first {
				b.WriteString(w.heads[kind] + "\n\n")
				first = false
			}
			fmt.Fprintf(&b, "- %s (%s)\n", it.Title, it.Unit)
			switch kind {
			case register.ItemTask:
				fmt.Fprintf(&b, "  %s: %s, %s %s\n  %s/office/campaigns/%s\n", w.campaign, it.Campaign, w.due, it.DueOn, s.cfg.BaseURL, it.CampaignID)
			case register.ItemReturned:
				if it.Comment != "" {
					fmt.Fprintf(&b, "  %s: %s\n", w.comment, it.Comment)
				}
				fmt.Fprintf(&b, "  %s/office/processings/%s\n", s.cfg.BaseURL, it.ProcessingID)
			default:
				fmt.Fprintf(&b, "  %s/office/processings/%s\n", s.cfg.BaseURL, it.ProcessingID)
			}
		}
		if !first {
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "-- \n%s\n%s/office/account\n", w.footer, s.cfg.BaseURL)
	return b.String()
}

type lang struct {
	code, colon                                    string // the lang attribute; the colon before a value (French: a no-break space first)
	subject, hello, campaign, due, comment, footer string
	heads                                          map[string]string
}

func words(l string) lang {
	if l == "en" {
		return lang{
			code: "en", colon: ":",
			subject: "Registre: %d item(s) waiting for you", hello: "Hello %s,",
			campaign: "Campaign", due: "due", comment: "DPO's comment",
			footer: "You receive this digest because you have an account on Registre. To stop it, or to change its language:",
			heads: map[string]string{
				register.ItemTask:     "Processings to review (review campaigns):",
				register.ItemReturned: "Drafts returned to you:",
				register.ItemToReview: "Processings waiting for your review:",
			},
		}
	}
	return lang{
		code: "fr", colon: "\u00a0:",
		subject: "Registre : %d élément(s) vous attendent", hello: "Bonjour %s,",
		campaign: "Campagne", due: "échéance", comment: "Commentaire du DPO",
		footer: "Vous recevez ce résumé parce que vous avez un compte sur Registre. Pour ne plus le recevoir, ou en changer la langue :",
		heads: map[string]string{
			register.ItemTask:     "Traitements à revoir (campagnes de revue) :",
			register.ItemReturned: "Brouillons qui vous ont été renvoyés :",
			register.ItemToReview: "Traitements qui attendent votre revue :",
		},
	}
}
