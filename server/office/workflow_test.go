package office

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestWorkflowButtonsAgreeWithTheDomain takes every action as every role
// on a record in every state, through the domain itself
// (Service.Transition, Service.DeleteProcessing): the office shows an
// action's button exactly when the domain takes it.
func TestWorkflowButtonsAgreeWithTheDomain(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		ctx := context.Background()
		dpo := e.as["dpo"]
		roles := map[string]*identity.Principal{
			"admin": e.as["admin"], "dpo": dpo, "editor": e.as["editor"], "auditor": e.as["auditor"],
			"editor of another unit": {Subject: "ines.info", Role: identity.RoleEditor, Org: "ville", Units: []string{"informatique"}},
		}
		states := map[string]func() *register.Processing{
			"draft": func() *register.Processing { return e.create(dpo, "ville", complete("etat-civil", "Brouillon")) },
			"returned": func() *register.Processing {
				p := e.create(dpo, "ville", complete("etat-civil", "Renvoyé"))
				return e.step(dpo, e.step(dpo, p, register.StepSubmit, ""), register.StepReturn, "À revoir.")
			},
			"in review": func() *register.Processing {
				return e.step(dpo, e.create(dpo, "ville", complete("etat-civil", "En revue")), register.StepSubmit, "")
			},
			"published": func() *register.Processing {
				p := e.step(dpo, e.create(dpo, "ville", complete("etat-civil", "Publié")), register.StepSubmit, "")
				return e.step(dpo, p, register.StepPublish, "")
			},
			"draft once published": func() *register.Processing {
				p := e.step(dpo, e.create(dpo, "ville", complete("etat-civil", "Republié")), register.StepSubmit, "")
				p = e.step(dpo, p, register.StepPublish, "")
				f := p.Fields
				f.Description = "Changée après publication."
				return e.update(dpo, p, f)
			},
			"archived": func() *register.Processing {
				p := e.step(dpo, e.create(dpo, "ville", complete("etat-civil", "Archivé")), register.StepSubmit, "")
				return e.step(dpo, e.step(dpo, p, register.StepPublish, ""), register.StepArchive, "")
			},
		}
		shown := 0
		start := time.Now()
		for state, build := range states {
			rec := build()
			for role, p := range roles {
				for _, a := range actions {
					want := may(p, rec, a)
					var err error
					if a == actDelete {
						err = e.svc.DeleteProcessing(ctx, p, rec.ID, &rec.Revision)
					} else {
						_, err = e.svc.Transition(ctx, p, rec.ID, a.step(), &rec.Revision, "")
					}
					if got := err == nil; got != want {
						t.Errorf("%s, %s on a record %s: button shown %v, the domain took it %v (%v)", role, a, state, want, got, err)
					}
					if err == nil {
						shown++
						rec = build() // the step changed it: a fresh one
					}
				}
			}
		}
		if shown == 0 {
			t.Fatal("no action was ever allowed")
		}
		t.Logf("%d actions allowed out of %d, in %v", shown, len(states)*len(roles)*len(actions), time.Since(start))
	})
}

// TestFoldSavesKeepsEverySave folds consecutive saves by the same person
// in the same role, and nothing else.
func TestFoldSavesKeepsEverySave(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := func(action, actor, role string, v, min int) stepItem {
		return stepItem{Action: action, Actor: actor, Role: role, Version: v, At: at.Add(time.Duration(min) * time.Minute)}
	}
	up, ed, dp := register.ActionUpdate, "eddie", "dora"
	in := []stepItem{ // newest first, as the audit trail lists them
		s(register.ActionSubmit, ed, "editor", 6, 50),
		s(up, ed, "editor", 6, 40), s(up, ed, "editor", 5, 20), s(up, ed, "editor", 4, 2),
		s(up, dp, "dpo", 3, 1),
		s(up, ed, "editor", 2, 0),
		s(register.ActionCreate, ed, "editor", 1, 0),
	}
	out := foldSaves(in)
	var got []string
	for _, x := range out {
		got = append(got, fmt.Sprintf("%s/%s/%d/%d", x.Action, x.Actor, x.Version, len(x.Group)))
	}
	want := []string{"submit/eddie/6/0", "update/eddie/6/3", "update/dora/3/0", "update/eddie/2/0", "create/eddie/1/0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	g := out[1]
	if g.Since() != at.Add(2*time.Minute) || g.At != at.Add(40*time.Minute) {
		t.Errorf("the group spans %v–%v", g.Since(), g.At)
	}
	for i, v := range []int{6, 5, 4} {
		if g.Group[i].Version != v {
			t.Errorf("save %d is version %d, want %d", i, g.Group[i].Version, v)
		}
	}
}
