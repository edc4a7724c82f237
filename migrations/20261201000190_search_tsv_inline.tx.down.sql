{{if .Postgres}}
ALTER TABLE publications ALTER COLUMN search_tsv SET STORAGE EXTENDED;
--bun:split
ALTER TABLE processings ALTER COLUMN search_tsv SET STORAGE EXTENDED;
{{end}}
