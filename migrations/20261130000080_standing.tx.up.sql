-- The standing of each processing, kept with its row for the back office's
-- register list (register.Standing): its findings as of checked_at, and who
-- did what last. The service writes it with every save and step, and
-- refreshes the findings that depend on the date or on the organisation
-- (register.Service.RefreshStandings); a list never runs the rules.
--
-- checked_at NULL means "not computed yet": rows from before this migration
-- or restored from a backup. The service computes them at start, in
-- batches (RefreshStandings with register.RefreshUnchecked); until then
-- the list computes the findings of the rows of the page it shows.
ALTER TABLE processings ADD COLUMN blocking INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE processings ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE processings ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE processings ADD COLUMN checked_at {{.TS}};
--bun:split
ALTER TABLE processings ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN submitted_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN returned BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE processings ADD COLUMN return_comment TEXT NOT NULL DEFAULT '';
--bun:split
-- The planned review date (YYYY-MM-DD, '' for none), copied from the
-- record's data so that "review overdue" is a comparison on a column.
ALTER TABLE processings ADD COLUMN review_due TEXT NOT NULL DEFAULT '';
--bun:split
-- Who did what, for the rows already there, is read from the audit trail
-- by sqlstore.fillWho after migrating (and after a backup import).
-- The rows the service has still to check (never, or before today): the
-- look at every start and every hour is a probe, not a scan.
CREATE INDEX processings_checked ON processings (checked_at);
--bun:split
-- The register list of one organisation (docs/design.md, "The register
-- list"): in the default order, with every column its filters, views and
-- sorts read, so that a filtered page, its count and a sort by another
-- column read this index alone and then only the page's rows (whose JSON
-- makes them large). On PostgreSQL it replaces processings_org_updated,
-- its prefix (SQLite has processings_org_search instead, for search_key).
CREATE INDEX processings_list ON processings (organisation, updated_at DESC, id DESC, status, unit, blocking,
    sensitive, review_due, created_by, updated_by, submitted_by, returned, title, reference, version);
{{if .Postgres}}
--bun:split
DROP INDEX processings_org_updated;
{{end}}
