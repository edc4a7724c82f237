DROP INDEX processings_blocking;
--bun:split
DROP INDEX processings_title;
--bun:split
DROP INDEX processings_status;
