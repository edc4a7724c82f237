DROP INDEX processings_risk_profiling;
--bun:split
DROP INDEX processings_risk_abroad;
--bun:split
DROP INDEX processings_risk_dpia;
--bun:split
DROP INDEX processings_blocking;
--bun:split
DROP INDEX processings_title;
--bun:split
DROP INDEX processings_status;
