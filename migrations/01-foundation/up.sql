-- Foundation: the unit tree, people, teams, sessions, the activity catalogue,
-- households and visits with their full revision history.
-- Timestamps are milliseconds since the Unix epoch (UTC), written by the application.

CREATE TABLE units (
    id              INTEGER PRIMARY KEY,
    parent_id       INTEGER REFERENCES units(id),
    level           TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    -- The official kind as written in Vietnamese: tỉnh, thành phố trung ương, xã, phường, đặc khu, thôn...
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- Code from the national statistics office's list; villages have none.
    official_code   TEXT,
    -- Official number of households, entered by commune staff (villages only).
    household_count INTEGER CHECK (household_count IS NULL OR household_count >= 0),
    created_at      INTEGER NOT NULL,
    UNIQUE (level, official_code)
);
CREATE UNIQUE INDEX units_sibling_name ON units (COALESCE(parent_id, 0), name);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    phone         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('member', 'leader', 'commune_staff', 'province_staff', 'admin')),
    -- The unit the user works in: their village (members, leaders), commune or province.
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL
);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    village_id INTEGER NOT NULL UNIQUE REFERENCES units(id),
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    created_at INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id     TEXT NOT NULL REFERENCES teams(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    position    TEXT NOT NULL CHECK (position IN ('leader', 'member')),
    -- What the member represents in the team (the plan's composition rule).
    affiliation TEXT NOT NULL CHECK (affiliation IN ('youth_union', 'womens_union', 'village_cadre', 'police', 'other')),
    joined_at   INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie token: a leaked database does not leak live sessions.
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE activity_types (
    code       TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),
    task_group TEXT NOT NULL CHECK (task_group IN ('information', 'digital_government', 'digital_economy', 'digital_society')),
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE households (
    id         TEXT PRIMARY KEY,
    village_id INTEGER NOT NULL REFERENCES units(id),
    head_name  TEXT NOT NULL,
    address    TEXT NOT NULL,
    phone      TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX households_village ON households (village_id);

-- The current revision of each visit, chosen by the rule in docs/sync-protocol.md.
CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    village_id   INTEGER NOT NULL REFERENCES units(id),
    team_id      TEXT NOT NULL REFERENCES teams(id),
    member_id    TEXT NOT NULL REFERENCES users(id),
    visited_at   INTEGER NOT NULL,
    -- JSON array of {code, detail, people}.
    activities   TEXT NOT NULL CHECK (json_valid(activities)),
    outcome      TEXT NOT NULL CHECK (outcome IN ('done', 'partly', 'declined', 'follow_up')),
    follow_up_on TEXT,
    note         TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    base_version INTEGER NOT NULL CHECK (base_version >= 0),
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'withdrawn')),
    -- Why commune staff returned it (status 'returned').
    review_reason TEXT,
    reviewed_by  TEXT REFERENCES users(id),
    reviewed_at  INTEGER,
    -- A revision edited from an older version arrived: the team leader should look.
    conflict     INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    -- An edit arrived after approval: kept as an amendment, back to review.
    amendment    INTEGER NOT NULL DEFAULT 0 CHECK (amendment IN (0, 1)),
    received_at  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX visits_member ON visits (member_id, visited_at);
CREATE INDEX visits_village ON visits (village_id, visited_at);

-- Every revision any device ever sent, exactly once each.
CREATE TABLE visit_revisions (
    id           INTEGER PRIMARY KEY,
    visit_id     TEXT NOT NULL REFERENCES visits(id),
    version      INTEGER NOT NULL,
    base_version INTEGER NOT NULL,
    author_id    TEXT NOT NULL REFERENCES users(id),
    -- SHA-256 of the canonical JSON payload: the same revision sent twice is stored once.
    payload_hash TEXT NOT NULL,
    payload      TEXT NOT NULL CHECK (json_valid(payload)),
    -- What the server did with it: applied, stale, conflict, locked.
    outcome      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    UNIQUE (visit_id, version, payload_hash)
);
CREATE INDEX visit_revisions_visit ON visit_revisions (visit_id, version);

-- The pull feed: one row per entity, for its latest change. Every change replaces the row,
-- which takes a new, larger `seq` (AUTOINCREMENT never reuses one). Writes are serialised by
-- the single writer, so a reader never sees seq N+1 committed before seq N: a device that
-- resumes after the last seq it applied misses nothing.
CREATE TABLE feed (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('visit', 'household', 'roster', 'activity')),
    entity_id  TEXT NOT NULL,
    -- Who may see it: households and roster by village, visits by author; activities: everyone.
    village_id INTEGER REFERENCES units(id),
    member_id  TEXT REFERENCES users(id),
    UNIQUE (kind, entity_id)
);
CREATE INDEX feed_village ON feed (village_id, seq);
CREATE INDEX feed_member ON feed (member_id, seq);
