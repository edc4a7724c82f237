package register_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// digestRecorder keeps the digests it is asked to send.
type digestRecorder struct {
	mu   sync.Mutex
	sent []register.Digest
}

func (r *digestRecorder) SendDigest(_ context.Context, d *register.Digest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, *d)
	return nil
}

// reminderFixture builds geneve with: ed (editor of etat-civil, e-mail),
// olga (editor of etat-civil, opted out), ivan (editor of informatique,
// nothing waiting), dora (DPO, e-mail), nomail (editor of etat-civil, no
// address); a campaign over a published processing of etat-civil, a draft
// ed submitted and dora returned, and a processing waiting for review.
// The clock is Monday 30 November 2026, 08:30 in Zurich.
func reminderFixture(t *testing.T, db *sqlstore.DB, now *time.Time) (*register.Service, map[string]string) {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return *now }
	workflowFixture(t, db)
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(clock))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	for _, a := range []register.NewAccount{
		{Username: "ed", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "ed@geneve.example.ch"},
		{Username: "olga", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}, Email: "olga@geneve.example.ch"},
		{Username: "ivan", Role: "editor", Org: "geneve", Units: []string{"informatique"}, Email: "ivan@geneve.example.ch"},
		{Username: "nomail", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}},
		{Username: "dora", Role: "dpo", Org: "geneve", Email: "dora@geneve.example.ch"},
	} {
		a.Password = "correct horse battery staple 42"
		if _, err := svc.CreateUser(ctx, admin, a); err != nil {
			t.Fatalf("%s: %v", a.Username, err)
		}
	}
	olga := &auth.Principal{Subject: "olga", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}}
	if _, err := svc.SetMyReminderPrefs(ctx, olga, true, "fr"); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	ids["published"] = processingIn(t, svc, register.StatusPublished)
	ids["in_review"] = processingIn(t, svc, register.StatusInReview)
	dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
	c, err := svc.OpenCampaign(ctx, dpo, "geneve", register.CampaignInput{Title: "Revue 2026", DueOn: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	ids["campaign"] = c.ID
	ed := &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}}
	var f register.Fields
	b, _ := json.Marshal(apitest.Complete("etat-civil", "Registre des décès"))
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateProcessing(ctx, ed, "geneve", f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, ed, p.ID, register.StepSubmit, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, dpo, p.ID, register.StepReturn, nil, "Préciser la durée."); err != nil {
		t.Fatal(err)
	}
	ids["returned"] = p.ID
	return svc, ids
}

func kinds(d register.Digest) []string {
	var out []string
	for _, it := range d.Items {
		out = append(out, it.Kind+":"+it.ProcessingID)
	}
	slices.Sort(out)
	return out
}

// Each person with an address, not opted out and with something waiting
// gets one digest of their own items in the period; ivan (nothing), olga
// (opted out) and nomail (no address) get none; a second pass sends none.
func TestDigestsGoToThePeopleConcernedOncePerPeriod(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC) // Monday 08:30 in Zurich
		svc, ids := reminderFixture(t, db, &now)
		rec := &digestRecorder{}
		n, err := svc.SendDueDigests(ctx, rec)
		if err != nil || n != 2 {
			t.Fatalf("sent %d (%v), want 2", n, err)
		}
		got := map[string]register.Digest{}
		for _, d := range rec.sent {
			got[d.Username] = d
		}
		ed, dora := got["ed"], got["dora"]
		if want := []string{"returned:" + ids["returned"], "task:" + ids["published"]}; !slices.Equal(kinds(ed), want) {
			t.Errorf("ed's items: got %v, want %v", kinds(ed), want)
		}
		if ed.Email != "ed@geneve.example.ch" || ed.Period != "2026-W49" || ed.Lang != "fr" {
			t.Errorf("ed's digest: %+v", ed)
		}
		for _, it := range ed.Items {
			if it.Kind == register.ItemReturned && it.Comment != "Préciser la durée." {
				t.Errorf("the return's comment: %q", it.Comment)
			}
			if it.Kind == register.ItemTask && (it.Campaign != "Revue 2026" || it.DueOn != "2026-12-31" || it.CampaignID != ids["campaign"]) {
				t.Errorf("the task: %+v", it)
			}
		}
		if want := []string{"to-review:" + ids["in_review"]}; !slices.Equal(kinds(dora), want) {
			t.Errorf("dora's items: got %v, want %v", kinds(dora), want)
		}
		now = now.Add(3 * time.Hour)
		if n, err := svc.SendDueDigests(ctx, rec); err != nil || n != 0 {
			t.Errorf("a second pass in the week sent %d (%v)", n, err)
		}
		now = now.Add(7 * 24 * time.Hour) // the next Monday
		if n, err := svc.SendDueDigests(ctx, rec); err != nil || n != 2 {
			t.Errorf("the next week sent %d (%v), want 2", n, err)
		}
	})
}

