ALTER TABLE organisations DROP COLUMN transparency_contact;
