package register

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Reminders: a digest per person of what waits for them (review tasks of
// open campaigns for their units, drafts returned to them, and for a DPO
// the records waiting for review), sent daily or weekly as the
// organisation chooses at a local hour (Zurich), in the person's language;
// and the same items as a private feed at a secret URL. A digest is
// claimed for (person, period) in the database before it is sent, so that
// several instances never send the same person two digests in a period.

// Digest frequencies.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// ActionReminderSettings is the audit action of a change of when an
// organisation's digests go out.
const ActionReminderSettings = "reminders.settings"

// DefaultReminderHour is the local hour digests go out when the
// organisation has not chosen one.
const DefaultReminderHour = 7

// ReminderSettings is an organisation's choice of when digests go out.
type ReminderSettings struct {
	Organisation string `json:"organisation"`
	Frequency    string `json:"frequency"` // daily, weekly (on Mondays)
	Hour         int    `json:"hour"`      // 0..23, Europe/Zurich
}

// ReminderPrefs is a person's choice about reminders. FeedHash is the
// SHA-256 (hex) of their feed's secret, "" for no feed.
type ReminderPrefs struct {
	Username string `json:"username"`
	OptOut   bool   `json:"opt_out"`
	Lang     string `json:"lang"` // fr, en
	FeedHash string `json:"-"`
}

// Kinds of digest items.
const (
	ItemTask     = "task"      // a campaign's review task for one of the person's units
	ItemReturned = "returned"  // a draft the DPO returned to the person
	ItemToReview = "to-review" // a record waiting for the DPO's review
)

// DigestItem is one thing waiting for a person.
type DigestItem struct {
	Kind         string    `json:"kind"`
	ProcessingID string    `json:"processing"`
	Title        string    `json:"title"`
	Unit         string    `json:"unit"`
	CampaignID   string    `json:"campaign,omitempty"`
	Campaign     string    `json:"campaign_title,omitempty"`
	DueOn        string    `json:"due_on,omitempty"`
	Comment      string    `json:"comment,omitempty"` // a return's comment
	Updated      time.Time `json:"updated"`
}

// Digest is what one person is sent for one period.
type Digest struct {
	Username     string
	Email        string // never logged
	Lang         string
	Organisation string
	Period       string // 2026-12-01 (daily) or 2026-W49 (weekly)
	Items        []DigestItem
}

// ReminderStore keeps the reminders' settings, preferences and claims.
type ReminderStore interface {
	// GetReminderSettings returns org's settings, the defaults when none
	// were stored.
	GetReminderSettings(ctx context.Context, org string) (*ReminderSettings, error)
	PutReminderSettings(ctx context.Context, s *ReminderSettings) error
	// GetReminderPrefs returns username's preferences, the defaults when
	// none were stored.
	GetReminderPrefs(ctx context.Context, username string) (*ReminderPrefs, error)
	PutReminderPrefs(ctx context.Context, p *ReminderPrefs) error
	// ReminderPrefsByFeed returns the preferences whose FeedHash is hash
	// (ENotFound).
	ReminderPrefsByFeed(ctx context.Context, hash string) (*ReminderPrefs, error)
	// ClaimDigest claims (username, period) at at; false when it was
	// already claimed, by this instance or another.
	ClaimDigest(ctx context.Context, username, period string, at time.Time) (bool, error)
	// ClaimedDigests lists the usernames whose digest of period is claimed.
	ClaimedDigests(ctx context.Context, period string) ([]string, error)
	// FinishDigest records the outcome of a claimed digest.
	FinishDigest(ctx context.Context, username, period, outcome string, items int, at time.Time) error
	// OpenTasks lists the undone tasks of org's open campaigns, with their
	// campaigns.
	OpenTasks(ctx context.Context, org string) ([]ReviewTask, error)
}

// Period is the period t falls in for frequency: the local day
// (2026-12-01) or the ISO week (2026-W49).
func Period(frequency string, t time.Time, zone *time.Location) string {
	t = t.In(zone)
	if frequency == Daily {
		return t.Format(time.DateOnly)
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// due reports whether a digest of settings is due at t: from the chosen
// local hour of the period's first day on (every day for daily, Mondays
// for weekly), until the period ends. A digest that could not go out at
// the hour (the instance was down) goes out later in the same period.
func (rs *ReminderSettings) due(t time.Time, zone *time.Location) bool {
	t = t.In(zone)
	if rs.Frequency == Daily {
		return t.Hour() >= rs.Hour
	}
	return t.Weekday() != time.Monday || t.Hour() >= rs.Hour
}

// SetReminderSettings sets when org's digests go out (DPO or
// administrator). Audited.
func (s *Service) SetReminderSettings(ctx context.Context, p *identity.Principal, in ReminderSettings) (*ReminderSettings, error) {
	if err := requireRole(p, identity.RoleDPO, identity.RoleAdmin); err != nil {
		return nil, err
	}
	if !sameOrg(p, in.Organisation) {
		return nil, notFound("organisation")
	}
	if fields := checkReminderSettings(in); fields != nil {
		return nil, invalid(fields...)
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetOrganisation(ctx, in.Organisation); err != nil {
			return err
		}
		if err := tx.PutReminderSettings(ctx, &in); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), in.Organisation, ActionReminderSettings, "organisation/"+in.Organisation, 0,
			in.Frequency+" at "+itoa(in.Hour)+":00")
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// checkReminderSettings says what is wrong with rs's frequency and hour.
func checkReminderSettings(rs ReminderSettings) []FieldError {
	var fields []FieldError
	if rs.Frequency != Daily && rs.Frequency != Weekly {
		fields = append(fields, FieldError{Field: "frequency", Message: "is not one of daily, weekly"})
	}
	if rs.Hour < 0 || rs.Hour > 23 {
		fields = append(fields, FieldError{Field: "hour", Message: "must be an hour from 0 to 23"})
	}
	return fields
}

// ReminderSettings returns when org's digests go out.
func (s *Service) ReminderSettings(ctx context.Context, p *identity.Principal, org string) (*ReminderSettings, error) {
	if p == nil {
		return nil, Errorf(EUnauthorized, "authentication required")
	}
	if !sameOrg(p, org) {
		return nil, notFound("organisation")
	}
	// The store answers the defaults for any slug: an administrator asking
	// for an organisation that does not exist is told so.
	if _, err := s.store.GetOrganisation(ctx, org); err != nil {
		return nil, err
	}
	return s.store.GetReminderSettings(ctx, org)
}

// MyReminderPrefs returns the caller's preferences.
func (s *Service) MyReminderPrefs(ctx context.Context, p *identity.Principal) (*ReminderPrefs, error) {
	if p == nil {
		return nil, Errorf(EUnauthorized, "authentication required")
	}
	return s.store.GetReminderPrefs(ctx, p.Subject)
}

// SetMyReminderPrefs sets the caller's opt-out and language; the feed is
// left as it is.
func (s *Service) SetMyReminderPrefs(ctx context.Context, p *identity.Principal, optOut bool, lang string) (*ReminderPrefs, error) {
	if p == nil {
		return nil, Errorf(EUnauthorized, "authentication required")
	}
	if lang != "fr" && lang != "en" {
		return nil, invalid(FieldError{Field: "lang", Message: "is not one of fr, en"})
	}
	var out *ReminderPrefs
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetReminderPrefs(ctx, p.Subject)
		if err != nil {
			return err
		}
		cur.OptOut, cur.Lang = optOut, lang
		out = cur
		return tx.PutReminderPrefs(ctx, cur)
	})
	return out, err
}

// FeedHash is the stored form of a feed secret.
func FeedHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RotateFeedToken gives the caller a new secret for their private feed
// and forgets the old one (its URL then answers 404). The secret is
// returned once; only its hash is stored.
func (s *Service) RotateFeedToken(ctx context.Context, p *identity.Principal) (string, error) {
	if p == nil {
		return "", Errorf(EUnauthorized, "authentication required")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("feed secret: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetReminderPrefs(ctx, p.Subject)
		if err != nil {
			return err
		}
		cur.FeedHash = FeedHash(token)
		return tx.PutReminderPrefs(ctx, cur)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedDigest returns the items of the person whose feed secret is token,
// without a session (feed readers cannot sign in). An unknown or rotated
// secret, or a disabled account, is ENotFound.
func (s *Service) FeedDigest(ctx context.Context, token string) (*Digest, error) {
	if len(token) != 43 {
		return nil, notFound("feed")
	}
	prefs, err := s.store.ReminderPrefsByFeed(ctx, FeedHash(token))
	if err != nil {
		return nil, err
	}
	a, _, err := s.store.GetUser(ctx, prefs.Username)
	if err != nil || a.Disabled {
		return nil, notFound("feed")
	}
	items, err := s.digestItems(ctx, a)
	if err != nil {
		return nil, err
	}
	return &Digest{Username: a.Username, Lang: prefs.Lang, Organisation: a.Org, Items: items}, nil
}

// digestItems lists what waits for account a: the open tasks of its units
// (editors), the drafts returned to it, and for a DPO the records waiting
// for review. At most maxDigestItems of each kind.
func (s *Service) digestItems(ctx context.Context, a *Account) ([]DigestItem, error) {
	if a.Org == "" {
		return []DigestItem{}, nil
	}
	out := []DigestItem{}
	if a.Role == identity.RoleEditor {
		tasks, err := s.store.OpenTasks(ctx, a.Org)
		if err != nil {
			return nil, err
		}
		campaigns := map[string]*Campaign{}
		n := 0
		for _, t := range tasks {
			if !slices.Contains(a.Units, t.Unit) || n >= maxDigestItems {
				continue
			}
			c := campaigns[t.CampaignID]
			if c == nil {
				if c, err = s.store.GetCampaign(ctx, t.CampaignID); err != nil {
					return nil, err
				}
				campaigns[t.CampaignID] = c
			}
			out = append(out, DigestItem{Kind: ItemTask, ProcessingID: t.ProcessingID, Title: t.Title, Unit: t.Unit,
				CampaignID: c.ID, Campaign: c.Title, DueOn: c.DueOn, Updated: c.OpenedAt})
			n++
		}
	}
	views := []View{ViewReturned}
	if a.Role == identity.RoleDPO {
		views = append(views, ViewToReview)
	}
	for _, v := range views {
		page, err := s.store.SearchProcessings(ctx, ProcessingFilter{Organisation: a.Org, View: v, Actor: a.Username,
			Today: s.today(), Page: 1, PerPage: maxDigestItems})
		if err != nil {
			return nil, err
		}
		kind := ItemReturned
		if v == ViewToReview {
			kind = ItemToReview
		}
		for _, p := range page.Items {
			it := DigestItem{Kind: kind, ProcessingID: p.ID, Title: p.Title, Unit: p.Unit, Updated: p.UpdatedAt}
			if kind == ItemReturned {
				it.Comment = p.Standing.ReturnComment
			}
			out = append(out, it)
		}
	}
	return out, nil
}

const maxDigestItems = 50

// DigestSender delivers one digest (SMTP in serve, a recorder in tests).
type DigestSender interface {
	SendDigest(ctx context.Context, d *Digest) error
}

// SendDueDigests sends, at now, every digest due and not yet claimed for
// its period: for each organisation whose hour has come, each account of
// it with an e-mail address, not disabled, not opted out, and with
// something waiting. Each digest is claimed before it is sent, so of
// several instances exactly one sends it; a failed send is recorded and
// not retried in the period (a person is never sent two digests in a
// period). It returns how many were sent.
func (s *Service) SendDueDigests(ctx context.Context, send DigestSender) (int, error) {
	now := s.clock()
	orgs, err := s.store.ListOrganisations(ctx)
	if err != nil {
		return 0, err
	}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, o := range orgs {
		rs, err := s.store.GetReminderSettings(ctx, o.Slug)
		if err != nil {
			return sent, err
		}
		if !rs.due(now, s.zone) {
			continue
		}
		period := Period(rs.Frequency, now, s.zone)
		// Those already claimed are skipped before their items are read:
		// after the hour, most passes of a period find nothing to do.
		names, err := s.store.ClaimedDigests(ctx, period)
		if err != nil {
			return sent, err
		}
		claimed := make(map[string]bool, len(names))
		for _, n := range names {
			claimed[n] = true
		}
		for i := range users {
			a := &users[i]
			if a.Org != o.Slug || a.Email == "" || a.Disabled || claimed[a.Username] {
				continue
			}
			prefs, err := s.store.GetReminderPrefs(ctx, a.Username)
			if err != nil {
				return sent, err
			}
			if prefs.OptOut {
				continue
			}
			items, err := s.digestItems(ctx, a)
			if err != nil {
				return sent, err
			}
			if len(items) == 0 {
				continue
			}
			var won bool
			err = s.store.InTx(ctx, func(tx Store) error {
				won, err = tx.ClaimDigest(ctx, a.Username, period, now)
				return err
			})
			if err != nil {
				return sent, err
			}
			if !won {
				continue
			}
			d := &Digest{Username: a.Username, Email: a.Email, Lang: prefs.Lang, Organisation: o.Slug, Period: period, Items: items}
			outcome := "sent"
			if err := send.SendDigest(ctx, d); err != nil {
				outcome = "failed"
				// A server's reply may quote the address: it is blanked.
				s.log.WarnContext(ctx, "sending a digest", "user", a.Username, "period", period,
					"err", strings.ReplaceAll(err.Error(), a.Email, "[address]"))
			} else {
				sent++
			}
			err = s.store.InTx(ctx, func(tx Store) error {
				return tx.FinishDigest(ctx, a.Username, period, outcome, len(items), s.clock())
			})
			if err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}
