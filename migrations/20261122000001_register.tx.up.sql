-- The register: organisations, units, processings with every saved version,
-- the public register and the audit trail. Written once for both databases;
-- {{.TS}} is TIMESTAMPTZ on PostgreSQL and TIMESTAMP (UTC text) on SQLite.
CREATE TABLE organisations (
    slug          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    dpo_contact   TEXT NOT NULL DEFAULT '',
    lipad_contact TEXT NOT NULL DEFAULT '',
    created_at    {{.TS}} NOT NULL,
    updated_at    {{.TS}} NOT NULL
);
--bun:split
CREATE TABLE units (
    organisation TEXT NOT NULL REFERENCES organisations (slug),
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   {{.TS}} NOT NULL,
    PRIMARY KEY (organisation, slug)
);
--bun:split
CREATE TABLE processings (
    id                TEXT PRIMARY KEY,
    organisation      TEXT NOT NULL REFERENCES organisations (slug),
    unit              TEXT NOT NULL,
    reference         TEXT,
    title             TEXT NOT NULL,
    status            TEXT NOT NULL,
    version           INTEGER NOT NULL,
    revision          BIGINT NOT NULL,
    published_version INTEGER NOT NULL DEFAULT 0,
    search_key        TEXT NOT NULL,
    data              TEXT NOT NULL,
    created_at        {{.TS}} NOT NULL,
    updated_at        {{.TS}} NOT NULL,
    FOREIGN KEY (organisation, unit) REFERENCES units (organisation, slug)
);
--bun:split
CREATE UNIQUE INDEX processings_reference ON processings (organisation, reference);
--bun:split
CREATE INDEX processings_org_updated ON processings (organisation, updated_at DESC, id DESC);
--bun:split
CREATE INDEX processings_updated ON processings (updated_at DESC, id DESC);
--bun:split
CREATE TABLE processing_versions (
    processing_id TEXT NOT NULL REFERENCES processings (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    data          TEXT NOT NULL,
    saved_at      {{.TS}} NOT NULL,
    saved_by      TEXT NOT NULL,
    PRIMARY KEY (processing_id, version)
);
--bun:split
CREATE TABLE publications (
    processing_id TEXT PRIMARY KEY REFERENCES processings (id),
    organisation  TEXT NOT NULL REFERENCES organisations (slug),
    version       INTEGER NOT NULL,
    title         TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    sensitive     BOOLEAN NOT NULL,
    basis_types   TEXT NOT NULL,
    categories    TEXT NOT NULL,
    data          TEXT NOT NULL,
    published_at  {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX publications_org ON publications (organisation, title);
--bun:split
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           {{.TS}} NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    organisation TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL,
    prev_hash    TEXT NOT NULL
);
--bun:split
CREATE INDEX audit_org_seq ON audit_log (organisation, seq);
--bun:split
CREATE INDEX audit_target_seq ON audit_log (target, seq);
