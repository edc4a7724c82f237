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
-- Title, status and findings are the sorts that mean something across
-- organisations; units and references are each organisation's own names,
-- and versions count one record's edits: those sorts stay a sort of the
-- narrow index processings_list (docs/office.md, "Speed").
CREATE INDEX processings_status ON processings (status, updated_at, id);
--bun:split
CREATE INDEX processings_title ON processings (title, updated_at, id);
--bun:split
CREATE INDEX processings_blocking ON processings (blocking, updated_at, id);
