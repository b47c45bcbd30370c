//! The approval queue: what awaits a decision in a reviewer's scope, oldest first, and bulk
//! approval that never approves what the reviewer did not see.
//!
//! "Seen" is a feed position: the queue answers `as_of`, the feed's last `seq` when it was
//! read. Every change to a visit moves its feed row past that position, so a visit whose row
//! is beyond `as_of` changed after the reviewer looked. Bulk approval works in slices of
//! [`SLICE`] visits per write transaction, so a member's sync waits for one slice at most.

use app::api::{
    BulkApprove, BulkApproved, QueueFilter, QueueItem, QueueKind, ReviewAction, ReviewQueue,
};
use app::domain::policy::Scope;
use app::domain::time::Date;
use rusqlite::{params, Connection};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, ScopeParams};
use super::visits::{decide, state_at, state_select};
use super::{uuid_at, Store, StoreError};

/// Visits approved per write transaction.
pub const SLICE: usize = 100;
/// Most visits one bulk approval takes (by ids or by filter).
pub const MAX_BULK: usize = 5000;
/// Most queue items one answer holds.
pub const MAX_PAGE: u32 = 200;

/// The queue's condition, after the scope's `?1`–`?3`: village `?4`, team `?5`, member `?6`,
/// activity `?7`, from `?8`, before `?9` (ms), kind `?10`.
macro_rules! queue_where {
    () => {
        "WHERE (v.status = 'submitted' OR v.amendment_status = 'pending') \
           AND (?1 IS NULL OR v.village_id IN area) AND (?2 IS NULL OR v.team_id = ?2) \
           AND (?3 IS NULL OR v.member_id = ?3) \
           AND (?4 IS NULL OR v.village_id = ?4) AND (?5 IS NULL OR v.team_id = ?5) \
           AND (?6 IS NULL OR v.member_id = ?6) \
           AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(v.activities) a \
                                      WHERE json_extract(a.value, '$.code') = ?7)) \
           AND (?8 IS NULL OR v.visited_at >= ?8) AND (?9 IS NULL OR v.visited_at < ?9) \
           AND (?10 IS NULL OR (?10 = 'amendment') = (v.amendment_status IS 'pending')) "
    };
}

/// A page of the queue (`?11` rows from `?12`), with the village and team names.
const PAGE: &str = concat!(
    area_cte!(),
    state_select!(
        ", vu.name, t.name, t.id",
        "JOIN units vu ON vu.id = v.village_id JOIN teams t ON t.id = v.team_id "
    ),
    queue_where!(),
    "ORDER BY v.received_at, v.id LIMIT ?11 OFFSET ?12"
);
/// Where the extra columns of [`PAGE`] start.
const EXTRA: usize = 37;
const COUNT: &str = concat!(
    area_cte!(),
    "SELECT count(*) FROM visits v ",
    queue_where!()
);
/// Every matching visit, with whether it changed after `?11` (its feed row moved past it).
const MATCHING: &str = concat!(
    area_cte!(),
    "SELECT v.id, (SELECT f.seq FROM feed f WHERE f.kind = 'visit' AND f.entity_id = v.id) > ?11 \
     FROM visits v ",
    queue_where!(),
    "ORDER BY v.received_at, v.id LIMIT ?12"
);
/// One visit in scope: still awaiting a decision, and unchanged since `?5`.
const STILL_WAITING: &str = concat!(
    area_cte!(),
    "SELECT (v.status = 'submitted' OR v.amendment_status = 'pending') \
       AND COALESCE((SELECT f.seq FROM feed f WHERE f.kind = 'visit' AND f.entity_id = v.id), 0) <= ?5 \
     FROM visits v WHERE v.id = ?4 AND (?1 IS NULL OR v.village_id IN area) \
       AND (?2 IS NULL OR v.team_id = ?2) AND (?3 IS NULL OR v.member_id = ?3)"
);
const LAST_SEQ: &str = "SELECT COALESCE(max(seq), 0) FROM feed";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[PAGE, COUNT, MATCHING, STILL_WAITING, LAST_SEQ];

