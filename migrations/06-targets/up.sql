-- Targets (chỉ tiêu, docs/indicators.md "Targets"): what a commune (set by province staff) or
-- a village (commune staff split their commune's) should reach in a quarter or a year.
CREATE TABLE targets (
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    -- `Q2026-3` or `Y2026`.
    period    TEXT NOT NULL,
    -- `households`, `visits`, `people`, `ecommerce_businesses` or `activity:<code>`.
    indicator TEXT NOT NULL,
    value     INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10000000),
    set_by    TEXT REFERENCES users(id),
    set_at    INTEGER NOT NULL,
    PRIMARY KEY (unit_id, period, indicator)
) WITHOUT ROWID;

-- A unit's children's targets are read by period.
CREATE INDEX targets_period ON targets (period, unit_id);

-- The visits behind a village's figures (drill-down), newest first.
CREATE INDEX figure_visits_village ON figure_visits (village_id, visited_at);