// Before the organisation's hour nothing goes; a daily organisation's
// digest is for the local day.
func TestDigestsWaitForTheLocalHour(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC) // Tuesday 08:30 in Zurich
		svc, _ := reminderFixture(t, db, &now)
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		for name, in := range map[string]register.ReminderSettings{
			"ErrFrequency": {Organisation: "geneve", Frequency: "monthly", Hour: 7},
			"ErrHour":      {Organisation: "geneve", Frequency: register.Daily, Hour: 24},
		} {
			if _, err := svc.SetReminderSettings(ctx, dpo, in); register.ErrorCode(err) != register.EInvalid {
				t.Errorf("%s: got %v, want invalid", name, err)
			}
		}
		if _, err := svc.SetReminderSettings(ctx, dpo, register.ReminderSettings{Organisation: "geneve", Frequency: register.Daily, Hour: 9}); err != nil {
			t.Fatal(err)
		}
		rec := &digestRecorder{}
		if n, err := svc.SendDueDigests(ctx, rec); err != nil || n != 0 {
			t.Fatalf("before 9:00 sent %d (%v)", n, err)
		}
		now = now.Add(time.Hour)
		if n, err := svc.SendDueDigests(ctx, rec); err != nil || n != 2 || rec.sent[0].Period != "2026-12-01" {
			t.Fatalf("at 9:30 sent %d (%v) %+v", n, err, rec.sent)
		}
	})
}

// Two instances on one database, sending at the same moment: each person
// gets exactly one digest.
func TestTwoInstancesSendEachDigestOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)
		svc, _ := reminderFixture(t, db, &now)
		other := register.NewService(db.Store(), register.WithClock(func() time.Time { return now }))
		rec := &digestRecorder{}
		var wg sync.WaitGroup
		for _, s := range []*register.Service{svc, other, svc, other} {
			wg.Go(func() {
				if _, err := s.SendDueDigests(ctx, rec); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var to []string
		for _, d := range rec.sent {
			to = append(to, d.Username)
		}
		slices.Sort(to)
		if !slices.Equal(to, []string{"dora", "ed"}) {
			t.Errorf("digests to %v, want one each to dora and ed", to)
		}
		var won bool
		err := db.Store().InTx(ctx, func(tx register.Store) (err error) {
			won, err = tx.ClaimDigest(ctx, "ed", "2026-W49", now)
			return err
		})
		if err != nil || won {
			t.Errorf("a third claim of ed's week: %v %v", won, err)
		}
	})
}

// The private feed answers its current secret only: rotated, the old one
// is not found; the secret is not stored, only its hash.
func TestFeedSecretRotates(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)
		svc, ids := reminderFixture(t, db, &now)
		ed := &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}}
		old, err := svc.RotateFeedToken(ctx, ed)
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.FeedDigest(ctx, old)
		if err != nil || d.Username != "ed" || len(d.Items) != 2 || d.Email != "" {
			t.Fatalf("feed: %+v %v", d, err)
		}
		if prefs, _ := svc.MyReminderPrefs(ctx, ed); prefs.FeedHash != register.FeedHash(old) || prefs.FeedHash == old {
			t.Errorf("stored %q", prefs.FeedHash)
		}
		cur, err := svc.RotateFeedToken(ctx, ed)
		if err != nil || cur == old {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{"ErrRotated": old, "ErrEmpty": "", "ErrUnknown": cur[:42] + "A", "ErrShort": "abc"} {
			if tok == cur {
				continue
			}
			if _, err := svc.FeedDigest(ctx, tok); register.ErrorCode(err) != register.ENotFound {
				t.Errorf("%s: got %v, want not found", name, err)
			}
		}
		if d, err := svc.FeedDigest(ctx, cur); err != nil || !slices.Contains(kinds(*d), "task:"+ids["published"]) {
			t.Errorf("the new secret: %+v %v", d, err)
		}
		// A new account of the same name does not inherit the feed.
		admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
		if err := svc.DeleteUser(ctx, admin, "ed"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if _, err := svc.CreateUser(ctx, admin, register.NewAccount{Username: "ed", Password: "correct horse battery staple 42", Role: "editor", Org: "geneve", Units: []string{"etat-civil"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FeedDigest(ctx, cur); register.ErrorCode(err) != register.ENotFound {
			t.Errorf("the deleted account's feed: %v, want not found", err)
		}
	})
}
