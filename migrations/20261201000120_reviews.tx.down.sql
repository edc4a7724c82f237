DROP TABLE review_tasks;
--bun:split
DROP TABLE review_campaigns;
--bun:split
DROP TABLE review_notes;
--bun:split
ALTER TABLE publications DROP COLUMN planned_start;
--bun:split
DROP TABLE processing_endings;
