{{if .Postgres}}
DROP TRIGGER publications_search_terms ON publications;
--bun:split
DROP TRIGGER processings_search_terms ON processings;
--bun:split
DROP FUNCTION registre_search_terms();
--bun:split
DROP TABLE search_terms;
{{end}}
