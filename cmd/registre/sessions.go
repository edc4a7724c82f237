package main

import (
	"fmt"
	"time"

	"github.com/registre/registre/register"
)

// Bounds of the back-office session timeouts. SeenAt is written at most
// once a minute (register/sessions.go), so an idle timeout of a few
// minutes is the shortest that means what it says; a week is already long
// for a signed-in browser left on a desk.
const (
	minSessionIdle = 5 * time.Minute
	maxSessionMax  = 7 * 24 * time.Hour
)

// sessionTimeouts reads --session-idle and --session-max.
func (c *config) sessionTimeouts() (register.Option, error) {
	idle, err := time.ParseDuration(c.SessionIdle)
	if err != nil {
		return nil, fmt.Errorf("--session-idle: %w", err)
	}
	most, err := time.ParseDuration(c.SessionMax)
	if err != nil {
		return nil, fmt.Errorf("--session-max: %w", err)
	}
	if most < minSessionIdle || most > maxSessionMax {
		return nil, fmt.Errorf("--session-max: want between %v and %v, got %v", minSessionIdle, maxSessionMax, most)
	}
	if idle < minSessionIdle || idle > most {
		return nil, fmt.Errorf("--session-idle: want between %v and --session-max (%v), got %v", minSessionIdle, most, idle)
	}
	return register.WithSessionTimeouts(idle, most), nil
}
