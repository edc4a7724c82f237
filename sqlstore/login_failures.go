package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// failureKey hashes a limiter key: the table holds no username or address
// in clear.
func failureKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// AddFailure implements httpkit.SharedFailures: it leaks key's bucket to
// now at one failure per decay, adds one failure and returns the new level,
// in one statement, so that instances adding at once are all counted.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, decay time.Duration) (float64, error) {
	greatest := "MAX"
	if s.db.postgres {
		greatest = "GREATEST"
	}
	var level float64
	err := s.db.write.NewRaw(`INSERT INTO login_failures (key, level, at_us) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
    level = `+greatest+`(0, login_failures.level - CAST(excluded.at_us - login_failures.at_us AS REAL) / ?) + 1,
    at_us = excluded.at_us
RETURNING level`, failureKey(key), now.UnixMicro(), float64(decay.Microseconds())).Scan(ctx, &level)
	return level, dbError(err, "login failures")
}

// FailureLevel implements httpkit.SharedFailures: key's bucket leaked down
// to now, 0 when none.
func (s *Store) FailureLevel(ctx context.Context, key string, now time.Time, decay time.Duration) (float64, error) {
	var row struct {
		Level float64 `bun:"level"`
		AtUS  int64   `bun:"at_us"`
	}
	err := s.db.read.NewRaw("SELECT level, at_us FROM login_failures WHERE key = ?", failureKey(key)).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, dbError(err, "login failures")
	}
	leaked := float64(now.UnixMicro()-row.AtUS) / float64(decay.Microseconds())
	return max(0, row.Level-max(0, leaked)), nil
}

// ClearFailures implements httpkit.SharedFailures.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	_, err := s.db.write.NewRaw("DELETE FROM login_failures WHERE key = ?", failureKey(key)).Exec(ctx)
	return dbError(err, "login failures")
}

// PurgeFailures drops the buckets that have leaked empty by now (none
// leaks slower than maxDrain per failure of burst); serve runs it with the
// other purges.
func (s *Store) PurgeFailures(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.write.NewRaw("DELETE FROM login_failures WHERE at_us < ?", before.UnixMicro()).Exec(ctx)
	if err != nil {
		return 0, dbError(err, "login failures")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
