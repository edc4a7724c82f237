DROP INDEX processings_review_due;
--bun:split
{{if not .Postgres}}
DROP TABLE search_terms;
--bun:split
DROP TRIGGER processings_fts_au;
--bun:split
DROP TRIGGER processings_fts_ad;
--bun:split
DROP TRIGGER processings_fts_ai;
--bun:split
DROP TABLE processings_fts;
--bun:split
CREATE VIRTUAL TABLE processings_fts USING fts5(search_high, search_low,
    content='processings', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
INSERT INTO processings_fts (processings_fts) VALUES ('rebuild');
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
--bun:split
DROP TRIGGER publications_fts_au;
--bun:split
DROP TRIGGER publications_fts_ad;
--bun:split
DROP TRIGGER publications_fts_ai;
--bun:split
DROP TABLE publications_fts;
--bun:split
CREATE VIRTUAL TABLE publications_fts USING fts5(search_high, search_low,
    content='publications', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
--bun:split
INSERT INTO publications_fts (publications_fts) VALUES ('rebuild');
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
ALTER TABLE publications DROP COLUMN search_org;
--bun:split
ALTER TABLE processings DROP COLUMN search_org;
{{end}}
