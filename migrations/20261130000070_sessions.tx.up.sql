-- Back-office sessions (register/sessions.go). The browser holds a secret
-- token; only its SHA-256 is kept here, so that a copy of the database opens
-- no session. role, organisation and units are the account's at sign-in: a
-- session whose account no longer matches them is ended at its next request.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    username     TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    role         TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    -- JSON array of unit slugs, as in users.units.
    units        TEXT NOT NULL DEFAULT '[]',
    created_at   {{.TS}} NOT NULL,
    seen_at      {{.TS}} NOT NULL,
    -- the absolute end; the idle end is seen_at plus the idle timeout.
    expires_at   {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX sessions_username ON sessions (username);
--bun:split
CREATE INDEX sessions_expires ON sessions (expires_at);
--bun:split
CREATE INDEX sessions_seen ON sessions (seen_at);
