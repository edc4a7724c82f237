-- The register list across every organisation (an administrator's): each
-- sort reads its column's index in the list's order (the column, then the
-- last change, then id; register.ProcessingFilter.SortOrder), one
-- direction throughout so that a page after a cursor is a range of it read
-- forwards or backwards, not a sort of the whole register. One
-- organisation's list keeps reading processings_list (organisation first).
--
-- processings_status also serves the "to review" view (status =
-- 'in_review', newest change first), the status filter and their counts
-- across every organisation, which walked the register newest first
-- testing each row's status: a few records in review among 200,000 meant
-- reading all of them.
--
-- The overview's risk lists (risk=dpia|transfers|profiling) across every
-- organisation walked the register newest first reading each row for its
-- flag: for a risk no record has, all 200,000. A flag holds for few records,
-- so each has a partial index of those records alone, in the list's order
-- (with what the list then filters on), which a write of an unflagged
-- record does not touch. One organisation's risk list reads
-- processings_list as before.
--
-- Title, status and findings are the sorts that mean something across
-- organisations (status also serves the "to review" view). Units and
-- references are each organisation's own names, and versions count one
-- record's edits: across every organisation those sorts stay a sort of
-- all of processings_list's entries. Indexes for them too would make every
-- write of a processing about 5 % slower on SQLite for sorts an
-- administrator has little use for (sqlstore's BenchmarkListIndexesWrites;
-- docs/office.md, "Speed of the register list"); the reference sorts as
-- COALESCE(reference, ''), and SQLite reads a row-value range over an
-- index on that expression as a scan from its start.
CREATE INDEX processings_status ON processings (status, updated_at, id);
--bun:split
CREATE INDEX processings_title ON processings (title, updated_at, id);
--bun:split
CREATE INDEX processings_blocking ON processings (blocking, updated_at, id);
--bun:split
CREATE INDEX processings_risk_dpia ON processings (updated_at, id, organisation, status) WHERE dpia_due = TRUE;
--bun:split
CREATE INDEX processings_risk_abroad ON processings (updated_at, id, organisation, status) WHERE abroad = TRUE;
--bun:split
CREATE INDEX processings_risk_profiling ON processings (updated_at, id, organisation, status) WHERE profiling = TRUE;
