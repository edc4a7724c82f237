package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.IdentityStore = (*Store)(nil)

type oidcLoginRow struct {
	bun.BaseModel `bun:"table:oidc_logins"`
	StateHash     string    `bun:"state_hash,pk"`
	Nonce         string    `bun:"nonce"`
	Verifier      string    `bun:"verifier"`
	Next          string    `bun:"next"`
	CreatedAt     time.Time `bun:"created_at"`
}

type oidcSubjectRow struct {
	bun.BaseModel `bun:"table:oidc_subjects"`
	Issuer        string         `bun:"issuer,pk"`
	Subject       string         `bun:"subject,pk"`
	Username      sql.NullString `bun:"username"`
	Source        string         `bun:"source"`
	Email         string         `bun:"email"`
	Name          string         `bun:"name"`
	FirstSeen     time.Time      `bun:"first_seen"`
	LastSeen      time.Time      `bun:"last_seen"`
}

func (r *oidcSubjectRow) domain() register.ExternalSubject {
	return register.ExternalSubject{Issuer: r.Issuer, Subject: r.Subject, Username: r.Username.String, Source: r.Source,
		Email: r.Email, Name: r.Name, FirstSeen: utc(r.FirstSeen), LastSeen: utc(r.LastSeen)}
}

// CreateExternalLogin implements register.IdentityStore.
func (s *Store) CreateExternalLogin(ctx context.Context, stateHash string, l *register.ExternalLogin) error {
	_, err := s.idb.NewInsert().Model(&oidcLoginRow{StateHash: stateHash, Nonce: l.Nonce, Verifier: l.Verifier, Next: l.Next, CreatedAt: utc(l.CreatedAt)}).Exec(ctx)
	return dbError(err, "sign-in")
}

// TakeExternalLogin implements register.IdentityStore: the delete decides,
// so that two callbacks with the same state cannot both use it.
func (s *Store) TakeExternalLogin(ctx context.Context, stateHash string) (*register.ExternalLogin, error) {
	var r oidcLoginRow
	if err := s.idb.NewSelect().Model(&r).Where("state_hash = ?", stateHash).Scan(ctx); err != nil {
		return nil, dbError(err, "sign-in")
	}
	res, err := s.idb.NewDelete().Model((*oidcLoginRow)(nil)).Where("state_hash = ?", stateHash).Exec(ctx)
	if err := affected(res, err, "sign-in"); err != nil {
		return nil, err
	}
	return &register.ExternalLogin{Nonce: r.Nonce, Verifier: r.Verifier, Next: r.Next, CreatedAt: utc(r.CreatedAt)}, nil
}

// PurgeExternalLogins implements register.IdentityStore.
func (s *Store) PurgeExternalLogins(ctx context.Context, before time.Time) (int, error) {
	res, err := s.idb.NewDelete().Model((*oidcLoginRow)(nil)).Where("created_at < ?", utc(before)).Exec(ctx)
	if err != nil {
		return 0, dbError(err, "purge sign-ins")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// GetSubject implements register.IdentityStore.
func (s *Store) GetSubject(ctx context.Context, issuer, subject string) (*register.ExternalSubject, error) {
	var r oidcSubjectRow
	if err := s.idb.NewSelect().Model(&r).Where("issuer = ? AND subject = ?", issuer, subject).Scan(ctx); err != nil {
		return nil, dbError(err, "subject")
	}
	d := r.domain()
	return &d, nil
}

// PutSubject implements register.IdentityStore.
func (s *Store) PutSubject(ctx context.Context, sub *register.ExternalSubject) error {
	row := &oidcSubjectRow{Issuer: sub.Issuer, Subject: sub.Subject, Username: sql.NullString{String: sub.Username, Valid: sub.Username != ""},
		Source: sub.Source, Email: sub.Email, Name: sub.Name, FirstSeen: utc(sub.FirstSeen), LastSeen: utc(sub.LastSeen)}
	_, err := s.idb.NewInsert().Model(row).
		On("CONFLICT (issuer, subject) DO UPDATE").
		Set("username = EXCLUDED.username").
		Set("source = EXCLUDED.source").
		Set("email = EXCLUDED.email").
		Set("name = EXCLUDED.name").
		Set("last_seen = EXCLUDED.last_seen").
		Exec(ctx)
	return dbError(err, "subject")
}

// ListSubjects implements register.IdentityStore: the unassigned first,
// then by last sign-in.
func (s *Store) ListSubjects(ctx context.Context) ([]register.ExternalSubject, error) {
	var rows []oidcSubjectRow
	err := s.idb.NewSelect().Model(&rows).OrderExpr("CASE WHEN username IS NULL THEN 0 ELSE 1 END, last_seen DESC, issuer, subject").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, dbError(err, "subjects")
	}
	out := make([]register.ExternalSubject, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].domain())
	}
	return out, nil
}

// UnassignSubjects implements register.IdentityStore.
func (s *Store) UnassignSubjects(ctx context.Context, username string) error {
	_, err := s.idb.NewUpdate().Model((*oidcSubjectRow)(nil)).Set("username = NULL").Set("source = ''").
		Where("username = ?", username).Exec(ctx)
	return dbError(err, "subjects")
}

// ListSessions implements register.IdentityStore: sessions not past their
// absolute end nor idle since idleBefore, newest first.
func (s *Store) ListSessions(ctx context.Context, now, idleBefore time.Time) ([]register.Session, error) {
	var rows []sessionRow
	err := s.idb.NewSelect().Model(&rows).ExcludeColumn("token_hash", "csrf").
		Where("expires_at > ? AND seen_at >= ?", utc(now), utc(idleBefore)).
		Order("seen_at DESC", "id").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, dbError(err, "sessions")
	}
	out := make([]register.Session, 0, len(rows))
	for _, r := range rows {
		out = append(out, register.Session{ID: r.ID, Username: r.Username, CreatedAt: utc(r.CreatedAt), SeenAt: utc(r.SeenAt), ExpiresAt: utc(r.ExpiresAt)})
	}
	return out, nil
}
