-- The DPO's overview (register/overview.go) counts what the standing keeps
-- (migration 20261130000080_standing): the law codes of each record's
-- blocking findings (",gdpr-30,notice,", register.LawSet) and three risks.
ALTER TABLE processings ADD COLUMN blocking_laws TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN dpia_due BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE processings ADD COLUMN abroad BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE processings ADD COLUMN profiling BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
-- The new columns are computed by the rules, in Go: every standing is made
-- stale, and the service recomputes them at its next start, in batches
-- (register.Service.RefreshStaleStandings); until then the list computes
-- the rows of the page it shows.
UPDATE processings SET checked_at = NULL;
--bun:split
-- The overview's grouped count and the list's filters on the new columns
-- read this index alone, not the rows (whose JSON makes them large).
CREATE INDEX processings_overview ON processings (organisation, status, unit, blocking, sensitive, dpia_due,
    abroad, profiling, review_due, blocking_laws);
--bun:split
-- Models shared between administrations (register/models.go): a DPO marks
-- a published processing as a model; editors of any organisation start a
-- draft from its public fields.
CREATE TABLE models (
    processing_id TEXT PRIMARY KEY REFERENCES processings (id) ON DELETE CASCADE,
    organisation  TEXT NOT NULL,
    marked_by     TEXT NOT NULL,
    marked_at     {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX models_marked ON models (marked_at DESC, processing_id);
--bun:split
-- The import wizard's previewed spreadsheets, until confirmed
-- (register/importstage.go): one per person, 30 minutes at most.
CREATE TABLE staged_imports (
    id           TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    actor        TEXT NOT NULL,
    unit         TEXT NOT NULL,
    name         TEXT NOT NULL,
    data         {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
    created_at   {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX staged_imports_actor ON staged_imports (actor);
--bun:split
CREATE INDEX staged_imports_created ON staged_imports (created_at);