/// A filter checked and turned into parameters `?4`–`?10`.
#[derive(Clone, Debug, Default)]
struct Narrow {
    village: Option<i64>,
    team: Option<String>,
    member: Option<String>,
    activity: Option<String>,
    from: Option<i64>,
    before: Option<i64>,
    kind: Option<&'static str>,
}

fn narrow(filter: &QueueFilter) -> Result<Narrow, StoreError> {
    let day = |raw: &Option<String>, field: &'static str| -> Result<Option<Date>, StoreError> {
        match raw.as_deref() {
            None | Some("") => Ok(None),
            Some(raw) => Date::parse_iso(raw)
                .map(Some)
                .ok_or_else(|| StoreError::invalid("date_invalid", field, "a date is yyyy-mm-dd")),
        }
    };
    Ok(Narrow {
        village: filter.village,
        team: filter.team.map(|t| t.to_string()),
        member: filter.member.map(|m| m.to_string()),
        activity: filter.activity.clone().filter(|a| !a.is_empty()),
        from: day(&filter.from, "from")?.map(Date::start_ms),
        before: day(&filter.to, "to")?.map(|d| d.start_ms() + 86_400_000),
        kind: filter.kind.map(|k| match k {
            QueueKind::Submitted => "submitted",
            QueueKind::Amendment => "amendment",
        }),
    })
}

