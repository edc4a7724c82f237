DROP TABLE translog_keys;
--bun:split
DROP TABLE translog_state;
--bun:split
DROP TABLE translog_records;
