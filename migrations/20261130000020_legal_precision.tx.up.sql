-- Issue 13: each organisation has one data-protection regime (Geneva bodies
-- are under the LIPAD, hence the default) and a flag when the GDPR applies
-- too; each publication records the rule table that passed it. Publications
-- made before carry the table of the first release.
ALTER TABLE organisations ADD COLUMN regime TEXT NOT NULL DEFAULT 'lipad';
--bun:split
ALTER TABLE organisations ADD COLUMN gdpr_applies BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE publications ADD COLUMN rules_version TEXT NOT NULL DEFAULT '2026-11-22';
