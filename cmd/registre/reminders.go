package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/registre/registre/internal/mail"
	"github.com/registre/registre/register"
)

// remindersEvery is how often serve looks for digests due, unless
// REGISTRE_REMINDERS_INTERVAL says otherwise: often enough that a digest
// goes out within minutes of its local hour. A look when nothing is due
// only reads (one query per organisation once the period's digests are
// claimed).
const remindersEvery = 5 * time.Minute

// remindersInterval reads REGISTRE_REMINDERS_INTERVAL (a Go duration,
// 100ms to 24h; default 5m). A short one suits tests and a demonstration;
// the claims keep one digest per person and period at any interval.
func remindersInterval(raw string) (time.Duration, error) {
	if raw == "" {
		return remindersEvery, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
		return 0, errors.New("REGISTRE_REMINDERS_INTERVAL must be a duration from 100ms to 24h (e.g. 5m)")
	}
	return d, nil
}

// startReminders sends the digests due (docs/reviews.md "Reminders") by
// REGISTRE_SMTP_URL from REGISTRE_MAIL_FROM, now and every
// REGISTRE_REMINDERS_INTERVAL,
// until ctx ends or stop is called. Without REGISTRE_SMTP_URL nothing is
// sent (the private feeds still work). Several instances may run it: the
// database lets one of them claim each person's digest of a period.
func startReminders(ctx context.Context, e *env, publicURL string, svc *register.Service, log *slog.Logger) (stop func(), err error) {
	raw := e.getenv("REGISTRE_SMTP_URL")
	if raw == "" {
		log.InfoContext(ctx, "reminders by e-mail off (no REGISTRE_SMTP_URL)")
		return func() {}, nil
	}
	if publicURL == "" {
		return nil, errors.New("REGISTRE_SMTP_URL needs REGISTRE_PUBLIC_URL: the digests link to the office pages")
	}
	cfg, err := mail.Parse(raw, e.getenv("REGISTRE_MAIL_FROM"), publicURL)
	if err != nil {
		return nil, err
	}
	every, err := remindersInterval(e.getenv("REGISTRE_REMINDERS_INTERVAL"))
	if err != nil {
		return nil, err
	}
	// The host and the user name only: never the password.
	log.InfoContext(ctx, "reminders by e-mail on", "smtp", cfg.Host, "smtp_user", cfg.User, "tls", map[bool]string{true: "implicit", false: "starttls when offered"}[cfg.Implicit], "every", every.String())
	sender := mail.New(cfg)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			start := time.Now()
			if n, err := svc.SendDueDigests(ctx, sender); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "sending the reminders", "err", err)
			} else if n > 0 {
				log.InfoContext(ctx, "reminders sent", "digests", n, "ms", time.Since(start).Milliseconds())
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}, nil
}
