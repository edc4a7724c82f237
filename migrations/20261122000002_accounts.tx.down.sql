DROP TABLE signing_keys;
--bun:split
DROP TABLE deleted_accounts;
--bun:split
DROP TABLE revoked_tokens;
--bun:split
DROP TABLE users;
