package office

import (
	"net/http"
	"net/url"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// Models shared between administrations (register/models.go):
//
//	GET/POST /office/processings/{id}/model   a DPO shares a published processing as a model, or stops
//	GET      /office/models                   every model, with a form to start a draft from each
//	POST     /office/models/{id}/start        a new draft of the reader's organisation, then its task list
//
// What a draft takes of a model is decided by the domain, from the model's
// public shape: the pages show that shape, never the record.

func (o *Office) modelRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/processings/{id}/model", in(o.modelMarkPage)},
		{post, "/office/processings/{id}/model", in(o.modelMark)},
		{get, "/office/models", in(o.modelsPage)},
		{post, "/office/models/{id}/start", in(o.modelStart)},
	}
}

// mayStartFromModel tells who is offered the models: who may write.
func mayStartFromModel(p *identity.Principal) bool {
	return p != nil && (p.Role == identity.RoleEditor || p.Role == identity.RoleDPO || p.Role == identity.RoleAdmin)
}

// MayModels tells the layout whether to offer the models.
func (v *view) MayModels() bool { return mayStartFromModel(v.Who) && v.Who.Org != "" }

// ModelLink is the record page's link to share it as a model: for the
// organisation's DPO (or an administrator), on a published record.
func (v *view) ModelLink(p *register.Processing) string {
	if v.Who == nil || p == nil || p.PublishedVersion == 0 || p.Status == register.StatusArchived {
		return ""
	}
	if v.Who.Role != identity.RoleAdmin && (v.Who.Role != identity.RoleDPO || v.Who.Org != p.Organisation) {
		return ""
	}
	return v.URL("/office/processings/" + p.ID + "/model")
}

type modelMarkData struct {
	P       *register.Processing
	IsModel bool
	Done    string // "on" or "off" after the change
}

func (o *Office) modelMarkPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := o.newView(r)
	if v.ModelLink(p) == "" {
		return register.Errorf(register.EForbidden, "only the organisation's DPO shares a published processing as a model")
	}
	is, err := o.svc.IsModel(ctx, principal(r), p.ID)
	if err != nil {
		return err
	}
	d := &modelMarkData{P: p, IsModel: is}
	if done := r.URL.Query().Get("done"); (done == "on" && is) || (done == "off" && !is) {
		d.Done = done
	}
	v.Title, v.Nav, v.Data = v.T("model.mark.title"), "register", d
	return o.render(w, http.StatusOK, "modelmark", v)
}

func (o *Office) modelMark(w http.ResponseWriter, r *http.Request) error {
	on := r.PostForm.Get("do") == "on"
	if err := o.svc.SetModel(r.Context(), principal(r), r.PathValue("id"), on); err != nil {
		return err
	}
	done := "off"
	if on {
		done = "on"
	}
	http.Redirect(w, r, link("/office/processings/"+r.PathValue("id")+"/model", url.Values{"done": {done}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

type modelsData struct {
	Models []register.Model
	Units  []option
	Names  map[string]string // organisation slug → name
}

func (o *Office) modelsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	if !mayStartFromModel(p) || p.Org == "" {
		return register.Errorf(register.EForbidden, "models are for editors and DPOs of an organisation")
	}
	models, err := o.svc.ListModels(ctx, p)
	if err != nil {
		return err
	}
	units, err := o.svc.ListUnits(ctx, p, p.Org)
	if err != nil {
		return err
	}
	orgs, err := o.svc.ListOrganisations(ctx, p)
	if err != nil {
		return err
	}
	d := &modelsData{Models: models, Names: map[string]string{}}
	for _, x := range orgs {
		d.Names[x.Slug] = x.Name
	}
	for _, u := range units {
		if p.Role != identity.RoleEditor || p.HasUnit(u.Slug) {
			d.Units = append(d.Units, option{Value: u.Slug, Label: u.Name, Selected: len(d.Units) == 0})
		}
	}
	v := o.newView(r)
	v.Title, v.Nav, v.Data = v.T("models.title"), "models", d
	return o.render(w, http.StatusOK, "models", v)
}

func (o *Office) modelStart(w http.ResponseWriter, r *http.Request) error {
	pr, err := o.svc.StartFromModel(r.Context(), principal(r), "", r.PathValue("id"), r.PostForm.Get("unit"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, link("/office/processings/"+pr.ID+"/edit", nil, pickLang(r)), http.StatusSeeOther)
	return nil
}

// modelLabels are the models' words.
func modelLabels() map[string]text {
	return map[string]text{
		"nav.models":           {"Modèles", "Models"},
		"models.title":         {"Modèles partagés entre administrations", "Models shared between administrations"},
		"models.lead":          {"Partez du travail d’une autre administration : seuls les champs publics du modèle, tels que publiés, sont repris dans votre brouillon. Vous complétez ensuite le responsable, la sécurité et ce qui est propre à votre organisation.", "Start from another administration’s work: only the model’s public fields, as published, are taken into your draft. You then complete the controller, the security and what is your organisation’s own."},
		"models.none":          {"Aucun modèle n’est partagé pour le moment.", "No model is shared yet."},
		"models.from":          {"Partagé par %s", "Shared by %s"},
		"models.unit":          {"Unité du nouveau brouillon", "Unit of the new draft"},
		"models.start":         {"Créer un brouillon à partir de ce modèle", "Start a draft from this model"},
		"models.start.effect":  {"Un brouillon est créé dans votre organisation ; son historique dira de quel modèle il vient.", "A draft is created in your organisation; its history will say which model it comes from."},
		"models.nounit":        {"Vous n’avez aucune unité où écrire.", "You have no unit to write in."},
		"model.mark.title":     {"Partager comme modèle", "Share as a model"},
		"model.mark.is":        {"Ce traitement est partagé comme modèle.", "This processing is shared as a model."},
		"model.mark.isnot":     {"Ce traitement n’est pas partagé comme modèle.", "This processing is not shared as a model."},
		"model.mark.effect":    {"Les rédacteurs et DPO des autres administrations pourront créer un brouillon à partir de ses champs publics, tels que publiés. Les notes internes, le détail des mesures de sécurité, les références d’analyse d’impact et les contrats n’en sortent jamais.", "Editors and DPOs of other administrations will be able to start a draft from its public fields, as published. Internal notes, security details, impact-assessment references and contracts never leave it."},
		"model.mark.on":        {"Partager comme modèle", "Share as a model"},
		"model.mark.off":       {"Ne plus partager", "Stop sharing"},
		"model.mark.done.on":   {"Le traitement est partagé comme modèle.", "The processing is shared as a model."},
		"model.mark.done.off":  {"Le traitement n’est plus partagé comme modèle.", "The processing is no longer shared as a model."},
		"model.mark.link":      {"Partager comme modèle avec les autres administrations", "Share as a model with other administrations"},
		"model.back":           {"Retour au traitement", "Back to the processing"},
		"audit.action.model":   {"modèle partagé ou retiré", "model shared or withdrawn"},
		"action.model":         {"Modèle partagé ou retiré", "Model shared or withdrawn"},
		"model.published.vers": {"version publiée %d", "published version %d"},
	}
}