/// A page of the queue in scope, oldest first, with the total and the feed position read.
pub fn queue(
    conn: &Connection,
    scope: Scope,
    filter: &QueueFilter,
    offset: u32,
    limit: u32,
) -> Result<ReviewQueue, StoreError> {
    let n = narrow(filter)?;
    let s = ScopeParams::from(scope);
    // One read transaction: the page, the total and `as_of` describe the same moment.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Deferred)?;
    let as_of: i64 = tx.prepare_cached(LAST_SEQ)?.query_row([], |r| r.get(0))?;
    let total: u32 = tx.prepare_cached(COUNT)?.query_row(
        params![
            s.area, s.team, s.own, n.village, n.team, n.member, n.activity, n.from, n.before,
            n.kind
        ],
        |r| r.get(0),
    )?;
    let items = tx
        .prepare_cached(PAGE)?
        .query_map(
            params![
                s.area, s.team, s.own, n.village, n.team, n.member, n.activity, n.from, n.before,
                n.kind, limit, offset
            ],
            |r| {
                let visit = state_at(r)?;
                Ok(QueueItem {
                    village_id: visit
                        .record
                        .as_ref()
                        .and_then(|v| v.village_id)
                        .unwrap_or(0),
                    received_at: r.get(14)?,
                    visit,
                    village_name: r.get(EXTRA)?,
                    team_name: r.get(EXTRA + 1)?,
                    team_id: uuid_at(r, EXTRA + 2)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    tx.commit()?;
    Ok(ReviewQueue {
        items,
        total,
        as_of,
    })
}

/// The visits a bulk approval will take, checked against what the reviewer saw: the chosen
/// ids must all be in scope, awaiting a decision and unchanged; a filter must still match
/// `expected` visits, none changed. Otherwise `409 set_changed`, and nothing is approved.
fn chosen(conn: &Connection, scope: Scope, request: &BulkApprove) -> Result<Vec<Uuid>, StoreError> {
    let s = ScopeParams::from(scope);
    let changed = || {
        StoreError::conflict(
            "set_changed",
            "the visits to approve changed since they were shown: look again",
        )
    };
    match (&request.ids, &request.filter) {
        (Some(ids), None) => {
            if ids.is_empty() || ids.len() > MAX_BULK {
                return Err(StoreError::invalid(
                    "ids_invalid",
                    "ids",
                    "choose 1 to 5000 visits",
                ));
            }
            for id in ids {
                let waiting: Option<bool> = rusqlite::OptionalExtension::optional(
                    conn.prepare_cached(STILL_WAITING)?.query_row(
                        params![s.area, s.team, s.own, id.to_string(), request.as_of],
                        |r| r.get(0),
                    ),
                )?;
                match waiting {
                    None => return Err(StoreError::NotFound),
                    Some(false) => return Err(changed()),
                    Some(true) => {}
                }
            }
            Ok(ids.clone())
        }
        (None, Some(filter)) => {
            let n = narrow(filter)?;
            let rows: Vec<(Uuid, bool)> = conn
                .prepare_cached(MATCHING)?
                .query_map(
                    params![
                        s.area,
                        s.team,
                        s.own,
                        n.village,
                        n.team,
                        n.member,
                        n.activity,
                        n.from,
                        n.before,
                        n.kind,
                        request.as_of,
                        MAX_BULK as i64 + 1
                    ],
                    |r| {
                        Ok((
                            uuid_at(r, 0)?,
                            r.get::<_, Option<bool>>(1)?.unwrap_or(false),
                        ))
                    },
                )?
                .collect::<Result<_, _>>()?;
            if rows.len() > MAX_BULK {
                return Err(StoreError::invalid(
                    "too_many",
                    "filter",
                    "narrow the filter: at most 5000 visits at once",
                ));
            }
            if request.expected != Some(rows.len() as u32) || rows.iter().any(|(_, c)| *c) {
                return Err(changed());
            }
            Ok(rows.into_iter().map(|(id, _)| id).collect())
        }
        _ => Err(StoreError::invalid(
            "ids_or_filter",
            "ids",
            "send either ids or a filter with the expected count",
        )),
    }
}

/// Approves one slice inside a write transaction; visits that changed meanwhile are skipped.
fn approve_slice(
    conn: &mut Connection,
    scope: Scope,
    slice: &[Uuid],
    as_of: i64,
    by: &By,
) -> Result<(u32, u32), StoreError> {
    let tx = conn.transaction()?;
    let s = ScopeParams::from(scope);
    let (mut approved, mut skipped) = (0, 0);
    for id in slice {
        let waiting: Option<bool> = rusqlite::OptionalExtension::optional(
            tx.prepare_cached(STILL_WAITING)?
                .query_row(params![s.area, s.team, s.own, id.to_string(), as_of], |r| {
                    r.get(0)
                }),
        )?;
        if waiting == Some(true) {
            decide(&tx, scope, *id, by, ReviewAction::Approve, None)?;
            approved += 1;
        } else {
            skipped += 1;
        }
    }
    tx.commit()?;
    Ok((approved, skipped))
}

impl Store {
    /// A page of the approval queue in scope.
    pub async fn queue(
        &self,
        scope: Scope,
        filter: QueueFilter,
        offset: u32,
        limit: u32,
    ) -> Result<ReviewQueue, StoreError> {
        self.db
            .read(move |conn| queue(conn, scope, &filter, offset, limit))
            .await
    }

    /// Approves the chosen visits in slices; audited once for the whole, and per visit.
    pub async fn bulk_approve(
        &self,
        scope: Scope,
        by: By,
        request: BulkApprove,
    ) -> Result<BulkApproved, StoreError> {
        let request = std::sync::Arc::new(request);
        let checked = request.clone();
        let ids = self
            .db
            .read(move |conn| chosen(conn, scope, &checked))
            .await?;
        let (mut approved, mut skipped) = (0, 0);
        for slice in ids.chunks(SLICE) {
            let slice = slice.to_vec();
            let (by, as_of) = (by.clone(), request.as_of);
            let (a, s) = self
                .db
                .write(move |conn| approve_slice(conn, scope, &slice, as_of, &by))
                .await?;
            approved += a;
            skipped += s;
        }
        let detail = serde_json::json!({
            "approved": approved,
            "skipped": skipped,
            "by_filter": request.filter.is_some(),
        });
        self.db
            .write(move |conn| {
                audit::record(
                    conn,
                    &by,
                    "visits_bulk_approved",
                    "visits",
                    "",
                    None,
                    detail,
                )
                .map_err(StoreError::from)
            })
            .await?;
        Ok(BulkApproved { approved, skipped })
    }
}
