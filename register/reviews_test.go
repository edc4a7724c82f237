package register_test

import (
	"context"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// Comments on fields are checked before anything is written, kept per
// return, and go with a draft that is deleted.
func TestReviewNotesAreCheckedKeptAndDeletedWithTheDraft(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := workflowFixture(t, db)
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		id := processingIn(t, svc, register.StatusInReview)
		for name, notes := range map[string]map[string]string{
			"ErrUnknownField": {"nope": "x"},
			"ErrBadPath":      {"purpose..x": "x"},
			"ErrControl":      {"purpose": "a\x00b"},
		} {
			if _, err := svc.ReturnWithNotes(ctx, dpo, id, nil, "", notes); register.ErrorCode(err) != register.EInvalid {
				t.Errorf("%s: got %v, want invalid", name, err)
			}
		}
		if p, _ := svc.GetProcessing(ctx, dpo, id); p.Status != register.StatusInReview {
			t.Fatalf("a refused return changed the status: %s", p.Status)
		}
		p, err := svc.ReturnWithNotes(ctx, dpo, id, nil, "voir les champs", map[string]string{"purpose": "Trop vague.", "title": " ", "retention.period": "Dix ans ?"})
		if err != nil {
			t.Fatal(err)
		}
		cur, err := svc.CurrentNotes(ctx, dpo, p)
		if err != nil || len(cur) != 2 || cur["purpose"].Note != "Trop vague." || cur["retention.period"].Author != "dora" {
			t.Fatalf("current notes: %v %v (the blank one dropped)", cur, err)
		}
		if err := svc.DeleteProcessing(ctx, dpo, id, nil); err != nil {
			t.Fatal(err)
		}
		if left, err := svc.Store().ListReviewNotes(ctx, id); err != nil || len(left) != 0 {
			t.Errorf("notes of a deleted draft: %v %v", left, err)
		}
	})
}
