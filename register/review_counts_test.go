package register_test

import (
	"context"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestReviewTaskCountsAreTheOpenTasksAndTheOverdueOnes: the overview's
// figures count the open campaign's undone tasks, none overdue before the
// due date and all of them after it (Zurich's day); a task done leaves the
// count; an auditor of the organisation reads them, another organisation's
// DPO gets 404.
func TestReviewTaskCountsAreTheOpenTasksAndTheOverdueOnes(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)
		svc, ids := reminderFixture(t, db, &now)
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		auditor := &auth.Principal{Subject: "aude", Role: auth.RoleAuditor, Org: "geneve"}
		count := func(p *auth.Principal) (int, int) {
			t.Helper()
			open, overdue, err := svc.ReviewTaskCounts(ctx, p, "geneve")
			if err != nil {
				t.Fatal(err)
			}
			return open, overdue
		}
		tasks, err := svc.MyTasks(ctx, dpo)
		if err != nil || len(tasks) == 0 {
			t.Fatalf("the fixture's campaign has no task: %v", err)
		}
		if open, overdue := count(auditor); open != len(tasks) || overdue != 0 {
			t.Fatalf("before the due date: %d open, %d overdue; want %d, 0", open, overdue, len(tasks))
		}
		// 1 January 2027 in Zurich: the campaign was due on 31 December.
		now = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
		if open, overdue := count(dpo); open != len(tasks) || overdue != len(tasks) {
			t.Fatalf("after the due date: %d open, %d overdue; want %d, %d", open, overdue, len(tasks), len(tasks))
		}
		if _, err := svc.ConfirmReview(ctx, dpo, ids["campaign"], tasks[0].ProcessingID); err != nil {
			t.Fatal(err)
		}
		if open, overdue := count(dpo); open != len(tasks)-1 || overdue != len(tasks)-1 {
			t.Fatalf("after a task was done: %d open, %d overdue; want %d", open, overdue, len(tasks)-1)
		}
		other := &auth.Principal{Subject: "olga.dpo", Role: auth.RoleDPO, Org: "autre"}
		if _, _, err := svc.ReviewTaskCounts(ctx, other, "geneve"); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("another organisation's DPO: %v, want not found", err)
		}
	})
}
