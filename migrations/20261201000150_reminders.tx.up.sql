-- Reminders (issue 20, docs/reviews.md "Reminders").
--
-- Per organisation: how often its people get a digest (daily or weekly)
-- and at which local hour (Europe/Zurich). No row: weekly at 7.
CREATE TABLE reminder_settings (
    organisation TEXT PRIMARY KEY,
    frequency    TEXT NOT NULL DEFAULT 'weekly',
    hour         INTEGER NOT NULL DEFAULT 7
);
--bun:split
-- Per person: the opt-out, the language of the digest and the SHA-256 of
-- the secret of their private feed ('' for none; the secret itself is
-- shown once and never stored). No row: fr, not opted out, no feed.
CREATE TABLE reminder_prefs (
    username  TEXT PRIMARY KEY,
    opt_out   BOOLEAN NOT NULL DEFAULT FALSE,
    lang      TEXT NOT NULL DEFAULT 'fr',
    feed_hash TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX reminder_prefs_feed ON reminder_prefs (feed_hash);
--bun:split
-- One digest per person and period: an instance claims (username, period)
-- before it sends, and the primary key lets only one claim succeed, so
-- several instances never send twice. outcome: '' while sending, then
-- 'sent' or 'failed'.
CREATE TABLE reminder_claims (
    username   TEXT NOT NULL,
    period     TEXT NOT NULL,
    claimed_at {{.TS}} NOT NULL,
    done_at    {{.TS}},
    outcome    TEXT NOT NULL DEFAULT '',
    items      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (username, period)
);
