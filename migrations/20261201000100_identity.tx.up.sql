-- Accounts gain an e-mail address (for reminders; '' for none) and can be
-- disabled without being deleted. disabled_at is NULL for an active account.
-- tokens_not_before refuses every API token of the account issued before it
-- (set by disabling, by "sign out everywhere" and by a change of role,
-- organisation or units), since a token carries the role it was issued with.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE users ADD COLUMN disabled_at {{.TS}};
--bun:split
ALTER TABLE users ADD COLUMN tokens_not_before {{.TS}};
--bun:split
-- People of the OpenID provider who signed in (docs/identity.md): a
-- subject is who the provider says someone is; username is the local
-- account an administrator assigned it to (or that the configured claims
-- created), NULL until then. email and name are what the provider said at
-- the last sign-in, so that the administrator can recognise the person.
CREATE TABLE oidc_subjects (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    username   TEXT,
    email      TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    first_seen {{.TS}} NOT NULL,
    last_seen  {{.TS}} NOT NULL,
    PRIMARY KEY (issuer, subject)
);
--bun:split
CREATE INDEX oidc_subjects_username ON oidc_subjects (username);
--bun:split
-- Sign-ins under way at the provider: the state the browser carries back
-- (only its SHA-256 is kept), the nonce the ID token must repeat and the
-- PKCE verifier. A row is used once and purged after a few minutes.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL DEFAULT '',
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX oidc_logins_created ON oidc_logins (created_at);
