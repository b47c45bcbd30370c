//! The pull feed: every change to something a device keeps (a visit's status, a household, the
//! roster, the catalogue) replaces that entity's row in `feed`, giving it a new, larger `seq`.
//! A device pulls the rows after its cursor that it may see and stores the new cursor only
//! after applying them.

use app::api::{Activity, FeedItem, FeedKind, Household, PullResponse, RosterMember};
use app::domain::team::{Affiliation, Position};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::{catalogue, enum_at, DbError, Store};

const TOUCH: &str =
    "REPLACE INTO feed (kind, entity_id, village_id, member_id, team_id, province_id) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/// A visit's row carries its author, team and time: its author's devices and, for two months,
/// its team leader's receive it.
const TOUCH_VISIT: &str =
    "REPLACE INTO feed (kind, entity_id, village_id, member_id, team_id, visited_at) \
     SELECT 'visit', id, village_id, member_id, team_id, visited_at FROM visits WHERE id = ?1";
/// One part of a reader's scope after `?1`, at most `?2` rows: each is one range of one
/// `(kind, scope, seq)` index (`?3` is the kind, `?4` the scope's key), so a page costs in
/// proportion to the page, never to the feed. `INDEXED BY` holds the plan: with a cursor of 0
/// the planner may otherwise prefer walking the whole feed in `seq` order.
const PART_VILLAGE: &str = "SELECT seq, kind, entity_id FROM feed INDEXED BY feed_village \
     WHERE kind = ?3 AND village_id = ?4 AND seq > ?1 ORDER BY seq LIMIT ?2";
const PART_MEMBER: &str = "SELECT seq, kind, entity_id FROM feed INDEXED BY feed_member \
     WHERE kind = ?3 AND member_id = ?4 AND seq > ?1 ORDER BY seq LIMIT ?2";
const PART_TEAM: &str = "SELECT seq, kind, entity_id FROM feed INDEXED BY feed_team \
     WHERE kind = ?3 AND team_id = ?4 AND seq > ?1 AND (visited_at IS NULL OR visited_at >= ?5) \
     ORDER BY seq LIMIT ?2";
const PART_PROVINCE: &str = "SELECT seq, kind, entity_id FROM feed INDEXED BY feed_province \
     WHERE kind = ?3 AND province_id = ?4 AND seq > ?1 ORDER BY seq LIMIT ?2";
const PART_NATIONAL: &str = "SELECT seq, kind, entity_id FROM feed INDEXED BY feed_province \
     WHERE kind = ?3 AND province_id IS NULL AND seq > ?1 ORDER BY seq LIMIT ?2";
/// The villages a team works in: its own unit, or every village of its commune.
const TEAM_VILLAGES: &str = "SELECT t.unit_id FROM teams t WHERE t.id = ?1 \
     UNION SELECT u.id FROM units u JOIN teams t ON u.parent_id = t.unit_id WHERE t.id = ?1";
const VISIT: &str = concat!(super::visits::state_select!(), "WHERE v.id = ?1");
const HOUSEHOLD: &str =
    "SELECT village_id, head_name, address, phone, business, merged_into, erased_at IS NOT NULL \
     FROM households WHERE id = ?1";
const ROSTER: &str = "SELECT u.name, m.position, m.affiliation, m.left_at FROM team_members m \
     JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 AND m.user_id = ?2";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    TOUCH,
    TOUCH_VISIT,
    PART_VILLAGE,
    PART_MEMBER,
    PART_TEAM,
    PART_PROVINCE,
    PART_NATIONAL,
    TEAM_VILLAGES,
    VISIT,
    HOUSEHOLD,
    ROSTER,
];

/// The statements that read one part of a page, for the query-plan test.
#[cfg(test)]
pub(crate) const PARTS: &[&str] = &[
    PART_VILLAGE,
    PART_MEMBER,
    PART_TEAM,
    PART_PROVINCE,
    PART_NATIONAL,
];

fn kind_name(kind: FeedKind) -> &'static str {
    match kind {
        FeedKind::Visit => "visit",
        FeedKind::Household => "household",
        FeedKind::Roster => "roster",
        FeedKind::Activity => "activity",
        FeedKind::DifficultyCategory => "difficulty_category",
        FeedKind::Unknown => "unknown",
    }
}

fn touch(
    conn: &Connection,
    kind: FeedKind,
    entity: &str,
    village: Option<i64>,
    member: Option<Uuid>,
    team: Option<Uuid>,
    province: Option<i64>,
) -> Result<(), DbError> {
    conn.prepare_cached(TOUCH)?.execute(params![
        kind_name(kind),
        entity,
        village,
        member.map(|m| m.to_string()),
        team.map(|t| t.to_string()),
        province
    ])?;
    Ok(())
}

/// A visit's state changed: its author's devices (and its team leader's) learn it.
pub fn touch_visit(conn: &Connection, visit: &str) -> Result<(), DbError> {
    conn.prepare_cached(TOUCH_VISIT)?.execute([visit])?;
    Ok(())
}

