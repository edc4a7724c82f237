-- Failed sign-ins per account (and per account and address), shared by
-- every instance on this database (server/httpkit/loginguard.go): a guesser
-- gains nothing by spreading tries over instances. key is the SHA-256 of
-- the limiter's key, so that no username or address is stored in clear;
-- level is a leaky bucket as of at_us (Unix microseconds).
CREATE TABLE login_failures (
    key   TEXT PRIMARY KEY,
    level {{if .Postgres}}DOUBLE PRECISION{{else}}REAL{{end}} NOT NULL,
    at_us BIGINT NOT NULL
);
--bun:split
CREATE INDEX login_failures_at ON login_failures (at_us);
