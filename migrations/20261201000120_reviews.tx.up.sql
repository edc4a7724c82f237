-- Keeping the register alive (issue 20, docs/reviews.md).
--
-- The end of a processing: when and why it ended, as the public keeps it
-- once its publication is withdrawn (GET /public/v1/processings/{id} then
-- answers 410 Gone with these public facts only).
CREATE TABLE processing_endings (
    processing_id TEXT PRIMARY KEY,
    organisation  TEXT NOT NULL,
    title         TEXT NOT NULL,
    -- the version that was public when it ended
    version       INTEGER NOT NULL,
    ended_on      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    archived_at   {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX processing_endings_org ON processing_endings (organisation, ended_on DESC, processing_id);
--bun:split
-- A planned processing's first day (YYYY-MM-DD, '' when it already runs),
-- copied from the public JSON so that lists tell planned from active
-- without decoding every row. Planned or active is decided when read.
ALTER TABLE publications ADD COLUMN planned_start TEXT NOT NULL DEFAULT '';
--bun:split
-- Comments a DPO attached to fields when returning a draft; every return's
-- comments are kept (the history shows them), the last return's are shown
-- beside the fields.
CREATE TABLE review_notes (
    processing_id TEXT NOT NULL,
    returned_at   {{.TS}} NOT NULL,
    version       INTEGER NOT NULL,
    field         TEXT NOT NULL,
    note          TEXT NOT NULL,
    author        TEXT NOT NULL,
    PRIMARY KEY (processing_id, returned_at, field)
);
--bun:split
-- Review campaigns: a DPO asks the units' editors to confirm or change
-- every processing in scope by a date.
CREATE TABLE review_campaigns (
    id           TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    title        TEXT NOT NULL,
    -- JSON array of unit slugs; [] for the whole organisation
    units        TEXT NOT NULL DEFAULT '[]',
    due_on       TEXT NOT NULL,
    opened_at    {{.TS}} NOT NULL,
    opened_by    TEXT NOT NULL,
    closed_at    {{.TS}},
    closed_by    TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX review_campaigns_org ON review_campaigns (organisation, opened_at DESC);
--bun:split
-- One task per processing in a campaign's scope. outcome: '' (to do),
-- 'confirmed' (still accurate), 'changes' (a draft was opened).
CREATE TABLE review_tasks (
    campaign_id   TEXT NOT NULL,
    processing_id TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    unit          TEXT NOT NULL,
    title         TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '',
    done_at       {{.TS}},
    done_by       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, processing_id)
);
--bun:split
CREATE INDEX review_tasks_processing ON review_tasks (processing_id);
--bun:split
CREATE INDEX review_tasks_unit ON review_tasks (organisation, unit, outcome);
