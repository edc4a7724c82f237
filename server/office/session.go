package office

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// signin holds what sign-in keeps between requests: the cross-origin
// check, and the login guard shared with the API's login, so that failures
// at either door count for both.
type signin struct {
	xorigin *http.CrossOriginProtection
	guard   *httpkit.LoginGuard
}

func newSignin(cfg Config) *signin {
	g := cfg.Logins
	if g == nil {
		g = httpkit.NewLoginGuard(httpkit.LoginLimits{})
	}
	return &signin{xorigin: newCrossOrigin(cfg.PublicURL), guard: g}
}

// sessionRoutes are sign-in, sign-out and the account's own page.
func (o *Office) sessionRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		{get, "/office/login", o.serve(o.loginPage)},
		{post, "/office/login", o.serve(o.sameSite(o.login))},
		{post, "/office/logout", o.serve(o.signedIn(o.logout))},
		{get, "/office/account", o.serve(o.signedIn(o.account))},
		{post, "/office/account", o.serve(o.signedIn(o.changePassword))},
	}
}

// sameSite refuses a state-changing request that a browser marks as sent
// from another site (the first lock of csrf.go).
func (o *Office) sameSite(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !isSafe(r.Method) {
			if err := o.signin.xorigin.Check(r); err != nil {
				httpkit.LeaveBodyUnread(w)
				return errForgery()
			}
		}
		return h(w, r)
	}
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// signedIn admits a request with a live session and puts its visit in the
// context; without one it sends the browser to sign in and back. Only the
// session cookie is read: an Authorization header (an API token) never
// opens a page. A POST must also pass both forgery locks (csrf.go); its
// form is read here and left in r.PostForm for the handler.
func (o *Office) signedIn(h handler) handler {
	return o.sameSite(func(w http.ResponseWriter, r *http.Request) error {
		c := o.cookies(r)
		token := c.get(r, sessionCookie)
		var sess *register.Session
		var p *identity.Principal
		var err error = register.Errorf(register.EUnauthorized, "not signed in")
		if token != "" {
			sess, p, err = o.svc.ResumeSession(r.Context(), token)
		}
		if register.ErrorCode(err) == register.EUnauthorized {
			if token != "" {
				c.clear(w, sessionCookie)
			}
			return o.toSignIn(w, r, token != "")
		}
		if err != nil {
			return err
		}
		r = r.WithContext(withVisit(r.Context(), &visit{p: p, sess: sess, token: token}))
		if !isSafe(r.Method) {
			if err := readPosted(w, r); err != nil {
				return err
			}
			if !sameToken(sess.CSRF, r.PostForm.Get("csrf")) {
				return errForgery()
			}
		}
		return h(w, r)
	})
}

// toSignIn answers a request without a live session. A page is fetched
// again after sign-in: GET is sent to the sign-in page with the way back.
// A POST's body is not read: the sign-in page shows at once, saying the
// session ended, and sign-in leads back to the page of the form — every
// form of the back office posts to the path of its own page — where the
// person enters it again; a section form's input is carried through
// sign-in (form_resume.go).
// Signing out without a session is done already.
func (o *Office) toSignIn(w http.ResponseWriter, r *http.Request, ended bool) error {
	next := safeNext(r.URL.RequestURI())
	if r.URL.Path == "/office/logout" {
		httpkit.LeaveBodyUnread(w)
		http.Redirect(w, r, link("/office/login", url.Values{"signedout": {"1"}}, pickLang(r)), http.StatusSeeOther)
		return nil
	}
	if isSafe(r.Method) {
		q := url.Values{"next": {next}}
		if ended {
			q.Set("ended", "1")
		}
		http.Redirect(w, r, link("/office/login", q, pickLang(r)), http.StatusSeeOther)
		return nil
	}
	d := loginData{Next: next, Notice: "login.ended.post"}
	var err error
	if d.Keep, err = o.keepPosted(w, r); err != nil {
		return err
	}
	if d.Keep != nil {
		d.Notice = "login.ended.kept" // a section form: what was typed comes back (form_resume.go)
	} else {
		httpkit.LeaveBodyUnread(w)
	}
	return o.showLogin(w, r, http.StatusUnauthorized, d)
}

