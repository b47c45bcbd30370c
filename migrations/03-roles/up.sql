-- Every role at work: one source of truth for who leads a team, teams of a village or of the
-- commune itself, roster history, accounts that are closed or must change their password,
-- each province's own activity catalogue, and the audit log.

-- A leader is whoever the team's roster says leads it (team_members.position). The account
-- keeps only the kind of user it is: a team person ('member'), commune or province staff, or
-- an administrator. 'leader' is no longer written to users.role.
UPDATE users SET role = 'member' WHERE role = 'leader';

-- 1: a password set by someone else (a new account, a reset) must be changed at the next
-- sign-in before anything else is allowed.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
-- When the account was closed (active = 0). A closed member may still sign in for a grace
-- period, only to send the visits their phone logged before (docs/architecture.md).
ALTER TABLE users ADD COLUMN closed_at INTEGER;
-- Last time one of the user's devices pushed or pulled (ms), for the team's roster.
ALTER TABLE users ADD COLUMN last_sync_at INTEGER;
CREATE INDEX users_unit ON users (unit_id);

-- A team belongs to a village or to the commune itself; at most one team per unit. The
-- column keeps its place and its UNIQUE constraint under a name that says what it holds.
ALTER TABLE teams RENAME COLUMN village_id TO unit_id;
-- The commune the team belongs to (the unit itself for a commune team, its parent for a
-- village team): every scope check on teams reads it.
ALTER TABLE teams ADD COLUMN commune_id INTEGER REFERENCES units(id);
UPDATE teams SET commune_id = (SELECT parent_id FROM units WHERE units.id = teams.unit_id);
-- The commune People's Committee's decision that set the team up (number, yyyy-mm-dd).
ALTER TABLE teams ADD COLUMN decision_no TEXT;
ALTER TABLE teams ADD COLUMN decision_date TEXT;
CREATE INDEX teams_commune ON teams (commune_id);

-- Roster history: a member who leaves or moves keeps their row with `left_at`; the current
-- roster is the rows without it. A visit is credited to the membership that covered its time.
ALTER TABLE team_members ADD COLUMN left_at INTEGER;
CREATE UNIQUE INDEX team_members_one_current_team ON team_members (user_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX team_members_one_leader ON team_members (team_id)
    WHERE left_at IS NULL AND position = 'leader';

-- The activity catalogue: national entries (province_id NULL) and each province's own.
ALTER TABLE activity_types ADD COLUMN province_id INTEGER REFERENCES units(id);
-- A province's choices over the entries it sees: another name, or retirement. A retired
-- entry leaves the form and keeps its history; visits logged before `retired_at` still count.
CREATE TABLE province_activities (
    province_id INTEGER NOT NULL REFERENCES units(id),
    code        TEXT NOT NULL REFERENCES activity_types(code),
    name_vi     TEXT CHECK (name_vi IS NULL OR length(trim(name_vi)) > 0),
    name_en     TEXT CHECK (name_en IS NULL OR length(trim(name_en)) > 0),
    retired_at  INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (province_id, code)
);

-- The pull feed learns two more scopes: a team (roster) and a province (catalogue entries).
ALTER TABLE feed ADD COLUMN team_id TEXT;
ALTER TABLE feed ADD COLUMN province_id INTEGER;
CREATE INDEX feed_team ON feed (team_id, seq);
UPDATE feed SET team_id = substr(entity_id, 1, instr(entity_id, ':') - 1) WHERE kind = 'roster';

-- Who did what, when: sign-ins (failed ones too), accounts, rosters, teams, villages, the
-- catalogue. `unit_id` is where it happened, so commune staff read their commune's entries.
-- Never a household's name or phone number.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    -- NULL: the command line, or a sign-in with an unknown phone number.
    actor_id    TEXT REFERENCES users(id),
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   TEXT,
    unit_id     INTEGER REFERENCES units(id),
    -- The client address, for sign-ins.
    address     TEXT,
    detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE INDEX audit_log_unit ON audit_log (unit_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
