package register_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// workflowFixture is a service with organisations geneve and carouge, each
// with units etat-civil and informatique.
func workflowFixture(t *testing.T, db *sqlstore.DB) *register.Service {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	for _, org := range []string{"geneve", "carouge"} {
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: org, Name: "Ville de " + org, DPOContact: "dpo@" + org + ".example.ch", LIPADContact: "lipad@" + org + ".example.ch", Address: "Rue du Stand 1, 1204 Genève"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"etat-civil", "informatique"} {
			if _, err := svc.CreateUnit(ctx, admin, org, register.Unit{Slug: u, Name: "Service " + u}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return svc
}

// processingIn creates a complete processing of geneve/etat-civil and takes
// it to status.
func processingIn(t *testing.T, svc *register.Service, status register.Status) string {
	t.Helper()
	ctx := context.Background()
	var f register.Fields
	b, _ := json.Marshal(apitest.Complete("etat-civil", "Registre des naissances"))
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
	p, err := svc.CreateProcessing(ctx, dpo, "geneve", f)
	if err != nil {
		t.Fatal(err)
	}
	path := map[register.Status][]register.Step{
		register.StatusDraft:     nil,
		register.StatusInReview:  {register.StepSubmit},
		register.StatusPublished: {register.StepSubmit, register.StepPublish},
		register.StatusArchived:  {register.StepSubmit, register.StepPublish, register.StepArchive},
	}[status]
	for _, step := range path {
		if _, err := svc.Transition(ctx, dpo, p.ID, step, nil, ""); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	return p.ID
}

// Every role tries every step from the state the step starts from: the
// roles of the workflow table (the same the routes read) succeed, the
// others are refused as forbidden, at the service, without HTTP.
func TestTransitionFollowsTheWorkflowTable(t *testing.T) {
	t.Parallel()
	from := map[register.Step]register.Status{
		register.StepSubmit: register.StatusDraft, register.StepReturn: register.StatusInReview,
		register.StepPublish: register.StatusInReview, register.StepArchive: register.StatusPublished,
	}
	to := map[register.Step]register.Status{
		register.StepSubmit: register.StatusInReview, register.StepReturn: register.StatusDraft,
		register.StepPublish: register.StatusPublished, register.StepArchive: register.StatusArchived,
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := workflowFixture(t, db)
		for _, step := range register.Steps() {
			allowed := register.StepRoles(step)
			if len(allowed) == 0 {
				t.Fatalf("%s: no role may take it", step)
			}
			for _, role := range auth.Roles() {
				p := &auth.Principal{Subject: "someone", Role: role, Org: "geneve", Units: []string{"etat-civil"}}
				if role == auth.RoleAdmin {
					p.Org = ""
				}
				id := processingIn(t, svc, from[step])
				got, err := svc.Transition(ctx, p, id, step, nil, "")
				switch {
				case slices.Contains(allowed, role):
					if err != nil {
						t.Errorf("%s by %s: %v, want %s", step, role, err, to[step])
					} else if got.Status != to[step] {
						t.Errorf("%s by %s: got %s, want %s", step, role, got.Status, to[step])
					}
				case register.ErrorCode(err) != register.EForbidden:
					t.Errorf("%s by %s: got %v, want forbidden", step, role, err)
				}
			}
		}
	})
}

// The refusals that do not depend on the role: wrong state, another
// organisation, another unit, a stale revision, an unknown step.
func TestTransitionRefusals(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := workflowFixture(t, db)
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		stale := int64(0)
		tests := []struct {
			name    string
			p       *auth.Principal
			status  register.Status
			step    register.Step
			ifMatch *int64
			want    register.Code
		}{
			{"PublishDraftConflicts", dpo, register.StatusDraft, register.StepPublish, nil, register.EConflict},
			{"ArchiveDraftConflicts", dpo, register.StatusDraft, register.StepArchive, nil, register.EConflict},
			{"SubmitPublishedConflicts", dpo, register.StatusPublished, register.StepSubmit, nil, register.EConflict},
			{"ReturnArchivedConflicts", dpo, register.StatusArchived, register.StepReturn, nil, register.EConflict},
			{"OtherOrganisationDoesNotSeeIt", &auth.Principal{Subject: "carl", Role: auth.RoleDPO, Org: "carouge"}, register.StatusInReview, register.StepPublish, nil, register.ENotFound},
			{"EditorOfAnotherUnit", &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "geneve", Units: []string{"informatique"}}, register.StatusDraft, register.StepSubmit, nil, register.EForbidden},
			{"StaleRevision", dpo, register.StatusInReview, register.StepPublish, &stale, register.EPreconditionFailed},
			{"UnknownStep", dpo, register.StatusDraft, register.Step("delete"), nil, register.ENotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := processingIn(t, svc, tt.status)
				before, err := svc.GetProcessing(ctx, dpo, id)
				if err != nil {
					t.Fatal(err)
				}
				_, err = svc.Transition(ctx, tt.p, id, tt.step, tt.ifMatch, "")
				if got := register.ErrorCode(err); got != tt.want {
					t.Fatalf("got %v (%s), want %s", err, got, tt.want)
				}
				after, err := svc.GetProcessing(ctx, dpo, id)
				if err != nil {
					t.Fatal(err)
				}
				if after.Status != before.Status || after.Revision != before.Revision {
					t.Errorf("refused step changed the processing: %s r%d -> %s r%d", before.Status, before.Revision, after.Status, after.Revision)
				}
			})
		}
	})
}