// loginData is what the sign-in page shows.
type loginData struct {
	Username string // kept after a failure; the password never is
	Next     string
	Token    string // the sign-in form's token
	Notice   string // a label key: signed out, session ended
	Problem  string // a label key: a whole-form error (wrong password, expired form)
	Wait     int    // minutes to wait, for a throttled sign-in
	Errors   []fieldError
	Keep     []hiddenField // a section form's input, carried through sign-in
	SSO      bool          // sign-in through the identity provider is offered
	Local    bool          // local passwords are accepted
}

// SSOURL is the link that starts a sign-in at the identity provider.
func (d loginData) SSOURL(lang string) string {
	return link("/office/login/sso", url.Values{"next": {d.Next}}, lang)
}

// fieldError is one line of the error summary and the message beside its
// field (GOV.UK pattern); Text is a label key.
type fieldError struct{ Field, Text string }

// Err returns the label key of field's error, "" if none.
func (d loginData) Err(field string) string { return errOf(d.Errors, field) }

func errOf(errs []fieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Text
		}
	}
	return ""
}

// loginPage shows the sign-in form; a browser with a live session goes
// straight where it was going.
func (o *Office) loginPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	next := safeNext(q.Get("next"))
	c := o.cookies(r)
	if token := c.get(r, sessionCookie); token != "" {
		if _, _, err := o.svc.ResumeSession(r.Context(), token); err == nil {
			http.Redirect(w, r, withLang(next, pickLang(r)), http.StatusSeeOther)
			return nil
		}
	}
	d := loginData{Next: next}
	switch {
	case q.Get("signedout") == "1":
		d.Notice = "login.signedout"
	case q.Get("ended") == "1":
		d.Notice = "login.ended"
	}
	return o.showLogin(w, r, http.StatusOK, d)
}

