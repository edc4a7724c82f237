package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

var _ register.AccountStore = (*Store)(nil)

// ---- accounts ----

type userRow struct {
	bun.BaseModel `bun:"table:users"`
	Username      string         `bun:"username,pk"`
	PasswordHash  string         `bun:"password_hash"`
	Role          string         `bun:"role"`
	Organisation  sql.NullString `bun:"organisation"`
	Units         string         `bun:"units"`
	Email         string         `bun:"email"`
	CreatedAt     time.Time      `bun:"created_at"`
	DisabledAt    time.Time      `bun:"disabled_at,nullzero"`
	TokensNB      time.Time      `bun:"tokens_not_before,nullzero"`
}

func (r *userRow) domain() (register.Account, error) {
	a := register.Account{Username: r.Username, Role: auth.Role(r.Role), Org: r.Organisation.String, Email: r.Email, CreatedAt: utc(r.CreatedAt)}
	if !r.DisabledAt.IsZero() {
		at := utc(r.DisabledAt)
		a.Disabled, a.DisabledAt = true, &at
	}
	if !r.TokensNB.IsZero() {
		a.TokensNotBefore = utc(r.TokensNB)
	}
	if err := json.Unmarshal([]byte(r.Units), &a.Units); err != nil {
		return register.Account{}, fmt.Errorf("account units: %w", err)
	}
	if len(a.Units) == 0 {
		a.Units = nil
	}
	return a, nil
}

// CreateUser implements register.AccountStore.
func (s *Store) CreateUser(ctx context.Context, a *register.Account, passwordHash string) error {
	row, err := userRowOf(a)
	if err != nil {
		return err
	}
	row.PasswordHash = passwordHash
	_, err = s.idb.NewInsert().Model(row).Exec(ctx)
	return dbError(err, "account")
}

// userRowOf is the row of a, without the password hash.
func userRowOf(a *register.Account) (*userRow, error) {
	units := a.Units
	if units == nil {
		units = []string{}
	}
	b, err := json.Marshal(units)
	if err != nil {
		return nil, fmt.Errorf("encode units: %w", err)
	}
	row := &userRow{Username: a.Username, Role: string(a.Role),
		Organisation: sql.NullString{String: a.Org, Valid: a.Org != ""}, Units: string(b), Email: a.Email, CreatedAt: utc(a.CreatedAt)}
	if a.Disabled && a.DisabledAt != nil {
		row.DisabledAt = utc(*a.DisabledAt)
	}
	if !a.TokensNotBefore.IsZero() {
		row.TokensNB = utc(a.TokensNotBefore)
	}
	return row, nil
}

// UpdateUser implements register.AccountStore.
func (s *Store) UpdateUser(ctx context.Context, a *register.Account) error {
	row, err := userRowOf(a)
	if err != nil {
		return err
	}
	res, err := s.idb.NewUpdate().Model(row).
		Column("email", "role", "organisation", "units", "disabled_at", "tokens_not_before").
		Where("username = ?", a.Username).Exec(ctx)
	return affected(res, err, "account")
}

// GetUser implements register.AccountStore.
func (s *Store) GetUser(ctx context.Context, username string) (*register.Account, string, error) {
	var r userRow
	if err := s.idb.NewSelect().Model(&r).Where("username = ?", username).Scan(ctx); err != nil {
		return nil, "", dbError(err, "account")
	}
	a, err := r.domain()
	if err != nil {
		return nil, "", err
	}
	return &a, r.PasswordHash, nil
}

