-- Issue 15/17: one organisation's search touches only its own matches.
-- On SQLite the full-text index holds each row's organisation as one more
-- term (search_org), so that "this word in this organisation" is an
-- intersection inside the index instead of every organisation's matches
-- filtered after. PostgreSQL needs nothing new: a search ranks the newest
-- matches (sqlstore/search.go), and the planner walks the organisation's
-- rows newest first by processings_org_id and tests each tsvector, or
-- intersects GIN and btree for a rare word; an '@slug' lexeme in the
-- tsvector was tried and made its estimates worse.
-- And "review overdue" across every organisation reads an index on the
-- planned review date instead of walking the whole register.
{{if not .Postgres}}
-- The organisation as one FTS5 token: 'o' and the hex of its slug (FTS5
-- would split the slug at its hyphens). Virtual: computed, never stored.
ALTER TABLE processings ADD COLUMN search_org TEXT GENERATED ALWAYS AS ('o' || lower(hex(organisation))) VIRTUAL;
--bun:split
ALTER TABLE publications ADD COLUMN search_org TEXT GENERATED ALWAYS AS ('o' || lower(hex(organisation))) VIRTUAL;
--bun:split
-- The index terms of 4 letters and more, for the prefix of the word being
-- typed: FTS5 has prefix indexes of 1 to 3 letters only, and a longer
-- prefix ("donne*") merges the whole doclist of every term it begins, which
-- for a word found in most records takes tens of milliseconds. The search
-- expands such a prefix into the terms it begins, read here, and matches
-- them as whole terms. Kept by the triggers below; never shrinks (a term no
-- longer indexed expands to nothing found). Not INSERT OR IGNORE: in a
-- trigger the conflict policy of the statement that fired it applies (an
-- upsert's is to fail).
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
--bun:split
CREATE VIRTUAL TABLE temp.registre_terms USING fts5vocab(main, processings_fts, col);
--bun:split
INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.registre_terms WHERE col <> 'search_org' AND length(term) > 3;
--bun:split
DROP TABLE temp.registre_terms;
--bun:split
CREATE VIRTUAL TABLE temp.registre_terms USING fts5vocab(main, publications_fts, col);
--bun:split
INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.registre_terms WHERE col <> 'search_org' AND length(term) > 3;
--bun:split
DROP TABLE temp.registre_terms;
--bun:split
DROP TRIGGER processings_fts_au;
--bun:split
DROP TRIGGER processings_fts_ad;
--bun:split
DROP TRIGGER processings_fts_ai;
--bun:split
DROP TABLE processings_fts;
--bun:split
CREATE VIRTUAL TABLE processings_fts USING fts5(search_high, search_low, search_org,
    content='processings', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
INSERT INTO processings_fts (processings_fts) VALUES ('rebuild');
--bun:split
-- One segment: a search within an organisation seeks every term at each of
-- its rows, once per segment (at 200,000 rows: 17 ms instead of 50 for
-- a four-letter prefix).
INSERT INTO processings_fts (processings_fts) VALUES ('optimize');
--bun:split
CREATE TRIGGER processings_fts_ai AFTER INSERT ON processings BEGIN
    INSERT INTO processings_fts (rowid, search_high, search_low, search_org) VALUES (new.rowid, new.search_high, new.search_low, new.search_org);
    INSERT INTO search_terms (term) SELECT DISTINCT value FROM json_each('["' || replace(trim(new.search_high || ' ' || new.search_low), ' ', '","') || '"]')
        WHERE length(value) > 3 AND NOT EXISTS (SELECT 1 FROM search_terms WHERE term = value);
END;
--bun:split
CREATE TRIGGER processings_fts_ad AFTER DELETE ON processings BEGIN
    INSERT INTO processings_fts (processings_fts, rowid, search_high, search_low, search_org) VALUES ('delete', old.rowid, old.search_high, old.search_low, old.search_org);
END;
--bun:split
CREATE TRIGGER processings_fts_au AFTER UPDATE OF search_high, search_low, organisation ON processings BEGIN
    INSERT INTO processings_fts (processings_fts, rowid, search_high, search_low, search_org) VALUES ('delete', old.rowid, old.search_high, old.search_low, old.search_org);
    INSERT INTO processings_fts (rowid, search_high, search_low, search_org) VALUES (new.rowid, new.search_high, new.search_low, new.search_org);
    INSERT INTO search_terms (term) SELECT DISTINCT value FROM json_each('["' || replace(trim(new.search_high || ' ' || new.search_low), ' ', '","') || '"]')
        WHERE length(value) > 3 AND NOT EXISTS (SELECT 1 FROM search_terms WHERE term = value);
END;
--bun:split
DROP TRIGGER publications_fts_au;
--bun:split
DROP TRIGGER publications_fts_ad;
--bun:split
DROP TRIGGER publications_fts_ai;
--bun:split
DROP TABLE publications_fts;
--bun:split
CREATE VIRTUAL TABLE publications_fts USING fts5(search_high, search_low, search_org,
    content='publications', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
INSERT INTO publications_fts (publications_fts) VALUES ('rebuild');
--bun:split
-- One segment: a search within an organisation seeks every term at each of
-- its rows, once per segment (at 200,000 rows: 17 ms instead of 50 for
-- a four-letter prefix).
INSERT INTO publications_fts (publications_fts) VALUES ('optimize');
--bun:split
CREATE TRIGGER publications_fts_ai AFTER INSERT ON publications BEGIN
    INSERT INTO publications_fts (rowid, search_high, search_low, search_org) VALUES (new.rowid, new.search_high, new.search_low, new.search_org);
    INSERT INTO search_terms (term) SELECT DISTINCT value FROM json_each('["' || replace(trim(new.search_high || ' ' || new.search_low), ' ', '","') || '"]')
        WHERE length(value) > 3 AND NOT EXISTS (SELECT 1 FROM search_terms WHERE term = value);
    UPDATE organisations SET public_count = public_count + 1 WHERE slug = new.organisation;
END;
--bun:split
CREATE TRIGGER publications_fts_ad AFTER DELETE ON publications BEGIN
    INSERT INTO publications_fts (publications_fts, rowid, search_high, search_low, search_org) VALUES ('delete', old.rowid, old.search_high, old.search_low, old.search_org);
    UPDATE organisations SET public_count = public_count - 1 WHERE slug = old.organisation;
END;
--bun:split
CREATE TRIGGER publications_fts_au AFTER UPDATE ON publications BEGIN
    INSERT INTO publications_fts (publications_fts, rowid, search_high, search_low, search_org) VALUES ('delete', old.rowid, old.search_high, old.search_low, old.search_org);
    INSERT INTO publications_fts (rowid, search_high, search_low, search_org) VALUES (new.rowid, new.search_high, new.search_low, new.search_org);
    INSERT INTO search_terms (term) SELECT DISTINCT value FROM json_each('["' || replace(trim(new.search_high || ' ' || new.search_low), ' ', '","') || '"]')
        WHERE length(value) > 3 AND NOT EXISTS (SELECT 1 FROM search_terms WHERE term = value);
    UPDATE organisations SET public_count = public_count - 1 WHERE slug = old.organisation;
    UPDATE organisations SET public_count = public_count + 1 WHERE slug = new.organisation;
END;
{{end}}
--bun:split
-- "Review overdue" is the range ('', today) of review_due; the list then
-- sorts the few rows in it by its order (updated_at, id), read from here.
CREATE INDEX processings_review_due ON processings (review_due, updated_at DESC, id DESC);
