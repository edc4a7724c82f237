{{if not .Postgres}}
CREATE INDEX processings_org_updated ON processings (organisation, updated_at DESC, id DESC);
--bun:split
DROP INDEX processings_org_search;
{{else}}
SELECT 1;
{{end}}
