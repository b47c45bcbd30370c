-- Kept figures (docs/indicators.md, "How the figures are kept"): derived from the visits and
-- updated in the same transaction as every change to a visit, so dashboards and exports cost
-- in proportion to the number of units, not of visits.

-- The household business flag as recorded on the visit's current revision.
ALTER TABLE visits ADD COLUMN business INTEGER NOT NULL DEFAULT 0 CHECK (business IN (0, 1));
UPDATE visits SET business = (SELECT h.business FROM households h WHERE h.id = visits.household_id);

-- What each approved visit counts for now; no row for a visit that counts nowhere (awaiting
-- review, returned, withdrawn). The village's commune and province are kept with it.
CREATE TABLE figure_visits (
    visit_id     TEXT PRIMARY KEY REFERENCES visits(id),
    village_id   INTEGER NOT NULL,
    commune_id   INTEGER NOT NULL,
    province_id  INTEGER NOT NULL,
    team_id      TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    household_id TEXT NOT NULL,
    visited_at   INTEGER NOT NULL,
    business     INTEGER NOT NULL,
    -- JSON array of [code, people].
    activities   TEXT NOT NULL
) WITHOUT ROWID;

-- Visits awaiting review, counted apart from the kept figures: few, and reviewed within days.
CREATE INDEX visits_submitted ON visits (village_id, visited_at) WHERE status = 'submitted';

-- Visits, people helped and a distinct count per scope (`v:<village>`, `c:<commune>`,
-- `p:<province>`, `t:<team>`, `m:<member>`), period (`M2026-09`...) and key (`*`, an activity
-- code, `+ecommerce_business`, `@teams`, `@members`).
CREATE TABLE figure_counts (
    scope   TEXT NOT NULL,
    period  TEXT NOT NULL,
    key     TEXT NOT NULL,
    visits  INTEGER NOT NULL,
    people  INTEGER NOT NULL,
    reached INTEGER NOT NULL,
    PRIMARY KEY (scope, period, key)
) WITHOUT ROWID;

-- How many counted visits stand behind each distinct item (a household, a team for `@teams`,
-- a member for `@members`) of a figure.
CREATE TABLE figure_reach (
    scope  TEXT NOT NULL,
    period TEXT NOT NULL,
    key    TEXT NOT NULL,
    item   TEXT NOT NULL,
    visits INTEGER NOT NULL CHECK (visits > 0),
    PRIMARY KEY (scope, period, key, item)
) WITHOUT ROWID;

-- 0 until the server has counted the visits stored before this migration (at its start).
CREATE TABLE figure_state (built INTEGER NOT NULL);
INSERT INTO figure_state (built) VALUES (0);

-- Difficulties of a period, open and handled, per village.
CREATE INDEX difficulties_village ON difficulties (village_id, raised_at);
