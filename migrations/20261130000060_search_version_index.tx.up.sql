-- Every start looks for rows whose search terms were made by an older
-- version of the terms (sqlstore/reindex.go): with these indexes that look
-- is one index probe, not a scan of both tables.
CREATE INDEX processings_search_version ON processings (search_version);
CREATE INDEX publications_search_version ON publications (search_version);
