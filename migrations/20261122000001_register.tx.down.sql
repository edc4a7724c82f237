DROP TABLE audit_log;
--bun:split
DROP TABLE publications;
--bun:split
DROP TABLE processing_versions;
--bun:split
DROP TABLE processings;
--bun:split
DROP TABLE units;
--bun:split
DROP TABLE organisations;
