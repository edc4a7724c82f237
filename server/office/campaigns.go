package office

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// Review campaigns in the back office (issue 20, docs/reviews.md): the
// list of an organisation's campaigns with the form that opens one (DPO),
// and a campaign's page: progress per unit, its tasks with "still accurate"
// and "needs changes" for whoever may take them, and the form that closes
// it. Every form posts and redirects (303) with a fixed flag.

func (o *Office) campaignRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/campaigns", in(o.campaignsPage)},
		{post, "/office/campaigns", in(o.openCampaign)},
		{get, "/office/campaigns/{id}", in(o.campaignPage)},
		{post, "/office/campaigns/{id}/close", in(o.closeCampaign)},
		{post, "/office/campaigns/{id}/tasks/{processing}/{outcome}", in(o.takeTask)},
	}
}

// mayRunCampaigns tells who may open and close campaigns.
func mayRunCampaigns(p *identity.Principal) bool {
	return p != nil && (p.Role == identity.RoleDPO || p.Role == identity.RoleAdmin)
}

type campaignsData struct {
	Org       string
	Campaigns []register.Campaign
	Units     []register.Unit
	May       bool
	Form      campaignForm
	Errors    []fieldError
	Problem   string // the error summary partial reads it
	Wait      int
}

type campaignForm struct {
	Title, DueOn string
	Units        []string
}

// Err returns the label key of field's error, "" if none.
func (d campaignsData) Err(field string) string { return errOf(d.Errors, field) }

// Chosen tells whether unit is ticked in the form.
func (f campaignForm) Chosen(unit string) bool { return slices.Contains(f.Units, unit) }

func (o *Office) campaignsPage(w http.ResponseWriter, r *http.Request) error {
	return o.showCampaigns(w, r, http.StatusOK, campaignForm{}, nil)
}

func (o *Office) showCampaigns(w http.ResponseWriter, r *http.Request, status int, form campaignForm, errs []fieldError) error {
	ctx := r.Context()
	p := principal(r)
	v := o.newView(r)
	d := campaignsData{Org: p.Org, May: mayRunCampaigns(p) && p.Org != "", Form: form, Errors: errs}
	if p.Org != "" {
		var err error
		if d.Campaigns, err = o.svc.Campaigns(ctx, p, p.Org); err != nil {
			return err
		}
		if d.Units, err = o.svc.ListUnits(ctx, p, p.Org); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = v.T("camp.title"), "campaigns", d
	if len(errs) > 0 {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	return o.render(w, status, "campaigns", v)
}

func (o *Office) openCampaign(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	f := campaignForm{Title: r.PostForm.Get("title"), DueOn: r.PostForm.Get("due_on"), Units: r.PostForm["units"]}
	c, err := o.svc.OpenCampaign(r.Context(), p, p.Org, register.CampaignInput{Title: f.Title, DueOn: f.DueOn, Units: f.Units})
	if re, ok := register.AsError(err); ok && re.Code == register.EInvalid {
		var errs []fieldError
		for _, fe := range re.Fields {
			switch fe.Field {
			case "title", "due_on":
				errs = append(errs, fieldError{fe.Field, "camp.error." + fe.Field})
			default:
				errs = append(errs, fieldError{"units", "camp.error.units"})
			}
		}
		return o.showCampaigns(w, r, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/campaigns/"+c.ID, url.Values{"done": {"opened"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

type campaignData struct {
	C     *register.CampaignProgress
	Tasks []reviewTaskView
	May   bool // may close it
	Done  string
}

type reviewTaskView struct {
	register.ReviewTask
	May bool // the reader may confirm it or ask for changes
}

func (o *Office) campaignPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	c, err := o.svc.CampaignProgress(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := o.newView(r)
	d := campaignData{C: c, May: mayRunCampaigns(p) && !c.Closed}
	switch done := v.query.Get("done"); done {
	case "opened", "confirmed", "changes", "closed":
		d.Done = "camp.done." + done
	}
	for _, t := range c.Tasks {
		may := !c.Closed && t.Outcome == register.TaskOpen && p.Role != identity.RoleAuditor &&
			(p.Role != identity.RoleEditor || p.HasUnit(t.Unit))
		d.Tasks = append(d.Tasks, reviewTaskView{ReviewTask: t, May: may})
	}
	v.Title, v.Nav, v.Data = c.Title+" — "+v.T("camp.title"), "campaigns", d
	return o.render(w, http.StatusOK, "campaign", v)
}

func (o *Office) closeCampaign(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := o.svc.CloseCampaign(r.Context(), principal(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/campaigns/"+id, url.Values{"done": {"closed"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

// takeTask confirms a task ("confirmed": back to the campaign) or asks for
// changes ("changes": to the draft's sections, to write them).
func (o *Office) takeTask(w http.ResponseWriter, r *http.Request) error {
	id, pid := r.PathValue("id"), r.PathValue("processing")
	var err error
	to := link("/office/campaigns/"+id, url.Values{"done": {"confirmed"}}, pickLang(r))
	if r.PostForm.Get("from") == "tasks" { // taken on "my review tasks": back there
		to = link("/office/tasks", url.Values{"done": {"confirmed"}}, pickLang(r))
	}
	switch r.PathValue("outcome") {
	case "confirm":
		_, err = o.svc.ConfirmReview(r.Context(), principal(r), id, pid)
	case "changes":
		_, err = o.svc.RequestChanges(r.Context(), principal(r), id, pid)
		to = link("/office/processings/"+pid+"/edit", nil, pickLang(r))
	default:
		return register.Errorf(register.ENotFound, "page not found")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
