{{if not .Postgres}}
DROP TRIGGER processings_fts_au;
--bun:split
DROP TRIGGER processings_fts_ad;
--bun:split
DROP TRIGGER processings_fts_ai;
--bun:split
DROP TABLE processings_fts;
--bun:split
DROP TRIGGER publications_fts_au;
--bun:split
DROP TRIGGER publications_fts_ad;
--bun:split
DROP TRIGGER publications_fts_ai;
--bun:split
DROP TABLE publications_fts;
{{else}}
DROP TRIGGER publications_count ON publications;
--bun:split
DROP FUNCTION registre_public_count();
--bun:split
DROP INDEX processings_search;
--bun:split
ALTER TABLE processings DROP COLUMN search_tsv;
--bun:split
DROP INDEX publications_search;
--bun:split
ALTER TABLE publications DROP COLUMN search_tsv;
{{end}}
--bun:split
ALTER TABLE organisations DROP COLUMN public_count;
--bun:split
CREATE INDEX publications_org ON publications (organisation, title);
--bun:split
DROP INDEX publications_org_title_id;
--bun:split
ALTER TABLE processings DROP COLUMN search_version;
--bun:split
ALTER TABLE processings DROP COLUMN search_low;
--bun:split
ALTER TABLE processings DROP COLUMN search_high;
--bun:split
ALTER TABLE publications DROP COLUMN search_version;
--bun:split
ALTER TABLE publications DROP COLUMN search_low;
--bun:split
ALTER TABLE publications DROP COLUMN search_high;
