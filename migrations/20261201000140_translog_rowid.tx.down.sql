{{if .Postgres}}SELECT 1{{else}}CREATE TABLE translog_records_old (
    idx           BIGINT PRIMARY KEY,
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
INSERT INTO translog_records_old SELECT idx, organisation, processing_id, version, event, at, sha256, record, hashes, root, frontier FROM translog_records;
--bun:split
DROP TABLE translog_records;
--bun:split
ALTER TABLE translog_records_old RENAME TO translog_records;
--bun:split
CREATE INDEX translog_records_processing ON translog_records (processing_id, version, event){{end}};
