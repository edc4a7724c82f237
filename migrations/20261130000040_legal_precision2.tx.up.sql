-- Issue 14: the LIPAD distinguishes access to one's own data (lipad_contact)
-- from access to official documents (transparency). Organisations written
-- before have none; processings keep their new fields in their JSON.
ALTER TABLE organisations ADD COLUMN transparency_contact TEXT NOT NULL DEFAULT '';
