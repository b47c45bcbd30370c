//! The pull feed: every change to something a device keeps (a visit's status, a household, the
//! roster, the catalogue) replaces that entity's row in `feed`, giving it a new, larger `seq`.
//! A device pulls the rows after its cursor that it may see and stores the new cursor only
//! after applying them.

use app::api::{
    Activity, FeedItem, FeedKind, Household, PullResponse, RosterMember, TaskGroup, VisitStatus,
};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::DbError;

const TOUCH: &str =
    "REPLACE INTO feed (kind, entity_id, village_id, member_id) VALUES (?1, ?2, ?3, ?4)";
const PAGE: &str = "SELECT seq, kind, entity_id FROM feed WHERE seq > ?1 AND (kind = 'activity' \
       OR (kind IN ('household', 'roster') AND village_id = ?2) OR (kind = 'visit' AND member_id = ?3)) \
     ORDER BY seq LIMIT ?4";
const VISIT: &str = "SELECT version, status, review_reason, reviewed_at FROM visits WHERE id = ?1";
const HOUSEHOLD: &str =
    "SELECT village_id, head_name, address, phone FROM households WHERE id = ?1";
const ROSTER: &str = "SELECT u.name, m.position, m.affiliation FROM team_members m \
     JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 AND m.user_id = ?2";
const ACTIVITY: &str =
    "SELECT task_group, name_vi, name_en, active FROM activity_types WHERE code = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[TOUCH, PAGE, VISIT, HOUSEHOLD, ROSTER, ACTIVITY];

/// Records a change: the entity moves to the end of the feed.
pub fn touch(
    conn: &Connection,
    kind: FeedKind,
    entity: &str,
    village: Option<i64>,
    member: Option<Uuid>,
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
        member.map(|m| m.to_string())
    ])?;
    Ok(())
}

/// Who is pulling: their village (households, roster) and themselves (their visits).
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    /// The member's village; `None` for users on no team (they get the catalogue only).
    pub village: Option<i64>,
    /// The member.
    pub member: Uuid,
}

fn uuid(raw: &str) -> Uuid {
    Uuid::parse_str(raw).unwrap_or_default()
}

/// The items after `cursor` that `scope` may see, at most `limit`.
pub fn page(
    conn: &Connection,
    scope: Scope,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, DbError> {
    let rows: Vec<(i64, String, String)> = conn
        .prepare_cached(PAGE)?
        .query_map(
            params![
                cursor,
                scope.village.unwrap_or(-1),
                scope.member.to_string(),
                i64::from(limit) + 1
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<Result<_, _>>()?;
    let more = rows.len() > limit as usize;
    let mut items = Vec::with_capacity(rows.len().min(limit as usize));
    for (seq, kind, entity) in rows.into_iter().take(limit as usize) {
        if let Some(item) = materialize(conn, seq, &kind, &entity)? {
            items.push(item);
        }
    }
    let next_cursor = items.last().map_or(cursor, |i| i.seq);
    Ok(PullResponse {
        items,
        next_cursor,
        more,
    })
}

fn materialize(
    conn: &Connection,
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
                        position: r.get(1)?,
                        affiliation: r.get(2)?,
                    })
                })
                .optional()?
                .map(|m| FeedItem {
                    member: Some(m),
                    ..empty(FeedKind::Roster)
                })
        }
        "activity" => conn
            .prepare_cached(ACTIVITY)?
            .query_row([entity], |r| {
                let group: String = r.get(0)?;
                Ok(Activity {
                    code: entity.to_string(),
                    task_group: TaskGroup::parse(&group).unwrap_or(TaskGroup::Information),
                    name_vi: r.get(1)?,
                    name_en: r.get(2)?,
                    active: r.get(3)?,
                })
            })
            .optional()?
            .map(|a| FeedItem {
                activity: Some(a),
                ..empty(FeedKind::Activity)
            }),
        _ => None,
    };
    Ok(item)
}
