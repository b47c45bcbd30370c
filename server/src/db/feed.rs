//! The pull feed: every change to something a device keeps (a visit's status, a household, the
//! roster, the catalogue) replaces that entity's row in `feed`, giving it a new, larger `seq`.
//! A device pulls the rows after its cursor that it may see and stores the new cursor only
//! after applying them.

use app::api::{Activity, FeedItem, FeedKind, Household, PullResponse, RosterMember, VisitStatus};
use app::domain::team::{Affiliation, Position};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::{catalogue, enum_at, DbError, Store};

const TOUCH: &str =
    "REPLACE INTO feed (kind, entity_id, village_id, member_id, team_id, province_id) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/// What a device may see after `?1`: the catalogue (national, and its province `?5`'s),
/// its team `?2`'s roster and the households of the team's villages, its user `?3`'s visits.
const PAGE: &str = "SELECT seq, kind, entity_id FROM feed WHERE seq > ?1 AND ( \
       (kind = 'activity' AND (province_id IS NULL OR province_id = ?5)) \
       OR (kind = 'roster' AND team_id = ?2) \
       OR (kind = 'household' AND village_id IN ( \
             SELECT t.unit_id FROM teams t WHERE t.id = ?2 \
             UNION SELECT u.id FROM units u JOIN teams t ON u.parent_id = t.unit_id WHERE t.id = ?2)) \
       OR (kind = 'visit' AND member_id = ?3)) \
     ORDER BY seq LIMIT ?4";
const VISIT: &str = "SELECT version, status, review_reason, reviewed_at FROM visits WHERE id = ?1";
const HOUSEHOLD: &str =
    "SELECT village_id, head_name, address, phone FROM households WHERE id = ?1";
const ROSTER: &str = "SELECT u.name, m.position, m.affiliation, m.left_at FROM team_members m \
     JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 AND m.user_id = ?2";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[TOUCH, PAGE, VISIT, HOUSEHOLD, ROSTER];

fn touch(
    conn: &Connection,
    kind: FeedKind,
    entity: &str,
    village: Option<i64>,
    member: Option<Uuid>,
    team: Option<Uuid>,
    province: Option<i64>,
) -> Result<(), DbError> {
    let kind = match kind {
        FeedKind::Visit => "visit",
        FeedKind::Household => "household",
        FeedKind::Roster => "roster",
        FeedKind::Activity => "activity",
    };
    conn.prepare_cached(TOUCH)?.execute(params![
        kind,
        entity,
        village,
        member.map(|m| m.to_string()),
        team.map(|t| t.to_string()),
        province
    ])?;
    Ok(())
}

/// A visit's review state changed: its author's devices learn it.
pub fn touch_visit(
    conn: &Connection,
    visit: &str,
    village: i64,
    member: Uuid,
) -> Result<(), DbError> {
    touch(
        conn,
        FeedKind::Visit,
        visit,
        Some(village),
        Some(member),
        None,
        None,
    )
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
    let entity = match province {
        Some(p) => format!("{p}:{code}"),
        None => code.to_string(),
    };
    touch(
        conn,
        FeedKind::Activity,
        &entity,
        None,
        None,
        None,
        province,
    )
}

/// Who is pulling: their team (roster, households of its villages), themselves (their
/// visits), their province (its catalogue).
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    /// The team the user is on now; `None` for users on no team.
    pub team: Option<Uuid>,
    /// The user.
    pub member: Uuid,
    /// Their province.
    pub province: Option<i64>,
}

fn uuid(raw: &str) -> Uuid {
    Uuid::parse_str(raw).unwrap_or_default()
}

/// The items after `cursor` that `reach` may see, at most `limit`.
pub fn page(
    conn: &Connection,
    reach: Reach,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, DbError> {
    let rows: Vec<(i64, String, String)> = conn
        .prepare_cached(PAGE)?
        .query_map(
            params![
                cursor,
                reach.team.map(|t| t.to_string()),
                reach.member.to_string(),
                i64::from(limit) + 1,
                reach.province
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<Result<_, _>>()?;
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
    };
    let item = match kind {
        "visit" => conn
            .prepare_cached(VISIT)?
            .query_row([entity], |r| {
                Ok(VisitStatus {
                    id: uuid(entity),
                    version: r.get(0)?,
                    status: r.get(1)?,
                    reason: r.get(2)?,
                    reviewed_at: r.get(3)?,
                })
            })
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
