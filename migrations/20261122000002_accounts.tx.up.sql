-- Who is calling: local accounts, the token deny-list, marks of deleted
-- accounts (their earlier tokens are refused) and the service's own signing
-- key. {{.TS}} is TIMESTAMPTZ on PostgreSQL and TIMESTAMP (UTC text) on SQLite.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    -- argon2id PHC string; never leaves the store except towards Login.
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    -- NULL for administrators, who belong to no organisation.
    organisation  TEXT REFERENCES organisations (slug),
    -- JSON array of unit slugs (editors only); checked by the service.
    units         TEXT NOT NULL DEFAULT '[]',
    created_at    {{.TS}} NOT NULL
);
--bun:split
CREATE TABLE revoked_tokens (
    subject    TEXT NOT NULL,
    jti        TEXT NOT NULL,
    -- the token's own expiry: after it the row is useless and purged.
    expires_at {{.TS}} NOT NULL,
    PRIMARY KEY (subject, jti)
);
--bun:split
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
--bun:split
CREATE TABLE deleted_accounts (
    username   TEXT PRIMARY KEY,
    deleted_at {{.TS}} NOT NULL,
    -- when every token issued before deleted_at has expired.
    keep_until {{.TS}} NOT NULL
);
--bun:split
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_key {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
    created_at  {{.TS}} NOT NULL
);
