package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.ReminderStore = (*Store)(nil)

type reminderSettingsRow struct {
	bun.BaseModel `bun:"table:reminder_settings"`
	Organisation  string `bun:"organisation,pk"`
	Frequency     string `bun:"frequency"`
	Hour          int    `bun:"hour"`
}

type reminderPrefsRow struct {
	bun.BaseModel `bun:"table:reminder_prefs"`
	Username      string `bun:"username,pk"`
	OptOut        bool   `bun:"opt_out"`
	Lang          string `bun:"lang"`
	FeedHash      string `bun:"feed_hash"`
}

type reminderClaimRow struct {
	bun.BaseModel `bun:"table:reminder_claims"`
	Username      string     `bun:"username,pk"`
	Period        string     `bun:"period,pk"`
	ClaimedAt     time.Time  `bun:"claimed_at"`
	DoneAt        *time.Time `bun:"done_at"`
	Outcome       string     `bun:"outcome"`
	Items         int        `bun:"items"`
}

// GetReminderSettings implements register.ReminderStore.
func (s *Store) GetReminderSettings(ctx context.Context, org string) (*register.ReminderSettings, error) {
	var r reminderSettingsRow
	err := s.idb.NewSelect().Model(&r).Where("organisation = ?", org).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &register.ReminderSettings{Organisation: org, Frequency: register.Weekly, Hour: register.DefaultReminderHour}, nil
	}
	if err != nil {
		return nil, dbError(err, "reminder settings")
	}
	return &register.ReminderSettings{Organisation: r.Organisation, Frequency: r.Frequency, Hour: r.Hour}, nil
}

// PutReminderSettings implements register.ReminderStore.
func (s *Store) PutReminderSettings(ctx context.Context, rs *register.ReminderSettings) error {
	r := &reminderSettingsRow{Organisation: rs.Organisation, Frequency: rs.Frequency, Hour: rs.Hour}
	_, err := s.idb.NewInsert().Model(r).On("CONFLICT (organisation) DO UPDATE").
		Set("frequency = EXCLUDED.frequency, hour = EXCLUDED.hour").Exec(ctx)
	return dbError(err, "reminder settings")
}

func (r *reminderPrefsRow) domain() *register.ReminderPrefs {
	return &register.ReminderPrefs{Username: r.Username, OptOut: r.OptOut, Lang: r.Lang, FeedHash: r.FeedHash}
}

// GetReminderPrefs implements register.ReminderStore.
func (s *Store) GetReminderPrefs(ctx context.Context, username string) (*register.ReminderPrefs, error) {
	var r reminderPrefsRow
	err := s.idb.NewSelect().Model(&r).Where("username = ?", username).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &register.ReminderPrefs{Username: username, Lang: "fr"}, nil
	}
	if err != nil {
		return nil, dbError(err, "reminder preferences")
	}
	return r.domain(), nil
}

// PutReminderPrefs implements register.ReminderStore.
func (s *Store) PutReminderPrefs(ctx context.Context, p *register.ReminderPrefs) error {
	r := &reminderPrefsRow{Username: p.Username, OptOut: p.OptOut, Lang: p.Lang, FeedHash: p.FeedHash}
	_, err := s.idb.NewInsert().Model(r).On("CONFLICT (username) DO UPDATE").
		Set("opt_out = EXCLUDED.opt_out, lang = EXCLUDED.lang, feed_hash = EXCLUDED.feed_hash").Exec(ctx)
	return dbError(err, "reminder preferences")
}

// ReminderPrefsByFeed implements register.ReminderStore.
func (s *Store) ReminderPrefsByFeed(ctx context.Context, hash string) (*register.ReminderPrefs, error) {
	if hash == "" {
		return nil, register.Errorf(register.ENotFound, "feed not found")
	}
	var r reminderPrefsRow
	if err := s.idb.NewSelect().Model(&r).Where("feed_hash = ?", hash).Limit(1).Scan(ctx); err != nil {
		return nil, dbError(err, "feed")
	}
	return r.domain(), nil
}

// ClaimDigest implements register.ReminderStore: the primary key lets one
// insert of (username, period) succeed, whichever instance makes it.
func (s *Store) ClaimDigest(ctx context.Context, username, period string, at time.Time) (bool, error) {
	r := &reminderClaimRow{Username: username, Period: period, ClaimedAt: utc(at)}
	res, err := s.idb.NewInsert().Model(r).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, dbError(err, "digest claim")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, dbError(err, "digest claim")
	}
	return n == 1, nil
}

// ClaimedDigests implements register.ReminderStore.
func (s *Store) ClaimedDigests(ctx context.Context, period string) ([]string, error) {
	var out []string
	err := s.idb.NewSelect().TableExpr("reminder_claims").Column("username").Where("period = ?", period).Scan(ctx, &out)
	return out, dbError(err, "digest claims")
}

// FinishDigest implements register.ReminderStore.
func (s *Store) FinishDigest(ctx context.Context, username, period, outcome string, items int, at time.Time) error {
	res, err := s.idb.NewUpdate().TableExpr("reminder_claims").Set("outcome = ?, items = ?, done_at = ?", outcome, items, utc(at)).
		Where("username = ? AND period = ?", username, period).Exec(ctx)
	return affected(res, err, "digest claim")
}

// OpenTasks implements register.ReminderStore.
func (s *Store) OpenTasks(ctx context.Context, org string) ([]register.ReviewTask, error) {
	var rows []taskRow
	err := s.idb.NewSelect().Model(&rows).
		Where("organisation = ? AND outcome = ''", org).
		Where("campaign_id IN (SELECT id FROM review_campaigns WHERE organisation = ? AND closed_at IS NULL)", org).
		OrderExpr("unit, title, processing_id").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "review tasks")
	}
	out := make([]register.ReviewTask, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].domain())
	}
	return out, nil
}
