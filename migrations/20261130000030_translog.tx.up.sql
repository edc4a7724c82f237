-- Issue 21: the transparency log of publications. Records are the leaves
-- (their text is what the Merkle tree hashes). Each record row also keeps
-- the hashes of golang.org/x/mod/sumdb/tlog that its append stored (its
-- leaf hash and the complete subtrees it closed), so proofs read O(log n)
-- rows by primary key and never rehash the records; the last row is the
-- log's head. translog_state is one row: the log's origin. Records are only
-- ever inserted, never rewritten.
CREATE TABLE translog_records (
    idx           BIGINT PRIMARY KEY,
    organisation  TEXT NOT NULL,
    processing_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    event         TEXT NOT NULL,
    at            {{.TS}} NOT NULL,
    sha256        TEXT NOT NULL,
    record        TEXT NOT NULL,
    hashes        {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
    -- the tree of idx+1 records: its root, and its frontier (the stored
    -- hashes of its complete subtrees, 8-byte index + 32-byte hash each),
    -- all the next append reads
    root          {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
    frontier      {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL
);
--bun:split
-- The one secondary index: records are found by processing (and version,
-- or the fingerprint of its JSON). One index keeps an append to two pages
-- written besides the publication's own.
CREATE INDEX translog_records_processing ON translog_records (processing_id, version, event);
--bun:split
CREATE TABLE translog_state (
    id     INTEGER PRIMARY KEY,
    origin TEXT NOT NULL
);
--bun:split
-- The signing keys of checkpoints. The newest key with a secret signs; every
-- key stays here, its public half published, so old checkpoints still
-- verify after a rotation. An operator-given key has its public half here
-- and no secret.
CREATE TABLE translog_keys (
    name       TEXT PRIMARY KEY,
    vkey       TEXT NOT NULL,
    skey       TEXT,
    created_at {{.TS}} NOT NULL
);
