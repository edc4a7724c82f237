package publicsite

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// An ended processing has left the public register, but its address keeps
// a trace (issue 20): the JSON answers 410 Gone with the ending's public
// facts only, the page says when and why it ended (HTML, 410 too), and the
// lists show endings only when asked (?include=ended).

// writeGone answers a processing that ended: 410 with
// {"id","organisation","title","ended_on","reason"}, for its JSON, its
// JSON-LD and its notice PDF alike: one answer for one fact, which a
// program reads and a browser shows as text; the page (linked) is for
// people.
func (s *Site) writeGone(w http.ResponseWriter, r *http.Request, e *register.Ending) error {
	body, err := jsonBytes(e)
	if err != nil {
		return err
	}
	publicHeaders(w)
	// Whoever followed a link to the record or its notice finds the page
	// that says the same in words.
	w.Header().Set("Link", "</processings/"+url.PathEscape(e.ProcessingID)+`>; rel="alternate"; type="text/html"`)
	return s.pub.writeBody(w, r, http.StatusGone, "application/json", body)
}

// gone turns a publication's "not found" into the ending's answer when the
// processing ended; it reports whether it answered.
func (s *Site) gone(w http.ResponseWriter, r *http.Request, err error) (bool, error) {
	if register.ErrorCode(err) != register.ENotFound {
		return false, err
	}
	e, gerr := s.svc.PublicEnding(r.Context(), r.PathValue("id"))
	if gerr != nil {
		return false, err // never ended: the publication's 404 stands
	}
	return true, s.writeGone(w, r, e)
}

// endedData is what the page of an ended processing shows.
type endedData struct {
	E       *register.Ending
	OrgName string
	OrgURL  string // "" when the organisation has nothing public left
}

// endedPage is the page of a processing that ended; notFound stands when it
// never did.
func (s *Site) endedPage(r *http.Request, v *view, notFound error) (string, error) {
	e, err := s.svc.PublicEnding(r.Context(), r.PathValue("id"))
	if err != nil {
		return "", notFound
	}
	d := endedData{E: e, OrgName: e.Organisation}
	orgs, _, err := s.publicOrgs(r)
	if err != nil {
		return "", err
	}
	if org := findOrg(orgs, e.Organisation); org != nil {
		d.OrgName, d.OrgURL = org.Name, v.URL("/organisations/"+org.Slug)
	}
	v.status = http.StatusGone
	v.Title, v.Data = e.Title, d
	v.FeedURL = "/public/v1/feed.atom?org=" + url.QueryEscape(e.Organisation) + "&lang=" + v.Lang
	return "ended", nil
}

// includeEnded reads ?include=: "ended" adds the endings to a list; strict
// (the JSON API) refuses any other value.
func includeEnded(q url.Values, strict bool) (bool, error) {
	switch v := q.Get("include"); v {
	case "":
		return false, nil
	case "ended":
		return true, nil
	default:
		if strict {
			return false, httpkit.BadRequest("a query parameter has a wrong value",
				register.FieldError{Field: "include", Message: "must be ended"})
		}
		return false, nil
	}
}

// reviewsPageLabels are the words of the ended and planned processings on
// the public pages and in the feed.
func reviewsPageLabels() map[string]text {
	return map[string]text{
		"ended.title":        {"Traitement terminé", "Processing ended"},
		"ended.text":         {"Ce traitement a pris fin le %s. Il ne figure plus dans le registre public.", "This processing ended on %s. It is no longer in the public register."},
		"ended.reason":       {"Motif", "Reason"},
		"ended.organisation": {"Organisation", "Organisation"},
		"ended.list":         {"Traitements terminés", "Processings that ended"},
		"ended.list.show":    {"Afficher aussi les traitements terminés", "Also show the processings that ended"},
		"ended.on":           {"terminé le %s", "ended on %s"},
		"feed.ended":         {"Terminé le %s : %s", "Ended on %s: %s"},
		"planned.tag":        {"Prévu", "Planned"},
		"planned.text":       {"Ce traitement est annoncé avant sa mise en œuvre : il commencera le %s.", "This processing is announced before it starts: it will begin on %s."},
		"planned.since":      {"En vigueur depuis le %s", "In operation since %s"},
		"planned.starts":     {"commence le %s", "starts on %s"},
	}
}

// Tf prints a label with arguments ("%s").
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(v.T(key), args...) }
