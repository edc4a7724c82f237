DROP TABLE oidc_logins;
--bun:split
DROP TABLE oidc_subjects;
--bun:split
ALTER TABLE users DROP COLUMN tokens_not_before;
--bun:split
ALTER TABLE users DROP COLUMN disabled_at;
--bun:split
ALTER TABLE users DROP COLUMN email;
