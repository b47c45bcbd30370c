-- Erasing a household's personal data (docs/security.md, "Personal data"): when and by whom.
-- An erased household keeps its row, its village and its visits (they stay in the figures);
-- its name and address read "—", its phone number and consent are gone.
ALTER TABLE households ADD COLUMN erased_at INTEGER;
ALTER TABLE households ADD COLUMN erased_by TEXT REFERENCES users(id);
-- The households merged into one, for erasing and exporting a household with its duplicates.
CREATE INDEX households_merged_into ON households (merged_into) WHERE merged_into IS NOT NULL;
-- The revisions that name a household, whichever visit they belong to now: erasure scrubs
-- them and the export lists them. The expression must be written exactly so in queries.
CREATE INDEX visit_revisions_household ON visit_revisions (json_extract(payload, '$.household.id'));
-- A household's visits (merging, erasing and exporting it).
CREATE INDEX visits_household ON visits (household_id);
-- What was done to one record (a household's export lists its history).
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
