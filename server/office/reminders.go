package office

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// Reminders in the back office (issue 20, docs/reviews.md "Reminders"):
// on the account page, the person's choice of digests (opt-out, language)
// and their private feed, whose secret URL they rotate; the feed itself at
// /office/feed/{token}, without a session (feed readers cannot sign in).
// Only the secret's hash is stored: the URL is shown once, when made.

func (o *Office) reminderRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{post, "/office/account/reminders", in(o.setReminders)},
		{post, "/office/account/feed", in(o.rotateFeed)},
		{get, "/office/feed/{token}", http.HandlerFunc(o.feed)},
		{get, "/office/reminders", in(o.reminderSettingsPage)},
		{post, "/office/reminders", in(o.setReminderSettings)},
	}
}

// remindersData is the account page's reminders section.
type remindersData struct {
	Org     *register.ReminderSettings // nil without an organisation
	Prefs   *register.ReminderPrefs
	HasFeed bool
	FeedURL string // only right after a rotation
}

func (o *Office) remindersOf(r *http.Request) (*remindersData, error) {
	prefs, err := o.svc.MyReminderPrefs(r.Context(), principal(r))
	if err != nil {
		return nil, err
	}
	d := &remindersData{Prefs: prefs, HasFeed: prefs.FeedHash != ""}
	if p := principal(r); p.Org != "" {
		if d.Org, err = o.svc.ReminderSettings(r.Context(), p, p.Org); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// reminderSettingsData is the organisation's reminder settings page.
type reminderSettingsData struct {
	Settings *register.ReminderSettings
	May      bool // a DPO or an administrator of the organisation
	Hours    []int
}

// reminderSettingsPage shows when the organisation's digests go out and,
// to its DPO, the form that changes it.
func (o *Office) reminderSettingsPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if p.Org == "" {
		return register.Errorf(register.ENotFound, "no organisation")
	}
	rs, err := o.svc.ReminderSettings(r.Context(), p, p.Org)
	if err != nil {
		return err
	}
	v := o.newView(r)
	v.Title, v.Nav = v.T("rem.org.title"), "account"
	if r.URL.Query().Get("done") == "settings" {
		v.Flash = v.T("rem.org.done")
	}
	hours := make([]int, 24)
	for i := range hours {
		hours[i] = i
	}
	v.Data = reminderSettingsData{Settings: rs, May: mayRunCampaigns(p), Hours: hours}
	return o.render(w, http.StatusOK, "reminders", v)
}

// setReminderSettings changes when the organisation's digests go out
// (POST/redirect/GET). The form offers only valid choices; anything else
// is the domain's 422.
func (o *Office) setReminderSettings(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	hour, err := strconv.Atoi(r.PostForm.Get("hour"))
	if err != nil {
		hour = -1
	}
	if _, err := o.svc.SetReminderSettings(r.Context(), p, register.ReminderSettings{Organisation: p.Org,
		Frequency: r.PostForm.Get("frequency"), Hour: hour}); err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/reminders", url.Values{"done": {"settings"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

// setReminders sets the person's opt-out and language (POST/redirect/GET).
func (o *Office) setReminders(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	lang := f.Get("reminder_lang")
	if lang != "en" {
		lang = "fr"
	}
	if _, err := o.svc.SetMyReminderPrefs(r.Context(), principal(r), f.Get("opt_out") == "on", lang); err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/account", url.Values{"done": {"reminders"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

// rotateFeed makes a new secret for the person's feed and shows its URL,
// once: the old URL answers 404 from now on. The page is the answer to
// the POST (the secret is kept nowhere to redirect to); it is not cached.
func (o *Office) rotateFeed(w http.ResponseWriter, r *http.Request) error {
	token, err := o.svc.RotateFeedToken(r.Context(), principal(r))
	if err != nil {
		return err
	}
	rd, err := o.remindersOf(r)
	if err != nil {
		return err
	}
	rd.FeedURL = strings.TrimRight(o.cfg.PublicURL, "/") + "/office/feed/" + token
	d := accountData{P: principal(r), Local: true, Reminders: rd}
	return o.showAccount(w, r, http.StatusOK, d)
}

// Atom, as much as a feed reader needs.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// feed answers the private feed of the person whose secret token is: the
// items of their digest, newest first. Unknown or rotated: 404.
func (o *Office) feed(w http.ResponseWriter, r *http.Request) {
	d, err := o.svc.FeedDigest(r.Context(), r.PathValue("token"))
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		p := httpkit.ProblemFor(err)
		http.Error(w, http.StatusText(p.Status), p.Status)
		return
	}
	words := o.labels
	t := func(key string) string {
		if d.Lang == "en" {
			return words[key].en
		}
		return words[key].fr
	}
	base := strings.TrimRight(o.cfg.PublicURL, "/")
	f := atomFeed{Lang: d.Lang, ID: "urn:registre:feed:" + register.FeedHash(r.PathValue("token"))[:32], Title: t("rem.feed.title") + " — " + d.Username,
		Author: atomAuthor{Name: "Registre"}}
	latest := time.Time{}
	for _, it := range d.Items {
		href := base + "/office/processings/" + it.ProcessingID
		summary := it.Unit
		switch it.Kind {
		case register.ItemTask:
			href = base + "/office/campaigns/" + it.CampaignID
			summary = it.Campaign + " — " + t("rem.due") + " " + it.DueOn + " (" + it.Unit + ")"
		case register.ItemReturned:
			if it.Comment != "" {
				summary = it.Unit + " — " + it.Comment
			}
		}
		f.Entries = append(f.Entries, atomEntry{ID: "urn:registre:" + it.Kind + ":" + it.CampaignID + ":" + it.ProcessingID,
			Title: t("rem.kind."+it.Kind) + " " + it.Title, Updated: it.Updated.UTC().Format(time.RFC3339), Link: atomLink{Href: href}, Summary: summary})
		if it.Updated.After(latest) {
			latest = it.Updated
		}
	}
	if latest.IsZero() {
		latest = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f.Updated = latest.UTC().Format(time.RFC3339)
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	// Private: no shared cache keeps it, no page it links to learns its URL.
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	_ = httpkit.WriteRaw(w, http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), b...))
}

func reminderLabels() map[string]text {
	return map[string]text{
		"rem.title":                       {"Rappels", "Reminders"},
		"rem.hint":                        {"Un résumé par courriel de ce qui vous attend (traitements à revoir, brouillons renvoyés, revues en attente), selon la fréquence choisie par votre organisation. Rien n’est envoyé quand rien ne vous attend.", "An e-mail digest of what waits for you (processings to review, drafts returned, reviews waiting), as often as your organisation chose. Nothing is sent when nothing waits."},
		"rem.optout":                      {"Ne plus recevoir de rappels par courriel", "Stop the e-mail reminders"},
		"rem.lang":                        {"Langue des rappels", "Language of the reminders"},
		"rem.save":                        {"Enregistrer mes rappels", "Save my reminders"},
		"rem.done":                        {"Vos rappels sont enregistrés.", "Your reminders are saved."},
		"rem.feed":                        {"Flux privé", "Private feed"},
		"rem.feed.hint":                   {"Les mêmes éléments dans votre lecteur de flux (Atom), à une adresse secrète : qui la connaît lit vos éléments sans se connecter. Une nouvelle adresse rend l’ancienne inutilisable.", "The same items in your feed reader (Atom), at a secret address: whoever knows it reads your items without signing in. A new address makes the old one unusable."},
		"rem.feed.on":                     {"Vous avez une adresse de flux. Elle n’est montrée qu’une fois ; si vous l’avez perdue, créez-en une nouvelle.", "You have a feed address. It is shown only once; if you lost it, make a new one."},
		"rem.feed.new":                    {"Votre nouvelle adresse de flux (copiez-la maintenant, elle ne sera plus affichée) :", "Your new feed address (copy it now, it will not be shown again):"},
		"rem.feed.rotate":                 {"Créer une nouvelle adresse de flux", "Make a new feed address"},
		"rem.feed.title":                  {"Registre : ce qui vous attend", "Registre: what waits for you"},
		"rem.due":                         {"échéance", "due"},
		"rem.kind.task":                   {"À revoir :", "To review:"},
		"rem.kind.returned":               {"Renvoyé :", "Returned:"},
		"rem.kind.to-review":              {"En attente de revue :", "Waiting for review:"},
		"rem.lang.fr":                     {"Français", "French"},
		"rem.lang.en":                     {"Anglais", "English"},
		"rem.org":                         {"Votre organisation envoie les résumés :", "Your organisation sends the digests:"},
		"rem.org.daily":                   {"chaque jour à %d h (heure de Genève)", "every day at %d:00 (Geneva time)"},
		"rem.org.weekly":                  {"chaque lundi à %d h (heure de Genève)", "every Monday at %d:00 (Geneva time)"},
		"rem.org.link":                    {"Quand les résumés sont envoyés", "When the digests are sent"},
		"rem.org.title":                   {"Envoi des rappels", "Sending the reminders"},
		"rem.org.intro":                   {"Chaque personne de l’organisation qui a une adresse électronique et ne s’est pas désabonnée reçoit au plus un résumé par période, s’il y a quelque chose qui l’attend.", "Everyone in the organisation with an e-mail address who has not opted out gets at most one digest per period, when something waits for them."},
		"rem.org.frequency":               {"Fréquence", "Frequency"},
		"rem.org.f.daily":                 {"Chaque jour", "Every day"},
		"rem.org.f.weekly":                {"Chaque semaine (le lundi)", "Every week (on Mondays)"},
		"rem.org.hour":                    {"Heure d’envoi (heure de Genève)", "Hour of sending (Geneva time)"},
		"rem.org.save":                    {"Enregistrer l’envoi des rappels", "Save the sending of reminders"},
		"rem.org.done":                    {"L’envoi des rappels est enregistré.", "The sending of reminders is saved."},
		"rem.org.consequence":             {"Le changement vaut dès la prochaine période et figure dans le journal d’audit.", "The change applies from the next period and is in the audit trail."},
		"audit.action.reminders.settings": {"envoi des rappels modifié", "reminder sending changed"},
	}
}
