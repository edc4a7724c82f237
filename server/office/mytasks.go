package office

import (
	"net/http"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// "My review tasks" (issue 20, docs/reviews.md): the open tasks of the
// open review campaigns that the signed-in person may take — an editor's
// units, a DPO's whole organisation — with their due date, the overdue
// ones marked, and the campaign page's two buttons, which come back here.

func (o *Office) myTaskRoutes() []Route {
	return []Route{{http.MethodGet, "/office/tasks", o.serve(o.signedIn(o.myTasksPage))}}
}

// mayHaveTasks tells who has review tasks: those who may take them.
func mayHaveTasks(p *identity.Principal) bool {
	return p != nil && p.Org != "" && (p.Role == identity.RoleEditor || p.Role == identity.RoleDPO || p.Role == identity.RoleAdmin)
}

type myTasksData struct {
	Tasks   []register.MyTask
	Overdue int
	Whole   bool   // a DPO's: the whole organisation
	Done    string // the banner after a task was taken here
}

func (o *Office) myTasksPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	tasks, err := o.svc.MyTasks(r.Context(), p)
	if err != nil {
		return err
	}
	v := o.newView(r)
	d := myTasksData{Tasks: tasks, Whole: p.Role != identity.RoleEditor}
	for _, t := range tasks {
		if t.Overdue {
			d.Overdue++
		}
	}
	if v.query.Get("done") == "confirmed" {
		d.Done = "camp.done.confirmed"
	}
	v.Title, v.Nav, v.Data = v.T("mytasks.title"), "tasks", d
	return o.render(w, http.StatusOK, "mytasks", v)
}

// myTasksLabels are the words of the "my review tasks" page.
func myTasksLabels() map[string]text {
	return map[string]text{
		"nav.tasks":          {"Mes tâches de revue", "My review tasks"},
		"view.tasks":         {"Mes tâches de revue", "My review tasks"},
		"mytasks.title":      {"Mes tâches de revue", "My review tasks"},
		"mytasks.intro.unit": {"Les traitements publiés de vos unités que les campagnes de revue en cours vous demandent de revoir : dites s’ils sont toujours exacts, ou ouvrez un brouillon pour les corriger.", "The published processings of your units that the open review campaigns ask you to review: say whether each is still accurate, or open a draft to correct it."},
		"mytasks.intro.org":  {"Les traitements publiés de l’organisation que les campagnes de revue en cours demandent de revoir : dites s’ils sont toujours exacts, ou ouvrez un brouillon pour les corriger.", "The organisation’s published processings that the open review campaigns ask to be reviewed: say whether each is still accurate, or open a draft to correct it."},
		"mytasks.count":      {"%d tâche(s) à faire, dont %d en retard.", "%d task(s) to do, %d of them overdue."},
		"mytasks.none":       {"Aucune tâche de revue ne vous attend.", "No review task is waiting for you."},
		"mytasks.campaign":   {"Campagne", "Campaign"},
		"mytasks.consequence": {"« Toujours exact » enregistre la revue sans nouvelle version ; « À modifier » ouvre un brouillon qui suivra la revue habituelle.",
			"“Still accurate” records the review without a new version; “Needs changes” opens a draft that goes through the usual review."},
	}
}
