-- Steps that must run once after the schema changes but need Go: the
-- service runs each queued step at start-up (and `registre migrate up`),
-- in one transaction with its audit entries, then deletes its row. SQL
-- alone cannot extend the audit chain, whose hashes are computed in Go
-- (register.AuditEntry), so the step that writes audited changes is queued
-- here rather than done here.
CREATE TABLE maintenance_steps (
    name      TEXT PRIMARY KEY,
    queued_at {{.TS}} NOT NULL
);
--bun:split
-- Records stored before bidirectional controls, non-characters and mailto
-- parameters in contacts were refused are cleaned by this step
-- (register.CleanStoredTextStep, docs/security.md).
INSERT INTO maintenance_steps (name, queued_at) VALUES ('clean-text-20261130', CURRENT_TIMESTAMP);