// showLogin renders the sign-in page with its form token, reusing the
// browser's if it has one, so that two open sign-in tabs both work.
func (o *Office) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) error {
	c := o.cookies(r)
	d.SSO, d.Local = o.rp != nil, o.svc.LocalLogin()
	d.Token = c.get(r, loginCookie)
	if !validLoginToken(d.Token) {
		d.Token = newLoginToken()
		c.set(w, loginCookie, d.Token)
	}
	v := o.newView(r)
	v.SwitchURL = link("/office/login", url.Values{"next": {d.Next}}, v.Other) // after a POST too
	v.Title = v.T("login.title")
	if d.Problem != "" || d.Errors != nil {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	v.Data = d
	return o.render(w, status, "login", v)
}

// login checks a username and password and opens a session. The login
// guard is the API's (httpkit.LoginGuard): an address over its limit is
// refused before the body is read; failures count per account and address,
// per address and per account, whichever door they came through.
func (o *Office) login(w http.ResponseWriter, r *http.Request) error {
	attempt, err := o.signin.guard.Admit(w, r, httpkit.ClientAddr(r, o.cfg.TrustedProxies), o.log)
	if err != nil {
		return o.loginRefused(w, r, loginData{Next: safeNext(r.URL.Query().Get("next"))}, err)
	}
	if err := readPosted(w, r); err != nil {
		return err
	}
	f := r.PostForm
	d := loginData{Username: f.Get("username"), Next: safeNext(f.Get("next"))}
	if _, spec, ok := o.sectionOfPath(strings.SplitN(d.Next, "?", 2)[0]); ok {
		d.Keep = kept(spec, f, true)
	}
	c := o.cookies(r)
	if !sameToken(c.get(r, loginCookie), f.Get("csrf")) {
		// The second lock: no cookie-bound token, no sign-in. A person
		// whose sign-in page was left open for days gets a fresh one.
		d.Problem = "login.error.token"
		return o.showLogin(w, r, http.StatusForbidden, d)
	}
	password := f.Get("password")
	if d.Username == "" {
		d.Errors = append(d.Errors, fieldError{"username", "login.error.username"})
	}
	if password == "" {
		d.Errors = append(d.Errors, fieldError{"password", "login.error.password"})
	}
	if d.Errors != nil {
		return o.showLogin(w, r, http.StatusUnprocessableEntity, d)
	}
	var token string
	var sess *register.Session
	var who *identity.Principal
	err = attempt.Check(r.Context(), d.Username, func(ctx context.Context) error {
		var err error
		token, sess, who, err = o.svc.OpenSession(ctx, d.Username, password)
		return err
	})
	switch register.ErrorCode(err) {
	case "":
	case register.EUnauthorized:
		d.Problem = "login.error.wrong"
		if register.IsDisabled(err) {
			d.Problem = "login.error.disabled"
		}
		return o.showLogin(w, r, http.StatusUnauthorized, d)
	case register.EForbidden:
		d.Problem = "login.error.local.off"
		return o.showLogin(w, r, http.StatusForbidden, d)
	default:
		return o.loginRefused(w, r, d, err)
	}
	// Signing in again ends the session the browser had, if any.
	if old := c.get(r, sessionCookie); old != "" {
		if err := o.svc.CloseSession(r.Context(), old); err != nil {
			return err
		}
	}
	// A new session, a new secret: nothing set before sign-in (a planted
	// cookie) survives it.
	c.set(w, sessionCookie, token)
	c.clear(w, loginCookie)
	if done, err := o.resumeSection(w, r, d.Next, d.Keep, sess, who, token); done {
		return err
	}
	http.Redirect(w, r, withLang(d.Next, pickLang(r)), http.StatusSeeOther)
	return nil
}

// loginRefused answers a sign-in the login guard refused: too many
// failures (429) is the sign-in page saying how long to wait, with
// Retry-After; anything else is an error page.
func (o *Office) loginRefused(w http.ResponseWriter, r *http.Request, d loginData, err error) error {
	p := httpkit.ProblemFor(err)
	if p.Status != http.StatusTooManyRequests {
		return err
	}
	w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	d.Problem, d.Wait = "login.error.throttled", max(1, (p.RetryAfter+59)/60)
	return o.showLogin(w, r, http.StatusTooManyRequests, d)
}

// withLang adds the language to a local path (safeNext's output).
func withLang(path, lang string) string {
	u, err := url.Parse(path)
	if err != nil {
		return "/office/?lang=" + lang
	}
	q := u.Query()
	q.Del("lang")
	return link(u.EscapedPath(), q, lang)
}

// logout ends the session on every instance and forgets the cookie. No
// Clear-Site-Data: "cookies" would clear every cookie of the registrable
// domain, other services' too; the session is ended server-side anyway.
func (o *Office) logout(w http.ResponseWriter, r *http.Request) error {
	vi := visitOf(r)
	if err := o.svc.CloseSession(r.Context(), vi.token); err != nil {
		return err
	}
	o.cookies(r).clear(w, sessionCookie)
	http.Redirect(w, r, link("/office/login", url.Values{"signedout": {"1"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

// accountData is what the account page shows.
type accountData struct {
	P       *identity.Principal
	Done    bool // the password was just changed
	Problem string
	Wait    int // minutes to wait, for a throttled change
	Errors  []fieldError
	Local   bool // a local account (its password is kept here)
	// Reminders is the reminders section (reminders.go).
	Reminders *remindersData
}

// Fields are the password form's fields, in order.
func (accountData) Fields() []string {
	return []string{"current_password", "new_password", "confirm_password"}
}

// Err returns the label key of field's error, "" if none.
func (d accountData) Err(field string) string { return errOf(d.Errors, field) }

// account shows who is signed in and the form to change one's password.
func (o *Office) account(w http.ResponseWriter, r *http.Request) error {
	d := accountData{P: principal(r), Done: r.URL.Query().Get("done") == "password", Local: true}
	return o.showAccount(w, r, http.StatusOK, d)
}

func (o *Office) showAccount(w http.ResponseWriter, r *http.Request, status int, d accountData) error {
	v := o.newView(r)
	v.SwitchURL = link("/office/account", nil, v.Other) // after a POST too
	v.Nav = "account"
	v.Title = v.T("account.title")
	if d.Errors != nil || d.Problem != "" {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	if d.Done {
		v.Flash = v.T("account.done")
	}
	if r.URL.Query().Get("done") == "reminders" {
		v.Flash = v.T("rem.done")
	}
	if d.Reminders == nil {
		rd, err := o.remindersOf(r)
		if err != nil {
			return err
		}
		d.Reminders = rd
	}
	v.Data = d
	return o.render(w, status, "account", v)
}

// changePassword changes the signed-in person's own password; the other
// sessions of the account end, this one stays (POST/redirect/GET).
func (o *Office) changePassword(w http.ResponseWriter, r *http.Request) error {
	vi := visitOf(r)
	f := r.PostForm
	cur, next, confirm := f.Get("current_password"), f.Get("new_password"), f.Get("confirm_password")
	d := accountData{P: vi.p, Local: true}
	if cur == "" {
		d.Errors = append(d.Errors, fieldError{"current_password", "account.error.current.empty"})
	}
	if next == "" {
		d.Errors = append(d.Errors, fieldError{"new_password", "account.error.new.empty"})
	} else if confirm != next {
		d.Errors = append(d.Errors, fieldError{"confirm_password", "account.error.confirm"})
	}
	if d.Errors != nil {
		return o.showAccount(w, r, http.StatusUnprocessableEntity, d)
	}
	// A wrong current password is a failed sign-in to the login guard:
	// a borrowed session guesses no faster here than at the sign-in form.
	// (The form is read already: it is bounded, and signedIn needed its
	// token.)
	attempt, err := o.signin.guard.Admit(w, r, httpkit.ClientAddr(r, o.cfg.TrustedProxies), o.log)
	if err == nil {
		err = attempt.Check(r.Context(), vi.p.Subject, func(ctx context.Context) error {
			return o.svc.ChangePassword(ctx, vi.p, cur, next, vi.token)
		})
	}
	var re *register.Error
	switch p := httpkit.ProblemFor(err); {
	case err == nil:
		http.Redirect(w, r, link("/office/account", url.Values{"done": {"password"}}, pickLang(r)), http.StatusSeeOther)
		return nil
	case register.ErrorCode(err) == register.EInvalid && errors.As(err, &re):
		for _, fe := range re.Fields {
			switch fe.Field {
			case "current_password":
				d.Errors = append(d.Errors, fieldError{fe.Field, "account.error.current"})
			case "new_password":
				d.Errors = append(d.Errors, fieldError{fe.Field, newPasswordError(fe.Message)})
			}
		}
		if d.Errors == nil {
			return err
		}
		return o.showAccount(w, r, http.StatusUnprocessableEntity, d)
	case register.ErrorCode(err) == register.EForbidden:
		d.Local = false
		return o.showAccount(w, r, http.StatusForbidden, d)
	case p.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
		d.Problem, d.Wait = "login.error.throttled", max(1, (p.RetryAfter+59)/60)
		return o.showAccount(w, r, http.StatusTooManyRequests, d)
	}
	return err
}

// newPasswordError turns the password policy's reason (auth.PasswordProblem,
// in English) into a label key.
func newPasswordError(reason string) string {
	switch {
	case strings.HasPrefix(reason, "must differ"):
		return "account.error.new.same"
	case strings.HasPrefix(reason, "must be at least"):
		return "account.error.new.short"
	case strings.HasPrefix(reason, "must be at most"):
		return "account.error.new.long"
	}
	return "account.error.new.weak"
}

// sessionLabels are the words of sign-in and the account page.
func sessionLabels() map[string]text {
	min := strconv.Itoa(auth.MinPasswordLength)
	return map[string]text{
		"form.error.summary":          {"Il y a un problème", "There is a problem"},
		"form.error.word":             {"Erreur\u00a0:", "Error:"},
		"form.error.prefix":           {"Erreur\u00a0: ", "Error: "},
		"login.title":                 {"Se connecter", "Sign in"},
		"login.username":              {"Nom d’utilisateur", "Username"},
		"login.password":              {"Mot de passe", "Password"},
		"login.submit":                {"Se connecter", "Sign in"},
		"login.hint":                  {"Votre compte est créé par l’administrateur du registre. Mot de passe oublié\u00a0: demandez-lui d’en fixer un nouveau.", "Your account is created by the register's administrator. Forgotten password: ask them to set a new one."},
		"login.signedout":             {"Vous êtes déconnecté·e.", "You are signed out."},
		"login.ended":                 {"Votre session a pris fin. Connectez-vous pour revenir à la page que vous consultiez.", "Your session has ended. Sign in to go back to the page you were on."},
		"login.ended.kept":            {"Votre session a pris fin avant l’envoi du formulaire : il n’a pas été enregistré, mais votre saisie est conservée. Connectez-vous pour la retrouver, la vérifier et l’enregistrer.", "Your session ended before the form was sent: it was not saved, but your input is kept. Sign in to get it back, check it and save it."},
		"login.ended.post":            {"Votre session a pris fin avant l’envoi du formulaire\u00a0: il n’a pas été enregistré. Connectez-vous pour revenir au formulaire et l’envoyer à nouveau.", "Your session ended before the form was sent: it was not saved. Sign in to go back to the form and send it again."},
		"login.error.username":        {"Saisissez votre nom d’utilisateur", "Enter your username"},
		"login.error.password":        {"Saisissez votre mot de passe", "Enter your password"},
		"login.error.wrong":           {"Nom d’utilisateur ou mot de passe incorrect", "Wrong username or password"},
		"login.error.throttled":       {"Trop de tentatives de connexion échouées. Réessayez dans %d min.", "Too many failed sign-ins. Try again in %d min."},
		"login.error.token":           {"Le formulaire de connexion a expiré. Saisissez à nouveau votre mot de passe.", "The sign-in form has expired. Enter your password again."},
		"account.title":               {"Mon compte", "My account"},
		"account.username":            {"Nom d’utilisateur", "Username"},
		"account.role":                {"Rôle", "Role"},
		"account.org":                 {"Organisation", "Organisation"},
		"account.org.none":            {"Toutes (administrateur·rice)", "All (administrator)"},
		"account.units":               {"Unités", "Units"},
		"account.units.all":           {"Toutes les unités de l’organisation", "Every unit of the organisation"},
		"account.password.title":      {"Changer mon mot de passe", "Change my password"},
		"account.password.hint":       {"Au moins " + min + " caractères, sans votre nom d’utilisateur, ni mot de passe courant ni suite du clavier. Vos autres sessions prendront fin.", "At least " + min + " characters, not containing your username, neither a common password nor a run of the keyboard. Your other sessions will end."},
		"account.password.external":   {"Votre compte vient d’un fournisseur d’identité externe\u00a0: changez votre mot de passe chez lui.", "Your account comes from an external identity provider: change your password there."},
		"account.password.submit":     {"Changer le mot de passe", "Change password"},
		"account.current_password":    {"Mot de passe actuel", "Current password"},
		"account.new_password":        {"Nouveau mot de passe", "New password"},
		"account.confirm_password":    {"Confirmez le nouveau mot de passe", "Confirm the new password"},
		"account.done":                {"Votre mot de passe est changé. Vos autres sessions ont pris fin.", "Your password has been changed. Your other sessions have ended."},
		"account.error.current.empty": {"Saisissez votre mot de passe actuel", "Enter your current password"},
		"account.error.current":       {"Le mot de passe actuel est incorrect", "The current password is wrong"},
		"account.error.new.empty":     {"Saisissez un nouveau mot de passe", "Enter a new password"},
		"account.error.new.same":      {"Le nouveau mot de passe doit différer de l’actuel", "The new password must differ from the current one"},
		"account.error.new.short":     {"Le nouveau mot de passe doit compter au moins " + min + " caractères", "The new password must be at least " + min + " characters long"},
		"account.error.new.long":      {"Le nouveau mot de passe est trop long", "The new password is too long"},
		"account.error.new.weak":      {"Choisissez un mot de passe plus difficile à deviner\u00a0: pas votre nom d’utilisateur, ni un mot de passe courant, ni une suite du clavier", "Choose a password harder to guess: not your username, a common password or a run of the keyboard"},
		"account.error.confirm":       {"Les deux nouveaux mots de passe ne sont pas identiques", "The two new passwords do not match"},
	}
}
