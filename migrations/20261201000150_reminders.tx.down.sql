DROP TABLE reminder_claims;
--bun:split
DROP TABLE reminder_prefs;
--bun:split
DROP TABLE reminder_settings;
