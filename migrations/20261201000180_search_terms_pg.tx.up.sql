-- Issue 17: PostgreSQL expands the prefix of the word being typed into the
-- whole terms it begins, as SQLite does since migration 0130. A prefix in a
-- tsquery ("personnel:*") makes the GIN index collect every posting of every
-- term it begins into a bitmap before it can intersect anything: for two
-- frequent words, 10 ms of a 12 ms index scan at 200,000 processings, where
-- the same words as whole terms take 1.5 ms. The terms of 4 letters and
-- more, kept by the triggers below (the lexemes of the generated tsvector,
-- so exactly what the index holds); never shrinks, like SQLite's (a term no
-- longer indexed expands to nothing found). In the C collation, so that a
-- prefix is one range of the index, ending at the prefix and '{', in any
-- database locale (a locale's collation may ignore punctuation).
{{if .Postgres}}
CREATE TABLE search_terms (term TEXT COLLATE "C" PRIMARY KEY);
--bun:split
INSERT INTO search_terms (term)
    SELECT t FROM processings, unnest(tsvector_to_array(search_tsv)) AS t WHERE length(t) > 3
    UNION
    SELECT t FROM publications, unnest(tsvector_to_array(search_tsv)) AS t WHERE length(t) > 3;
--bun:split
-- NOT EXISTS first: most of a record's terms are known, and a probe costs
-- less than the upsert's speculative insertion; ON CONFLICT for two writers
-- bringing the same new term at once.
CREATE FUNCTION registre_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_terms (term)
        SELECT t FROM unnest(tsvector_to_array(NEW.search_tsv)) AS t
        WHERE length(t) > 3 AND NOT EXISTS (SELECT 1 FROM search_terms s WHERE s.term = t)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
--bun:split
CREATE TRIGGER processings_search_terms AFTER INSERT OR UPDATE OF search_high, search_low ON processings
    FOR EACH ROW EXECUTE FUNCTION registre_search_terms();
--bun:split
CREATE TRIGGER publications_search_terms AFTER INSERT OR UPDATE OF search_high, search_low ON publications
    FOR EACH ROW EXECUTE FUNCTION registre_search_terms();
{{end}}