// ListUsers implements register.AccountStore. The hash column is not even
// read.
func (s *Store) ListUsers(ctx context.Context) ([]register.Account, error) {
	var rows []userRow
	err := s.idb.NewSelect().Model(&rows).ExcludeColumn("password_hash").Order("username").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "accounts")
	}
	out := make([]register.Account, 0, len(rows))
	for i := range rows {
		a, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// DeleteUser implements register.AccountStore.
func (s *Store) DeleteUser(ctx context.Context, username string) error {
	res, err := s.idb.NewDelete().Model((*userRow)(nil)).Where("username = ?", username).Exec(ctx)
	if err := affected(res, err, "account"); err != nil {
		return err
	}
	// The feed's secret and the reminder choices go with the account: a
	// new account of the same name starts without them.
	_, err = s.idb.NewDelete().Model((*reminderPrefsRow)(nil)).Where("username = ?", username).Exec(ctx)
	return dbError(err, "reminder preferences")
}

// ---- revocations ----

type revokedTokenRow struct {
	bun.BaseModel `bun:"table:revoked_tokens"`
	Subject       string    `bun:"subject,pk"`
	JTI           string    `bun:"jti,pk"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

type deletedAccountRow struct {
	bun.BaseModel `bun:"table:deleted_accounts"`
	Username      string    `bun:"username,pk"`
	DeletedAt     time.Time `bun:"deleted_at"`
	KeepUntil     time.Time `bun:"keep_until"`
}

// RevokeToken implements register.AccountStore.
func (s *Store) RevokeToken(ctx context.Context, subject, jti string, expiresAt time.Time) error {
	_, err := s.idb.NewInsert().Model(&revokedTokenRow{Subject: subject, JTI: jti, ExpiresAt: utc(expiresAt)}).
		On("CONFLICT DO NOTHING").Exec(ctx)
	return dbError(err, "revocation")
}

// TokenRevoked implements register.AccountStore.
func (s *Store) TokenRevoked(ctx context.Context, subject, jti string) (bool, error) {
	n, err := s.idb.NewSelect().Model((*revokedTokenRow)(nil)).
		Where("subject = ? AND jti = ?", subject, jti).Count(ctx)
	if err != nil {
		return false, dbError(err, "revocation")
	}
	return n > 0, nil
}

// MarkDeleted implements register.AccountStore. A second deletion of the
// same username moves the mark forward.
func (s *Store) MarkDeleted(ctx context.Context, username string, at, until time.Time) error {
	_, err := s.idb.NewInsert().Model(&deletedAccountRow{Username: username, DeletedAt: utc(at), KeepUntil: utc(until)}).
		On("CONFLICT (username) DO UPDATE").
		Set("deleted_at = EXCLUDED.deleted_at").
		Set("keep_until = EXCLUDED.keep_until").
		Exec(ctx)
	return dbError(err, "deletion mark")
}

// DeletedAt implements register.AccountStore.
func (s *Store) DeletedAt(ctx context.Context, username string) (time.Time, bool, error) {
	var r deletedAccountRow
	err := s.idb.NewSelect().Model(&r).Where("username = ?", username).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, dbError(err, "deletion mark")
	}
	return utc(r.DeletedAt), true, nil
}

// PurgeRevocations implements register.AccountStore.
func (s *Store) PurgeRevocations(ctx context.Context, now time.Time) (int, error) {
	var total int64
	for _, q := range []*bun.DeleteQuery{
		s.idb.NewDelete().Model((*revokedTokenRow)(nil)).Where("expires_at < ?", utc(now)),
		s.idb.NewDelete().Model((*deletedAccountRow)(nil)).Where("keep_until < ?", utc(now)),
	} {
		res, err := q.Exec(ctx)
		if err != nil {
			return 0, dbError(err, "purge revocations")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("purge revocations: %w", err)
		}
		total += n
	}
	return int(total), nil
}

// ---- signing keys ----

type signingKeyRow struct {
	bun.BaseModel `bun:"table:signing_keys"`
	KID           string    `bun:"kid,pk"`
	Algorithm     string    `bun:"algorithm"`
	PrivateKey    []byte    `bun:"private_key"`
	CreatedAt     time.Time `bun:"created_at"`
}

// LatestSigningKey implements register.AccountStore.
func (s *Store) LatestSigningKey(ctx context.Context) (*register.SigningKey, error) {
	var r signingKeyRow
	if err := s.idb.NewSelect().Model(&r).Order("created_at DESC", "kid").Limit(1).Scan(ctx); err != nil {
		return nil, dbError(err, "signing key")
	}
	return &register.SigningKey{ID: r.KID, Algorithm: r.Algorithm, Seed: r.PrivateKey, CreatedAt: utc(r.CreatedAt)}, nil
}

// CreateSigningKey implements register.AccountStore.
func (s *Store) CreateSigningKey(ctx context.Context, k *register.SigningKey) error {
	_, err := s.idb.NewInsert().Model(&signingKeyRow{KID: k.ID, Algorithm: k.Algorithm, PrivateKey: k.Seed, CreatedAt: utc(k.CreatedAt)}).Exec(ctx)
	return dbError(err, "signing key")
}

// SetPassword implements register.AccountStore.
func (s *Store) SetPassword(ctx context.Context, username, passwordHash string) error {
	res, err := s.idb.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", passwordHash).
		Where("username = ?", username).Exec(ctx)
	return affected(res, err, "account")
}
