package sqlstore_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestLoginFailuresLeak checks the shared failure buckets on both databases:
// failures add up, leak one per decay, and purged buckets are gone.
func TestLoginFailuresLeak(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := db.Store()
		t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		decay := time.Minute
		steps := []struct {
			at        time.Duration
			add       bool
			wantLevel float64
		}{
			{0, true, 1},
			{0, true, 2},
			{0, true, 3},
			{30 * time.Second, false, 2.5}, // half a failure leaked
			{time.Minute, true, 3},         // 3 - 1 leaked + 1
			{10 * time.Minute, false, 0},   // leaked empty
		}
		for i, s := range steps {
			var got float64
			var err error
			if s.add {
				got, err = st.AddFailure(ctx, "pair\x00alice\x00192.0.2.1", t0.Add(s.at), decay)
			} else {
				got, err = st.FailureLevel(ctx, "pair\x00alice\x00192.0.2.1", t0.Add(s.at), decay)
			}
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if math.Abs(got-s.wantLevel) > 1e-6 {
				t.Errorf("step %d: level %.3f, want %.3f", i, got, s.wantLevel)
			}
		}
		if got, err := st.FailureLevel(ctx, "pair\x00bob\x00192.0.2.1", t0, decay); err != nil || got != 0 {
			t.Errorf("another key: %v %v", got, err)
		}
		if _, err := st.AddFailure(ctx, "pair\x00carol\x00192.0.2.1", t0, decay); err != nil {
			t.Fatal(err)
		}
		if err := st.ClearFailures(ctx, "pair\x00carol\x00192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.FailureLevel(ctx, "pair\x00carol\x00192.0.2.1", t0, decay); got != 0 {
			t.Errorf("after clear: level %v", got)
		}
		n, err := st.PurgeFailures(ctx, t0.Add(2*time.Minute))
		if err != nil || n != 1 {
			t.Errorf("purge: %d rows, %v; want 1", n, err)
		}
		if got, _ := st.FailureLevel(ctx, "pair\x00alice\x00192.0.2.1", t0.Add(2*time.Minute), decay); got != 0 {
			t.Errorf("after purge: level %v", got)
		}
	})
}