/// A household changed: the devices of teams working in its village learn it.
pub fn touch_household(conn: &Connection, household: &str, village: i64) -> Result<(), DbError> {
    touch(
        conn,
        FeedKind::Household,
        household,
        Some(village),
        None,
        None,
        None,
    )
}

/// A person's place on a team's roster changed: the team's devices learn it.
pub fn touch_roster(conn: &Connection, team: Uuid, user: Uuid) -> Result<(), DbError> {
    touch(
        conn,
        FeedKind::Roster,
        &format!("{team}:{user}"),
        None,
        None,
        Some(team),
        None,
    )
}

/// A catalogue entry changed, nationally (`None`) or in a province.
pub fn touch_activity(conn: &Connection, province: Option<i64>, code: &str) -> Result<(), DbError> {
    touch_listed(conn, FeedKind::Activity, province, code)
}

/// A kind of difficulty changed, nationally (`None`) or in a province.
pub fn touch_difficulty_category(
    conn: &Connection,
    province: Option<i64>,
    code: &str,
) -> Result<(), DbError> {
    touch_listed(conn, FeedKind::DifficultyCategory, province, code)
}

fn touch_listed(
    conn: &Connection,
    kind: FeedKind,
    province: Option<i64>,
    code: &str,
) -> Result<(), DbError> {
    let entity = match province {
        Some(p) => format!("{p}:{code}"),
        None => code.to_string(),
    };
    touch(conn, kind, &entity, None, None, None, province)
}

/// How far back a team leader's device receives the team's visits: 62 days.
pub const TEAM_LOG_WINDOW_MS: i64 = 62 * 24 * 3600 * 1000;

/// Who is pulling: their team (roster, households of its villages), themselves (their
/// visits), their province (its catalogue); whether they lead the team (its recent visits);
/// which protocol their client speaks.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    /// The team the user is on now; `None` for users on no team.
    pub team: Option<Uuid>,
    /// The user.
    pub member: Uuid,
    /// Their province.
    pub province: Option<i64>,
    /// They lead `team`: its visits of the last [`TEAM_LOG_WINDOW_MS`] come too.
    pub leads: bool,
    /// The client's protocol version (1 without `v`): kinds added later are only sent to
    /// clients that know them.
    pub protocol: u8,
    /// The server clock, for the team log's window.
    pub now: i64,
}

fn uuid(raw: &str) -> Uuid {
    Uuid::parse_str(raw).unwrap_or_default()
}

type Row3 = (i64, String, String);

