-- Issue 17: full-text search and counts kept up to date.
-- search_high/search_low hold index terms that the service builds in Go
-- (register.ProcessingTerms: French and English stems, folded words), so that
-- both databases index exactly the same terms; search_version says which way
-- of building them a row has (register.TermsVersion). The service fills the
-- terms of existing rows when it opens the database (sqlstore reindex).
-- SQLite indexes them with FTS5 (external content, kept in step by triggers
-- in the writing transaction); PostgreSQL with a stored tsvector ('simple'
-- configuration: the terms are already normalised) and a GIN index.
ALTER TABLE publications ADD COLUMN search_high TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE publications ADD COLUMN search_low TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE publications ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE processings ADD COLUMN search_high TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN search_low TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE processings ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
--bun:split
-- The public list pages by key on (organisation, title, processing_id).
CREATE INDEX publications_org_title_id ON publications (organisation, title, processing_id);
--bun:split
DROP INDEX publications_org;
--bun:split
-- How many processings each organisation has published, kept by triggers in
-- the publishing transaction instead of a COUNT per request.
ALTER TABLE organisations ADD COLUMN public_count INTEGER NOT NULL DEFAULT 0;
--bun:split
UPDATE organisations SET public_count = (SELECT COUNT(*) FROM publications p WHERE p.organisation = organisations.slug);
--bun:split
{{if not .Postgres}}
CREATE VIRTUAL TABLE publications_fts USING fts5(search_high, search_low,
    content='publications', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
CREATE TRIGGER publications_fts_ai AFTER INSERT ON publications BEGIN
    INSERT INTO publications_fts (rowid, search_high, search_low) VALUES (new.rowid, new.search_high, new.search_low);
    UPDATE organisations SET public_count = public_count + 1 WHERE slug = new.organisation;
END;
--bun:split
CREATE TRIGGER publications_fts_ad AFTER DELETE ON publications BEGIN
    INSERT INTO publications_fts (publications_fts, rowid, search_high, search_low) VALUES ('delete', old.rowid, old.search_high, old.search_low);
    UPDATE organisations SET public_count = public_count - 1 WHERE slug = old.organisation;
END;
--bun:split
CREATE TRIGGER publications_fts_au AFTER UPDATE ON publications BEGIN
    INSERT INTO publications_fts (publications_fts, rowid, search_high, search_low) VALUES ('delete', old.rowid, old.search_high, old.search_low);
    INSERT INTO publications_fts (rowid, search_high, search_low) VALUES (new.rowid, new.search_high, new.search_low);
    UPDATE organisations SET public_count = public_count - 1 WHERE slug = old.organisation;
    UPDATE organisations SET public_count = public_count + 1 WHERE slug = new.organisation;
END;
--bun:split
CREATE VIRTUAL TABLE processings_fts USING fts5(search_high, search_low,
    content='processings', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
CREATE TRIGGER processings_fts_ai AFTER INSERT ON processings BEGIN
    INSERT INTO processings_fts (rowid, search_high, search_low) VALUES (new.rowid, new.search_high, new.search_low);
END;
--bun:split
CREATE TRIGGER processings_fts_ad AFTER DELETE ON processings BEGIN
    INSERT INTO processings_fts (processings_fts, rowid, search_high, search_low) VALUES ('delete', old.rowid, old.search_high, old.search_low);
END;
--bun:split
CREATE TRIGGER processings_fts_au AFTER UPDATE OF search_high, search_low ON processings BEGIN
    INSERT INTO processings_fts (processings_fts, rowid, search_high, search_low) VALUES ('delete', old.rowid, old.search_high, old.search_low);
    INSERT INTO processings_fts (rowid, search_high, search_low) VALUES (new.rowid, new.search_high, new.search_low);
END;
{{else}}
ALTER TABLE publications ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, search_high), 'A') || setweight(to_tsvector('simple'::regconfig, search_low), 'B')) STORED;
--bun:split
CREATE INDEX publications_search ON publications USING GIN (search_tsv);
--bun:split
ALTER TABLE processings ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, search_high), 'A') || setweight(to_tsvector('simple'::regconfig, search_low), 'B')) STORED;
--bun:split
CREATE INDEX processings_search ON processings USING GIN (search_tsv);
--bun:split
CREATE FUNCTION registre_public_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE organisations SET public_count = public_count - 1 WHERE slug = OLD.organisation;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE organisations SET public_count = public_count + 1 WHERE slug = NEW.organisation;
    END IF;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER publications_count AFTER INSERT OR DELETE OR UPDATE OF organisation ON publications
    FOR EACH ROW EXECUTE FUNCTION registre_public_count();
{{end}}
