-- The cleaning itself cannot be undone: the characters it removed are gone
-- (the audit trail says which records and fields changed).
DROP TABLE maintenance_steps;
