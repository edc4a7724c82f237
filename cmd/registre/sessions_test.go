package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
)

func TestSessionTimeoutsConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		idle, max string
		wantErr   string // a flag name, or "" for accepted
	}{
		{"OKDefaults", "30m", "12h", ""},
		{"OKIdleEqualsMax", "1h", "1h", ""},
		{"OKLongest", "8h", "168h", ""},
		{"ErrIdleNotADuration", "half an hour", "12h", "--session-idle"},
		{"ErrIdleTooShort", "1m", "12h", "--session-idle"},
		{"ErrIdleLongerThanMax", "13h", "12h", "--session-idle"},
		{"ErrMaxNotADuration", "30m", "12", "--session-max"},
		{"ErrMaxTooLong", "30m", "169h", "--session-max"},
		{"ErrMaxNegative", "30m", "-1h", "--session-max"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &config{SessionIdle: tc.idle, SessionMax: tc.max}
			opt, err := c.sessionTimeouts()
			if tc.wantErr == "" {
				if err != nil || opt == nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}

// TestSessionTimeoutsFromEnvironment: the variables reach the service, and
// a bad one stops the command before it opens the database.
func TestSessionTimeoutsFromEnvironment(t *testing.T) {
	t.Parallel()
	open := func(vars map[string]string) (*app, error) {
		var c config
		e := &env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		if err := flagSet("serve", e, &c).Parse(nil); err != nil {
			t.Fatal(err)
		}
		return c.open(context.Background(), e)
	}
	a, err := open(map[string]string{"REGISTRE_DB": dbtest.SQLiteDSN(t), "REGISTRE_SESSION_IDLE": "10m", "REGISTRE_SESSION_MAX": "1h"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if idle, most := a.svc.SessionTimeouts(); idle != 10*time.Minute || most != time.Hour {
		t.Fatalf("got %v and %v, want 10m and 1h", idle, most)
	}
	path := filepath.Join(t.TempDir(), "never.db")
	if _, err := open(map[string]string{"REGISTRE_DB": "sqlite:" + path, "REGISTRE_SESSION_IDLE": "1m"}); err == nil || !strings.Contains(err.Error(), "--session-idle") {
		t.Fatalf("REGISTRE_SESSION_IDLE=1m: got %v, want refused", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a refused configuration created the database (%v)", err)
	}
}
