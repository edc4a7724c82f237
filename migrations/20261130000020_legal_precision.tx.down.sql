ALTER TABLE publications DROP COLUMN rules_version;
--bun:split
ALTER TABLE organisations DROP COLUMN gdpr_applies;
--bun:split
ALTER TABLE organisations DROP COLUMN regime;
