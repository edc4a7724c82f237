DROP INDEX processings_org_id;
