-- The review loop: revisions that name the revision they were edited from, amendments that
-- wait for a decision, conflicts that can be settled, the team leader's marks, difficulties,
-- household businesses, phone consent and merged households, and each device's unsent count.

-- Households: a household business (the e-commerce work targets them); when the household
-- agreed to have its phone number recorded (NULL: recorded by a client before consent was
-- asked); the survivor a duplicate was merged into (the merged-away row stays, pointing at
-- it, so a visit that still names it is redirected).
ALTER TABLE households ADD COLUMN business INTEGER NOT NULL DEFAULT 0 CHECK (business IN (0, 1));
ALTER TABLE households ADD COLUMN phone_consent_at INTEGER;
ALTER TABLE households ADD COLUMN merged_into TEXT REFERENCES households(id);
ALTER TABLE households ADD COLUMN merged_by TEXT REFERENCES users(id);

-- Revisions name themselves (protocol 2): `revision` is the id made with the revision (NULL
-- from clients before protocol 2); `written_by` is who wrote it on the author's behalf (a
-- settled conflict, an approved amendment), NULL when the author's device sent it.
ALTER TABLE visit_revisions ADD COLUMN revision TEXT;
ALTER TABLE visit_revisions ADD COLUMN written_by TEXT REFERENCES users(id);

-- The current revision's id; the pending amendment (a revision received after approval, or
-- the refused one with its reason); the team leader's mark.
ALTER TABLE visits ADD COLUMN revision TEXT;
ALTER TABLE visits ADD COLUMN amendment_revision INTEGER REFERENCES visit_revisions(id);
ALTER TABLE visits ADD COLUMN amendment_status TEXT CHECK (amendment_status IN ('pending', 'refused'));
ALTER TABLE visits ADD COLUMN amendment_reason TEXT;
ALTER TABLE visits ADD COLUMN mark TEXT CHECK (mark IN ('reviewed', 'has_issues'));
ALTER TABLE visits ADD COLUMN mark_comment TEXT;
ALTER TABLE visits ADD COLUMN marked_by TEXT REFERENCES users(id);
ALTER TABLE visits ADD COLUMN marked_at INTEGER;
-- Visits awaiting a decision, oldest first, per village (the approval queue).
CREATE INDEX visits_queue ON visits (village_id, received_at) WHERE status = 'submitted' OR amendment_status = 'pending';
CREATE INDEX visits_team ON visits (team_id, visited_at);
UPDATE visits SET amendment_status = 'pending',
    amendment_revision = (SELECT max(r.id) FROM visit_revisions r WHERE r.visit_id = visits.id AND r.outcome = 'locked')
  WHERE amendment = 1;

-- Kinds of difficulty: the national list (province_id NULL) and each province's own; a
-- retired kind leaves the form, and difficulties already raised keep it.
CREATE TABLE difficulty_categories (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    province_id INTEGER REFERENCES units(id),
    name_vi     TEXT NOT NULL CHECK (length(trim(name_vi)) > 0),
    name_en     TEXT NOT NULL CHECK (length(trim(name_en)) > 0),
    sort_order  INTEGER NOT NULL,
    retired_at  INTEGER
);
CREATE UNIQUE INDEX difficulty_categories_code ON difficulty_categories (COALESCE(province_id, 0), code);
INSERT INTO difficulty_categories (code, province_id, name_vi, name_en, sort_order) VALUES
    ('no_smartphone', NULL, 'Không có điện thoại thông minh', 'No smartphone', 10),
    ('no_id_card', NULL, 'Chưa có căn cước gắn chip', 'No chip ID card', 20),
    ('no_signal', NULL, 'Không có sóng, mạng yếu', 'No signal or weak network', 30),
    ('service_failing', NULL, 'Dịch vụ hoặc ứng dụng bị lỗi', 'A service or app failing', 40),
    ('other', NULL, 'Khó khăn khác', 'Other', 50);

-- A difficulty raised by a visit (the current revision's), until commune staff handle it.
CREATE TABLE difficulties (
    visit_id   TEXT PRIMARY KEY REFERENCES visits(id),
    village_id INTEGER NOT NULL REFERENCES units(id),
    team_id    TEXT NOT NULL REFERENCES teams(id),
    category   TEXT NOT NULL,
    note       TEXT NOT NULL,
    raised_at  INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'handled')),
    handled_by TEXT REFERENCES users(id),
    handled_at INTEGER,
    comment    TEXT
);
CREATE INDEX difficulties_open ON difficulties (village_id, raised_at) WHERE status = 'open';

-- What each user's device last reported waiting in its outbox, and when.
ALTER TABLE users ADD COLUMN unsent_count INTEGER;
ALTER TABLE users ADD COLUMN unsent_at INTEGER;

-- The feed learns a fifth kind (difficulty categories) and carries, for visits, their team
-- and time, so a leader's device receives the team's recent visits. SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt with the same seq values, and every scope
-- gets an index on (kind, scope, seq), so a page reads index ranges, never the whole feed.
CREATE TABLE feed_next (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('visit', 'household', 'roster', 'activity', 'difficulty_category')),
    entity_id   TEXT NOT NULL,
    village_id  INTEGER REFERENCES units(id),
    member_id   TEXT REFERENCES users(id),
    team_id     TEXT,
    province_id INTEGER,
    visited_at  INTEGER,
    UNIQUE (kind, entity_id)
);
INSERT INTO feed_next (seq, kind, entity_id, village_id, member_id, team_id, province_id, visited_at)
    SELECT f.seq, f.kind, f.entity_id, f.village_id, f.member_id,
           CASE WHEN f.kind = 'visit' THEN v.team_id ELSE f.team_id END,
           f.province_id, v.visited_at
      FROM feed f LEFT JOIN visits v ON f.kind = 'visit' AND v.id = f.entity_id;
DROP TABLE feed;
ALTER TABLE feed_next RENAME TO feed;
CREATE INDEX feed_village ON feed (kind, village_id, seq);
CREATE INDEX feed_member ON feed (kind, member_id, seq);
CREATE INDEX feed_team ON feed (kind, team_id, seq);
CREATE INDEX feed_province ON feed (kind, province_id, seq);
INSERT INTO feed (kind, entity_id, province_id)
    SELECT 'difficulty_category', CASE WHEN province_id IS NULL THEN code ELSE province_id || ':' || code END,
           province_id FROM difficulty_categories;
