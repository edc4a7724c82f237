package register_test

import (
	"context"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// The public sequence, on which the public site's caches are keyed, moves
// with publications, archivings and organisation changes, and with nothing
// of the back office: a visitor who times the public pages learns nothing
// of drafts. The change hook fires for the same changes, in process.
func TestPublicSeqMovesOnlyWithPublicChanges(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := workflowFixture(t, db)
		heard := 0
		svc.OnPublicChange(func() { heard++ })
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		seq := func() int64 {
			t.Helper()
			n, err := svc.PublicSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := seq()
		id := processingIn(t, svc, register.StatusInReview) // create, submit: back office
		if _, err := svc.Transition(ctx, dpo, id, register.StepReturn, nil, "à revoir"); err != nil {
			t.Fatal(err)
		}
		if got := seq(); got != start || heard != 0 {
			t.Fatalf("drafts moved the public sequence (%d -> %d) or the hook (%d)", start, got, heard)
		}
		steps := []struct {
			step   register.Step
			public bool
		}{{register.StepSubmit, false}, {register.StepPublish, true}, {register.StepArchive, true}}
		last := start
		for _, st := range steps {
			if _, err := svc.Transition(ctx, dpo, id, st.step, nil, ""); err != nil {
				t.Fatal(err)
			}
			if moved := seq() != last; moved != st.public {
				t.Errorf("%s: public sequence moved %v, want %v", st.step, moved, st.public)
			}
			last = seq()
		}
		if heard != 2 {
			t.Errorf("hook heard %d public changes, want 2 (publish, archive)", heard)
		}
		org, err := svc.GetOrganisation(ctx, dpo, "geneve")
		if err != nil {
			t.Fatal(err)
		}
		org.DPOContact = "protection@geneve.example.ch"
		if _, err := svc.UpdateOrganisation(ctx, dpo, "geneve", *org); err != nil {
			t.Fatal(err)
		}
		if seq() == last || heard != 3 {
			t.Errorf("an organisation change did not move the public sequence or the hook (heard %d)", heard)
		}
	})
}
