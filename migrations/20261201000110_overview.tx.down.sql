DROP TABLE staged_imports;
--bun:split
DROP TABLE models;
--bun:split
DROP INDEX processings_overview;
--bun:split
ALTER TABLE processings DROP COLUMN profiling;
--bun:split
ALTER TABLE processings DROP COLUMN abroad;
--bun:split
ALTER TABLE processings DROP COLUMN dpia_due;
--bun:split
ALTER TABLE processings DROP COLUMN blocking_laws;
