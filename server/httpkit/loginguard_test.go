package httpkit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/registre/registre/register"
)

// TestLoginGuardCountsEveryCallerAlike signs in through two callers of one
// guard (as the API and the back office do): failures made through one
// lock the other out, and a success gives its counts back.
func TestLoginGuardCountsEveryCallerAlike(t *testing.T) {
	t.Parallel()
	g := NewLoginGuard(LoginLimits{
		Account: Limit{Free: 10, Burst: 3, Decay: time.Hour},
		Address: Limit{Free: 10, Burst: 5, Decay: time.Hour},
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client := netip.MustParseAddr("192.0.2.7")
	ctx := context.Background()
	wrong := func(context.Context) error {
		return register.Errorf(register.EUnauthorized, "wrong username or password")
	}
	right := func(context.Context) error { return nil }
	attempt := func(check func(context.Context) error) error {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		a, err := g.Admit(httptest.NewRecorder(), r, client, log)
		if err != nil {
			return err
		}
		return a.Check(ctx, "eve", check)
	}
	status := func(err error) int {
		var p *Problem
		if errors.As(err, &p) {
			return p.Status
		}
		return 0
	}

	// A success costs nothing: after it, the three failures allowed on the
	// account are still there.
	if err := attempt(right); err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	for i := range 3 {
		if err := attempt(wrong); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("failure %d: got %v, want the check's own error", i+1, err)
		}
	}
	// The account's limit for this address is reached, whichever caller
	// comes next: the check does not even run.
	ran := false
	err := attempt(func(context.Context) error { ran = true; return nil })
	if status(err) != http.StatusTooManyRequests || ran {
		t.Fatalf("fourth attempt: got %v (check ran: %v), want 429 without a check", err, ran)
	}
	if p := ProblemFor(err); p.RetryAfter < 1 {
		t.Fatalf("got Retry-After %d, want at least 1", p.RetryAfter)
	}
	// Another name from the same address still passes the address limit
	// (3 counted of 5, the refused one given back); two more failures fill
	// it, and then Admit refuses before any body is read.
	for i := range 2 {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		a, err := g.Admit(httptest.NewRecorder(), r, client, log)
		if err != nil {
			t.Fatalf("admit %d: %v", i+1, err)
		}
		if err := a.Check(ctx, "other", wrong); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("other name %d: got %v", i+1, err)
		}
	}
	w := httptest.NewRecorder()
	if _, err := g.Admit(w, httptest.NewRequest(http.MethodPost, "/", nil), client, log); status(err) != http.StatusTooManyRequests {
		t.Fatalf("address over its limit: got %v, want 429 at Admit", err)
	}
	if got := w.Header().Get("Connection"); got != "close" {
		t.Fatalf("got Connection %q after a refusal at Admit, want close (the body is left unread)", got)
	}
	// A password change with a wrong current password counts like a
	// failed sign-in; one refused for a weak new password does not.
	third := netip.MustParseAddr("203.0.113.9")
	change := func(err error) error {
		a, aerr := g.Admit(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil), third, log)
		if aerr != nil {
			return aerr
		}
		return a.Check(ctx, "dora", func(context.Context) error { return err })
	}
	weak := &register.Error{Code: register.EInvalid, Fields: []register.FieldError{{Field: "new_password", Message: "is too short"}}}
	notCurrent := &register.Error{Code: register.EInvalid, Fields: []register.FieldError{{Field: "current_password", Message: "is not your current password"}}}
	for i := range 5 {
		if err := change(weak); register.ErrorCode(err) != register.EInvalid {
			t.Fatalf("weak new password %d: got %v, want it answered, not counted", i+1, err)
		}
	}
	for i := range 3 {
		if err := change(notCurrent); register.ErrorCode(err) != register.EInvalid {
			t.Fatalf("wrong current password %d: got %v", i+1, err)
		}
	}
	if err := change(nil); status(err) != http.StatusTooManyRequests {
		t.Fatalf("after three wrong current passwords: got %v, want 429", err)
	}
	// Another address is not concerned.
	a, err := g.Admit(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil), netip.MustParseAddr("198.51.100.1"), log)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Check(ctx, "eve", right); err != nil {
		t.Fatalf("another address: got %v, want signed in", err)
	}
}
