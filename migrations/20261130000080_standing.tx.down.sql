{{if .Postgres}}
CREATE INDEX processings_org_updated ON processings (organisation, updated_at DESC, id DESC);
--bun:split
{{end}}
DROP INDEX processings_list;
--bun:split
DROP INDEX processings_checked;
--bun:split
ALTER TABLE processings DROP COLUMN review_due;
--bun:split
ALTER TABLE processings DROP COLUMN return_comment;
--bun:split
ALTER TABLE processings DROP COLUMN returned;
--bun:split
ALTER TABLE processings DROP COLUMN submitted_by;
--bun:split
ALTER TABLE processings DROP COLUMN updated_by;
--bun:split
ALTER TABLE processings DROP COLUMN created_by;
--bun:split
ALTER TABLE processings DROP COLUMN checked_at;
--bun:split
ALTER TABLE processings DROP COLUMN sensitive;
--bun:split
ALTER TABLE processings DROP COLUMN warnings;
--bun:split
ALTER TABLE processings DROP COLUMN blocking;
