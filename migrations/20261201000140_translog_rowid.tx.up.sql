-- Issue 21: on SQLite, translog_records.idx was declared BIGINT PRIMARY KEY,
-- which is not an alias of the rowid: every append wrote the table, its
-- automatic primary-key index and the processing index. INTEGER PRIMARY
-- KEY makes idx the rowid, one b-tree fewer per publication (the append
-- cost is write pages, not CPU). PostgreSQL is unchanged.
{{if .Postgres}}SELECT 1{{else}}CREATE TABLE translog_records_new (
    idx           INTEGER PRIMARY KEY,
    organisation  TEXT NOT NULL,
    processing_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    event         TEXT NOT NULL,
    at            {{.TS}} NOT NULL,
    sha256        TEXT NOT NULL,
    record        TEXT NOT NULL,
    hashes        BLOB NOT NULL,
    root          BLOB NOT NULL,
    frontier      BLOB NOT NULL
);
--bun:split
INSERT INTO translog_records_new SELECT idx, organisation, processing_id, version, event, at, sha256, record, hashes, root, frontier FROM translog_records;
--bun:split
DROP TABLE translog_records;
--bun:split
ALTER TABLE translog_records_new RENAME TO translog_records;
--bun:split
CREATE INDEX translog_records_processing ON translog_records (processing_id, version, event){{end}};