fn part(
    conn: &Connection,
    sql: &str,
    cursor: i64,
    limit: i64,
    kind: &str,
    key: &dyn rusqlite::ToSql,
    since: i64,
) -> Result<Vec<Row3>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?));
    let rows = match sql {
        PART_TEAM => stmt.query_map(params![cursor, limit, kind, key, since], row)?,
        PART_NATIONAL => stmt.query_map(params![cursor, limit, kind], row)?,
        _ => stmt.query_map(params![cursor, limit, kind, key], row)?,
    };
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The items after `cursor` that `reach` may see, at most `limit`: each part of the scope is
/// read as one index range of at most `limit + 1` rows, and the parts are merged by `seq`.
pub fn page(
    conn: &Connection,
    reach: Reach,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, DbError> {
    let want = i64::from(limit) + 1;
    let since = reach.now - TEAM_LOG_WINDOW_MS;
    let mut rows: Vec<Row3> = Vec::new();
    let mut listed = vec!["activity"];
    if reach.protocol >= 2 {
        listed.push("difficulty_category");
    }
    for kind in listed {
        rows.extend(part(
            conn,
            PART_NATIONAL,
            cursor,
            want,
            kind,
            &rusqlite::types::Null,
            0,
        )?);
        if let Some(province) = reach.province {
            rows.extend(part(conn, PART_PROVINCE, cursor, want, kind, &province, 0)?);
        }
    }
    let member = reach.member.to_string();
    rows.extend(part(conn, PART_MEMBER, cursor, want, "visit", &member, 0)?);
    if let Some(team) = reach.team {
        let team = team.to_string();
        rows.extend(part(conn, PART_TEAM, cursor, want, "roster", &team, 0)?);
        if reach.leads {
            rows.extend(part(conn, PART_TEAM, cursor, want, "visit", &team, since)?);
        }
        let villages: Vec<i64> = conn
            .prepare_cached(TEAM_VILLAGES)?
            .query_map([&team], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for village in villages {
            rows.extend(part(
                conn,
                PART_VILLAGE,
                cursor,
                want,
                "household",
                &village,
                0,
            )?);
        }
    }
    rows.sort_unstable_by_key(|(seq, _, _)| *seq);
    // The leader's own visits come through both their own part and the team's.
    rows.dedup_by_key(|(seq, _, _)| *seq);
    let more = rows.len() > limit as usize;
    let mut items = Vec::with_capacity(rows.len().min(limit as usize));
    let mut next_cursor = cursor;
    for (seq, kind, entity) in rows.into_iter().take(limit as usize) {
        next_cursor = seq;
        if let Some(item) = materialize(conn, reach, seq, &kind, &entity)? {
            items.push(item);
        }
    }
    Ok(PullResponse {
        items,
        next_cursor,
        more,
        team_id: reach.team,
    })
}

fn materialize(
    conn: &Connection,
    reach: Reach,
    seq: i64,
    kind: &str,
    entity: &str,
) -> Result<Option<FeedItem>, DbError> {
    let empty = |kind| FeedItem {
        seq,
        kind,
        visit: None,
        household: None,
        member: None,
        activity: None,
        difficulty_category: None,
    };
    let item = match kind {
        "visit" => conn
            .prepare_cached(VISIT)?
            .query_row([entity], super::visits::state_at)
            .optional()?
            .map(|v| FeedItem {
                visit: Some(v),
                ..empty(FeedKind::Visit)
            }),
        "household" => conn
            .prepare_cached(HOUSEHOLD)?
            .query_row([entity], |r| {
                Ok(Household {
                    id: uuid(entity),
                    village_id: r.get(0)?,
                    head_name: r.get(1)?,
                    address: r.get(2)?,
                    phone: r.get(3)?,
                    business: r.get(4)?,
                    merged_into: r.get::<_, Option<String>>(5)?.map(|m| uuid(&m)),
                    erased: r.get(6)?,
                })
            })
            .optional()?
            .map(|h| FeedItem {
                household: Some(h),
                ..empty(FeedKind::Household)
            }),
        "roster" => {
            let (team, user) = entity.split_once(':').unwrap_or((entity, ""));
            conn.prepare_cached(ROSTER)?
                .query_row([team, user], |r| {
                    Ok(RosterMember {
                        team_id: uuid(team),
                        user_id: uuid(user),
                        name: r.get(0)?,
                        position: enum_at(r, 1, Position::parse)?,
                        affiliation: enum_at(r, 2, Affiliation::parse)?,
                        removed: r.get::<_, Option<i64>>(3)?.is_some(),
                    })
                })
                .optional()?
                .map(|m| FeedItem {
                    member: Some(m),
                    ..empty(FeedKind::Roster)
                })
        }
        "activity" => {
            let code = entity.split_once(':').map_or(entity, |(_, code)| code);
            catalogue::one(conn, reach.province, code)?.map(|e| FeedItem {
                activity: Some(Activity {
                    code: e.code,
                    task_group: e.task_group,
                    name_vi: e.name_vi,
                    name_en: e.name_en,
                    active: e.retired_at.is_none(),
                }),
                ..empty(FeedKind::Activity)
            })
        }
        "difficulty_category" => {
            let code = entity.split_once(':').map_or(entity, |(_, code)| code);
            catalogue::difficulty_category(conn, reach.province, code)?.map(|c| FeedItem {
                difficulty_category: Some(c),
                ..empty(FeedKind::DifficultyCategory)
            })
        }
        _ => None,
    };
    Ok(item)
}

impl Store {
    /// A page of the feed for `reach`.
    pub async fn pull(
        &self,
        reach: Reach,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, DbError> {
        self.db
            .read(move |conn| page(conn, reach, cursor, limit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{demo, migrate};

    /// A feed of 20,000 rows over 40 villages, members and teams.
    fn busy_feed() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        demo::seed(&mut conn, || "x".into(), 1).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let mut insert = conn
            .prepare(
                "INSERT INTO feed (kind, entity_id, village_id, member_id, team_id, province_id, visited_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .unwrap();
        for i in 0..20_000i64 {
            let kind = ["visit", "household", "roster", "activity"][(i % 4) as usize];
            insert
                .execute(params![
                    kind,
                    format!("e{i}"),
                    i % 40,
                    format!("m{}", i % 40),
                    format!("t{}", i % 40),
                    (kind == "activity").then_some(i % 3),
                    i
                ])
                .unwrap();
        }
        drop(insert);
        conn.execute_batch("ANALYZE").unwrap();
        conn
    }

    #[test]
    fn each_part_of_a_page_reads_one_index_range_and_never_sorts_the_feed() {
        let conn = busy_feed();
        for sql in PARTS {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(
                    params![0, 201, "visit", "x", 0][..sql.matches('?').count().min(5)].as_ref(),
                    |r| r.get::<_, String>(3),
                )
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let text = plan.join(" | ");
            assert!(
                text.starts_with("SEARCH feed USING INDEX feed_"),
                "{text}\n{sql}"
            );
            assert!(!text.contains("TEMP B-TREE"), "{text}\n{sql}");
            assert!(!text.contains("SCAN"), "{text}\n{sql}");
        }
    }
}
