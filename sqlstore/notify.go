package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// publicChannel is the PostgreSQL channel on which processes sharing a
// database tell each other that the public register changed.
const publicChannel = "registre_public"

func newInstanceName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NotifyPublicChange implements register.PublicNotifier: on PostgreSQL it
// notifies publicChannel, with this process's name so that it ignores its
// own notice; on SQLite it does nothing (other processes poll).
func (s *Store) NotifyPublicChange(ctx context.Context) error {
	if !s.db.postgres {
		return nil
	}
	_, err := s.db.write.ExecContext(ctx, "SELECT pg_notify(?, ?)", publicChannel, s.db.instance)
	return markOutage(err)
}

// ListenPublicChanges calls fn whenever another process notifies a change
// of the public register, until ctx ends; on SQLite it returns at once. It
// holds one connection of its own, and reconnects when it is lost, calling
// fn once then: notices sent meanwhile were missed.
func (db *DB) ListenPublicChanges(ctx context.Context, fn func(), log *slog.Logger) {
	if !db.postgres {
		return
	}
	go func() {
		wait, failing := time.Second, false
		for ctx.Err() == nil {
			connected, err := db.listen(ctx, fn)
			if ctx.Err() != nil {
				return
			}
			if connected { // it worked for a while: a new failure
				wait, failing = time.Second, false
			}
			if !failing { // once per outage, not per attempt
				log.Warn("listening for other processes' public changes stopped; retrying", "err", err)
				failing = true
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
			wait = min(2*wait, 10*time.Second)
		}
	}()
}

// listen listens until the connection fails; connected tells whether it
// got as far as listening.
func (db *DB) listen(ctx context.Context, fn func()) (connected bool, err error) {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+publicChannel); err != nil {
		return false, err
	}
	fn() // what changed while nobody listened
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if n.Payload != db.instance {
			fn()
		}
	}
}
