package office

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// visit is who is signed in for this request: the session's principal, the
// session (its form token) and the cookie's secret (to sign out). signedIn
// (session.go) puts it in the request's context.
type visit struct {
	p     *identity.Principal
	sess  *register.Session
	token string
	files map[string]httpkit.Upload // a posted form's files (readPosted)
}

type visitKey struct{}

func withVisit(ctx context.Context, v *visit) context.Context {
	return context.WithValue(ctx, visitKey{}, v)
}

// visitOf returns the request's visit; nil on the open pages (sign-in).
func visitOf(r *http.Request) *visit {
	v, _ := r.Context().Value(visitKey{}).(*visit)
	return v
}

// principal returns the signed-in person; nil on the open pages.
func principal(r *http.Request) *identity.Principal {
	if v := visitOf(r); v != nil {
		return v.p
	}
	return nil
}

// view is what every template gets: the language and its labels, the
// signed-in person and the session's form token, and the page's own data.
type view struct {
	Lang      string
	Other     string // the other language
	SwitchURL string // this page in the other language
	Title     string
	CSS       string
	Who       *identity.Principal // nil on the open pages
	CSRF      string              // the session's form token ("" on open pages)
	Nav       string              // the current section of the navigation
	Flash     string              // a notification banner's text, after an action
	Data      any

	path   string
	query  url.Values // the request's query without lang
	labels map[string]text
	tz     *time.Location
	// notes are the DPO's comments on fields of the record shown, from
	// its last return (issue 20), by field path.
	notes      map[string]register.ReviewNote
	notesShown map[string]bool
}

func (o *Office) newView(r *http.Request) *view {
	lang := pickLang(r)
	other := "en"
	if lang == "en" {
		other = "fr"
	}
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "lang" {
			q[k] = vs
		}
	}
	tz, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		tz = time.UTC
	}
	v := &view{Lang: lang, Other: other, CSS: o.css.url, path: r.URL.Path, query: q, labels: o.labels, tz: tz}
	v.SwitchURL = link(r.URL.Path, q, other)
	if vi := visitOf(r); vi != nil {
		v.Who = vi.p
		if vi.sess != nil {
			v.CSRF = vi.sess.CSRF
		}
	}
	return v
}

// pickLang chooses the language: ?lang= first (every link carries it), then
// the lang field of a form already parsed (every form carries it; the body
// is never read here, views are built for error pages too), then
// Accept-Language, then French.
func pickLang(r *http.Request) string {
	switch l := r.URL.Query().Get("lang"); l {
	case "fr", "en":
		return l
	}
	if r.Form != nil {
		if l := r.Form.Get("lang"); l == "fr" || l == "en" {
			return l
		}
	}
	return httpkit.NegotiateLang(r.Header.Get("Accept-Language"))
}

// link builds a local URL with lang last, so that every link keeps the
// language chosen.
func link(path string, q url.Values, lang string) string {
	enc := q.Encode()
	if enc != "" {
		enc += "&"
	}
	return path + "?" + enc + "lang=" + lang
}

// URL returns a local path in the page's language.
func (v *view) URL(path string) string { return link(path, nil, v.Lang) }

// T returns a label in the page's language. A missing label shows its key
// between markers, which the tests look for.
func (v *view) T(key string) string {
	t, ok := v.labels[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if v.Lang == "en" {
		return t.en
	}
	return t.fr
}

// Tf formats a label that holds verbs (%d, %s).
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(v.T(key), args...) }

// Enum prints an enumeration value in words (labels package); a value
// without a label is printed as it is.
func (v *view) Enum(kind string, value any) string {
	s := fmt.Sprint(value)
	if _, ok := v.labels[kind+"."+s]; !ok {
		return s
	}
	return v.T(kind + "." + s)
}

// When prints an instant as a day and time in Geneva.
func (v *view) When(t time.Time) string {
	t = t.In(v.tz)
	return v.day(t) + " " + t.Format("15:04")
}

// Date prints an instant as a day in Geneva.
func (v *view) Date(t time.Time) string { return v.day(t.In(v.tz)) }

func (v *view) day(t time.Time) string {
	month := v.T("month." + strconv.Itoa(int(t.Month())))
	if v.Lang == "en" {
		return strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
	}
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + "\u00a0" + month + " " + strconv.Itoa(t.Year())
}
