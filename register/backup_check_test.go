package register

import (
	"testing"
	"time"
)

// The restore recomputes the kid of the service's own keys; it must be the
// kid newSigningKey gives, or every genuine export would be refused.
func TestSigningKeyIDIsTheKidOfNewKeys(t *testing.T) {
	t.Parallel()
	for range 5 {
		k, err := newSigningKey(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := signingKeyID(k.Seed); got != k.ID {
			t.Fatalf("got kid %q, want %q", got, k.ID)
		}
	}
}
