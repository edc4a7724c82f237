-- Issue 17: a search of PostgreSQL tests the tsvector of each of a table's
-- newest rows until it has its candidates (sqlstore/search.go), up to a few
-- thousand rows for two words found together in one row in 15. A row with
-- its JSON is over the 2 kB past which PostgreSQL moves values out of the
-- row, and the tsvector (about 900 bytes) went out too: each test read it
-- back from the TOAST table, 3,400 pages for 3,000 rows, 10 ms. Kept in the
-- row (MAIN: compressed, moved out last), the same walk reads 1,100 pages in
-- 5 ms; the JSON and the term texts, read for a page's rows only, go out
-- first. SET STORAGE applies to rows written after it: the UPDATEs write
-- every row again (the generated column computed anew; no trigger fires on
-- it alone).
{{if .Postgres}}
ALTER TABLE publications ALTER COLUMN search_tsv SET STORAGE MAIN;
--bun:split
ALTER TABLE processings ALTER COLUMN search_tsv SET STORAGE MAIN;
--bun:split
UPDATE publications SET search_tsv = DEFAULT;
--bun:split
UPDATE processings SET search_tsv = DEFAULT;
{{end}}
