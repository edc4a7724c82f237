-- Search scans the processings of one organisation. On SQLite an index that
-- carries the search key lets the scan read the index alone instead of every
-- row. PostgreSQL limits the size of an index entry (a long description would
-- not fit), and its shared buffers serve the scan well, so it keeps the
-- narrower index.
{{if not .Postgres}}
CREATE INDEX processings_org_search ON processings (organisation, updated_at DESC, id DESC, search_key);
--bun:split
DROP INDEX processings_org_updated;
{{else}}
SELECT 1;
{{end}}
