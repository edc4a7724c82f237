package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

var _ register.SessionStore = (*Store)(nil)

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	TokenHash     string    `bun:"token_hash,pk"`
	ID            string    `bun:"id"`
	Username      string    `bun:"username"`
	CSRF          string    `bun:"csrf"`
	Role          string    `bun:"role"`
	Organisation  string    `bun:"organisation"`
	Units         string    `bun:"units"`
	CreatedAt     time.Time `bun:"created_at"`
	SeenAt        time.Time `bun:"seen_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

// CreateSession implements register.SessionStore.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, se *register.Session, stamp register.SessionStamp) error {
	units := stamp.Units
	if units == nil {
		units = []string{}
	}
	b, err := json.Marshal(units)
	if err != nil {
		return fmt.Errorf("encode units: %w", err)
	}
	row := &sessionRow{TokenHash: tokenHash, ID: se.ID, Username: se.Username, CSRF: se.CSRF,
		Role: string(stamp.Role), Organisation: stamp.Org, Units: string(b),
		CreatedAt: utc(se.CreatedAt), SeenAt: utc(se.SeenAt), ExpiresAt: utc(se.ExpiresAt)}
	_, err = s.idb.NewInsert().Model(row).Exec(ctx)
	return dbError(err, "session")
}

// GetSession implements register.SessionStore.
func (s *Store) GetSession(ctx context.Context, tokenHash string) (*register.Session, register.SessionStamp, error) {
	var r sessionRow
	if err := s.idb.NewSelect().Model(&r).Where("token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return nil, register.SessionStamp{}, dbError(err, "session")
	}
	stamp := register.SessionStamp{Role: identity.Role(r.Role), Org: r.Organisation}
	if err := json.Unmarshal([]byte(r.Units), &stamp.Units); err != nil {
		return nil, register.SessionStamp{}, fmt.Errorf("session units: %w", err)
	}
	if len(stamp.Units) == 0 {
		stamp.Units = nil
	}
	return &register.Session{ID: r.ID, Username: r.Username, CSRF: r.CSRF,
		CreatedAt: utc(r.CreatedAt), SeenAt: utc(r.SeenAt), ExpiresAt: utc(r.ExpiresAt)}, stamp, nil
}

// TouchSession implements register.SessionStore.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, seenAt, notAfter time.Time) error {
	_, err := s.idb.NewUpdate().Model((*sessionRow)(nil)).
		Set("seen_at = ?", utc(seenAt)).
		Where("token_hash = ? AND seen_at <= ?", tokenHash, utc(notAfter)).
		Exec(ctx)
	return dbError(err, "session")
}

// DeleteSession implements register.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) (bool, error) {
	n, err := sessionsDeleted(s.idb.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx))
	return n > 0, err
}

// DeleteUserSessions implements register.SessionStore.
func (s *Store) DeleteUserSessions(ctx context.Context, username, exceptHash string) (int, error) {
	q := s.idb.NewDelete().Model((*sessionRow)(nil)).Where("username = ?", username)
	if exceptHash != "" {
		q = q.Where("token_hash <> ?", exceptHash)
	}
	return sessionsDeleted(q.Exec(ctx))
}

// PurgeSessions implements register.SessionStore.
func (s *Store) PurgeSessions(ctx context.Context, now, idleBefore time.Time) (int, error) {
	return sessionsDeleted(s.idb.NewDelete().Model((*sessionRow)(nil)).
		Where("expires_at <= ? OR seen_at <= ?", utc(now), utc(idleBefore)).Exec(ctx))
}

func sessionsDeleted(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, dbError(err, "sessions")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sessions: %w", err)
	}
	return int(n), nil
}
