-- Compliance findings and the auditor's report run the rules over every
-- processing of an organisation, reading them in id order by key (not by
-- offset): each batch is one walk of this index.
CREATE INDEX processings_org_id ON processings (organisation, id);
