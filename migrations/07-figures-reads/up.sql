-- The difficulties of a period under a unit are counted by kind and status: the index covers
-- the whole read (a province's dashboard reads every village's, without visiting the table).
DROP INDEX difficulties_village;
CREATE INDEX difficulties_village ON difficulties (village_id, raised_at, category, status);
