//! Storing pushed visit revisions and reading visits back, within the policy's scope.

use std::collections::HashMap;

use app::api::{Conflict, PushOutcome, PushResult, ReviewAction, RevisionSummary, ServerVisit};
use app::domain::policy::Scope;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::scope::{area_cte, ScopeParams};
use super::{catalogue, feed, teams, users, uuid_at, DbError, Store, StoreError};
use crate::sync::plan::{plan, Incoming, Plan, Status, Stored};

const STORED: &str = "SELECT version, status, member_id, team_id FROM visits WHERE id = ?1";
const REVISION_EXISTS: &str =
    "SELECT 1 FROM visit_revisions WHERE visit_id = ?1 AND version = ?2 AND payload_hash = ?3";
const UPSERT_HOUSEHOLD: &str = "INSERT INTO households \
       (id, village_id, head_name, address, phone, created_by, created_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
     ON CONFLICT (id) DO UPDATE SET head_name = excluded.head_name, address = excluded.address, \
       phone = excluded.phone, updated_at = excluded.updated_at \
     WHERE households.village_id = excluded.village_id";
/// Inserts a new visit or makes a revision current (the plan decides which); the first
/// `received_at` and the team are kept.
const UPSERT_VISIT: &str = "INSERT INTO visits (id, household_id, village_id, team_id, member_id, visited_at, \
       activities, outcome, follow_up_on, note, version, base_version, status, received_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13, ?13) \
     ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, visited_at = excluded.visited_at, \
       village_id = excluded.village_id, activities = excluded.activities, outcome = excluded.outcome, \
       follow_up_on = excluded.follow_up_on, note = excluded.note, version = excluded.version, \
       base_version = excluded.base_version, status = excluded.status, review_reason = NULL, \
       updated_at = excluded.updated_at";
const FLAG_CONFLICT: &str = "UPDATE visits SET conflict = 1, updated_at = ?2 WHERE id = ?1";
const FLAG_AMENDMENT: &str = "UPDATE visits SET amendment = 1, updated_at = ?2 WHERE id = ?1";
/// A visit in scope (`?4`): its status, village and author.
const REVIEW_TARGET: &str = concat!(
    area_cte!(),
    "SELECT status, village_id, member_id FROM visits WHERE id = ?4 \
       AND (?1 IS NULL OR village_id IN area) AND (?2 IS NULL OR team_id = ?2) \
       AND (?3 IS NULL OR member_id = ?3)"
);
const REVIEW: &str =
    "UPDATE visits SET status = ?2, review_reason = ?3, reviewed_by = ?4, reviewed_at = ?5, \
       updated_at = ?5 WHERE id = ?1";
const CONFLICTS: &str = concat!(
    area_cte!(),
    "SELECT id, member_id, version FROM visits WHERE conflict = 1 \
       AND (?1 IS NULL OR village_id IN area) AND (?2 IS NULL OR team_id = ?2) \
       AND (?3 IS NULL OR member_id = ?3) \
     ORDER BY updated_at DESC LIMIT 500"
);
const REVISIONS: &str = "SELECT version, base_version, outcome, received_at FROM visit_revisions \
     WHERE visit_id = ?1 ORDER BY id";
const INSERT_REVISION: &str = "INSERT INTO visit_revisions \
       (visit_id, version, base_version, author_id, payload_hash, payload, outcome, received_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/// Visits in scope, newest first, at most `?4`.
const LIST: &str = concat!(
    area_cte!(),
    "SELECT v.id, v.version, v.base_version, h.id, h.head_name, h.address, h.phone, \
       v.visited_at, v.activities, v.outcome, v.follow_up_on, v.note, v.status, v.member_id, \
       v.received_at, v.village_id \
     FROM visits v JOIN households h ON h.id = v.household_id \
     WHERE (?1 IS NULL OR v.village_id IN area) AND (?2 IS NULL OR v.team_id = ?2) \
       AND (?3 IS NULL OR v.member_id = ?3) \
     ORDER BY v.visited_at DESC, v.id LIMIT ?4"
);

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    STORED,
    REVISION_EXISTS,
    UPSERT_HOUSEHOLD,
    UPSERT_VISIT,
    INSERT_REVISION,
    FLAG_CONFLICT,
    FLAG_AMENDMENT,
    REVIEW_TARGET,
    REVIEW,
    CONFLICTS,
    REVISIONS,
    LIST,
];

/// Who is pushing: the signed-in member, their province (whose catalogue applies) and, for a
/// closed account, when it was closed (only visits from before are accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pusher {
    /// The member.
    pub user: Uuid,
    /// Their province.
    pub province: Option<i64>,
    /// When their account was closed.
    pub closed_at: Option<i64>,
}

impl Pusher {
    /// The pusher for an account.
    pub fn of(account: &users::Account) -> Self {
        Self {
            user: account.profile.user_id,
            province: account.profile.province.as_ref().map(|p| p.id),
            closed_at: account.closed_at,
        }
    }
}

/// SHA-256 of a revision's canonical JSON.
pub fn payload_hash(payload: &str) -> String {
    Sha256::digest(payload.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn result(record: &VisitRecord, outcome: PushOutcome, reason: Option<String>) -> PushResult {
    PushResult {
        id: record.id,
        version: record.version,
        result: outcome,
        reason,
    }
}

fn rejected(record: &VisitRecord, codes: &[&str]) -> PushResult {
    result(record, PushOutcome::Rejected, Some(codes.join(",")))
}

/// Where a visit goes: its team and village.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    team: Uuid,
    village: i64,
}

/// What the batch needs about teams, read once: the villages each team works in.
struct Teams<'c> {
    conn: &'c Connection,
    villages: HashMap<i64, Vec<i64>>,
}

impl Teams<'_> {
    fn villages_of(&mut self, team_unit: i64) -> Result<&[i64], DbError> {
        if !self.villages.contains_key(&team_unit) {
            let ids = users::team_villages(self.conn, team_unit)?
                .into_iter()
                .map(|v| v.id)
                .collect();
            self.villages.insert(team_unit, ids);
        }
        Ok(&self.villages[&team_unit])
    }
}

/// Applies a batch in one transaction and returns one result per record, in order. Returns
/// only after the commit: a result is a promise that the revision is stored.
pub fn push(
    conn: &mut Connection,
    pusher: Pusher,
    records: &[VisitRecord],
    now: i64,
) -> Result<Vec<PushResult>, DbError> {
    let tx = conn.transaction()?;
    let known = catalogue::acceptance(&tx, pusher.province)?;
    let mut results = Vec::with_capacity(records.len());
    let mut places = Teams {
        conn: &tx,
        villages: HashMap::new(),
    };
    for record in records {
        let checked = record.validate(
            |code| catalogue::accepts(&known, code, record.visited_at),
            now,
        );
        let valid = match checked {
            Err(errors) => {
                let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
                results.push(rejected(record, &codes));
                continue;
            }
            Ok(valid) => valid,
        };
        if pusher
            .closed_at
            .is_some_and(|closed| valid.visited_at >= closed)
        {
            results.push(rejected(record, &["account_closed"]));
            continue;
        }
        // The visit belongs to the team its author was on when it happened.
        let Some((team, team_unit)) = teams::team_at(&tx, pusher.user, valid.visited_at)? else {
            results.push(rejected(record, &["no_team"]));
            continue;
        };
        let village = match valid.village_among(places.villages_of(team_unit)?) {
            Ok(village) => village,
            Err(error) => {
                results.push(rejected(record, &[error.code()]));
                continue;
            }
        };
        results.push(apply_one(
            &tx,
            pusher.user,
            Place { team, village },
            &valid,
            now,
        )?);
    }
    drop(places);
    users::record_sync(&tx, pusher.user, now)?;
    tx.commit()?;
    Ok(results)
}

fn apply_one(
    tx: &Connection,
    author: Uuid,
    place: Place,
    record: &VisitRecord,
    now: i64,
) -> Result<PushResult, DbError> {
    let payload = serde_json::to_string(record).map_err(|e| DbError::Task(e.to_string()))?;
    let hash = payload_hash(&payload);
    let id = record.id.to_string();
    let stored = tx
        .prepare_cached(STORED)?
        .query_row([&id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    // An edit stays with the team the visit was first logged for.
    let team = stored
        .as_ref()
        .and_then(|(_, _, _, team)| Uuid::parse_str(team).ok())
        .unwrap_or(place.team);
    let stored = stored.map(|(version, status, member, _)| Stored {
        version,
        status: Status::parse(&status).unwrap_or(Status::Submitted),
        member_id: Uuid::parse_str(&member).unwrap_or_default(),
    });
    let exists = stored.is_some()
        && tx
            .prepare_cached(REVISION_EXISTS)?
            .query_row(params![id, record.version, hash], |_| Ok(()))
            .optional()?
            .is_some();
    let incoming = Incoming {
        version: record.version,
        base_version: record.base_version,
        author,
    };
    let planned = plan(incoming, stored.as_ref(), exists);

    let outcome = match planned {
        Plan::Reject(reason) => {
            return Ok(result(record, PushOutcome::Rejected, Some(reason.into())))
        }
        Plan::AlreadyHad => return Ok(result(record, PushOutcome::AlreadyHad, None)),
        Plan::Insert | Plan::Update => PushOutcome::Applied,
        Plan::Stale => PushOutcome::Stale,
        Plan::Conflict => PushOutcome::Conflict,
        Plan::Locked => PushOutcome::Locked,
    };
    let activities =
        serde_json::to_string(&record.activities).map_err(|e| DbError::Task(e.to_string()))?;
    let household = &record.household;
    if outcome == PushOutcome::Applied {
        tx.prepare_cached(UPSERT_HOUSEHOLD)?.execute(params![
            household.id.to_string(),
            place.village,
            household.head_name,
            household.address,
            household.phone,
            author.to_string(),
            now
        ])?;
        feed::touch_household(tx, &household.id.to_string(), place.village)?;
    }
    let status = if record.withdrawn {
        Status::Withdrawn
    } else {
        Status::Submitted
    };
    match planned {
        Plan::Insert | Plan::Update => {
            tx.prepare_cached(UPSERT_VISIT)?.execute(params![
                id,
                household.id.to_string(),
                place.village,
                team.to_string(),
                author.to_string(),
                record.visited_at,
                activities,
                record.outcome.as_str(),
                record.follow_up_on,
                record.note,
                record.version,
                record.base_version,
                now,
                status.as_str()
            ])?;
        }
        Plan::Conflict => {
            tx.prepare_cached(FLAG_CONFLICT)?
                .execute(params![id, now])?;
        }
        Plan::Locked => {
            tx.prepare_cached(FLAG_AMENDMENT)?
                .execute(params![id, now])?;
        }
        Plan::Stale | Plan::AlreadyHad | Plan::Reject(_) => {}
    }
    if planned != Plan::Stale {
        feed::touch_visit(tx, &id, place.village, author)?;
    }
    let outcome_name = serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    tx.prepare_cached(INSERT_REVISION)?.execute(params![
        id,
        record.version,
        record.base_version,
        author.to_string(),
        hash,
        payload,
        outcome_name,
        now
    ])?;
    Ok(result(record, outcome, None))
}

fn server_visit(r: &Row<'_>) -> rusqlite::Result<ServerVisit> {
    let activities: String = r.get(8)?;
    let outcome: String = r.get(9)?;
    Ok(ServerVisit {
        record: VisitRecord {
            id: uuid_at(r, 0)?,
            version: r.get(1)?,
            base_version: r.get(2)?,
            household: HouseholdInput {
                id: uuid_at(r, 3)?,
                head_name: r.get(4)?,
                address: r.get(5)?,
                phone: r.get(6)?,
            },
            visited_at: r.get(7)?,
            activities: serde_json::from_str::<Vec<ActivityDone>>(&activities).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    8,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            outcome: Outcome::ALL
                .into_iter()
                .find(|o| o.as_str() == outcome)
                .ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        9,
                        rusqlite::types::Type::Text,
                        format!("unknown outcome {outcome:?}").into(),
                    )
                })?,
            follow_up_on: r.get(10)?,
            note: r.get(11)?,
            village_id: Some(r.get(15)?),
            withdrawn: r.get::<_, String>(12)? == "withdrawn",
        },
        status: r.get(12)?,
        member_id: uuid_at(r, 13)?,
        received_at: r.get(14)?,
    })
}

/// Most visits one list answer holds.
pub const LIST_LIMIT: i64 = 500;

/// The visits in scope, newest first.
pub fn list(conn: &Connection, scope: Scope) -> Result<Vec<ServerVisit>, DbError> {
    let s = ScopeParams::from(scope);
    let mut stmt = conn.prepare_cached(LIST)?;
    let rows = stmt.query_map(params![s.area, s.team, s.own, LIST_LIMIT], server_visit)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Approves or returns a submitted visit in scope.
pub fn review(
    conn: &mut Connection,
    scope: Scope,
    visit: Uuid,
    reviewer: Uuid,
    action: ReviewAction,
    reason: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let id = visit.to_string();
    let s = ScopeParams::from(scope);
    let (status, village, member) = tx
        .prepare_cached(REVIEW_TARGET)?
        .query_row(params![s.area, s.team, s.own, id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, uuid_at(r, 2)?))
        })
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if status != Status::Submitted.as_str() {
        return Err(StoreError::conflict(
            "not_submitted",
            "the visit is not awaiting review",
        ));
    }
    let (status, reason) = match action {
        ReviewAction::Approve => (Status::Approved, None),
        ReviewAction::Return => (Status::Returned, reason),
    };
    tx.prepare_cached(REVIEW)?.execute(params![
        id,
        status.as_str(),
        reason,
        reviewer.to_string(),
        now
    ])?;
    feed::touch_visit(&tx, &id, village, member)?;
    tx.commit()?;
    Ok(())
}

/// Visits in scope flagged with conflicting revisions, with every revision received.
pub fn conflicts(conn: &Connection, scope: Scope) -> Result<Vec<Conflict>, DbError> {
    let s = ScopeParams::from(scope);
    let heads: Vec<(Uuid, Uuid, u32)> = conn
        .prepare_cached(CONFLICTS)?
        .query_map(params![s.area, s.team, s.own], |r| {
            Ok((uuid_at(r, 0)?, uuid_at(r, 1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(heads.len());
    for (id, member, version) in heads {
        let revisions = conn
            .prepare_cached(REVISIONS)?
            .query_map([id.to_string()], |r| {
                Ok(RevisionSummary {
                    version: r.get(0)?,
                    base_version: r.get(1)?,
                    outcome: r.get(2)?,
                    received_at: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        out.push(Conflict {
            visit_id: id,
            member_id: member,
            current_version: version,
            revisions,
        });
    }
    Ok(out)
}

impl Store {
    /// Applies a batch of revisions pushed by `pusher`; answers after the commit.
    pub async fn push(
        &self,
        pusher: Pusher,
        records: Vec<VisitRecord>,
        now: i64,
    ) -> Result<Vec<PushResult>, DbError> {
        self.db
            .write(move |conn| push(conn, pusher, &records, now))
            .await
    }

    /// The visits in scope, newest first, at most [`LIST_LIMIT`].
    pub async fn visits(&self, scope: Scope) -> Result<Vec<ServerVisit>, DbError> {
        self.db.read(move |conn| list(conn, scope)).await
    }

    /// Approves or returns a submitted visit in scope.
    pub async fn review(
        &self,
        scope: Scope,
        visit: Uuid,
        reviewer: Uuid,
        action: ReviewAction,
        reason: Option<String>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| review(conn, scope, visit, reviewer, action, reason.as_deref(), now))
            .await
    }

    /// Visits in scope with conflicting revisions.
    pub async fn conflicts(&self, scope: Scope) -> Result<Vec<Conflict>, DbError> {
        self.db.read(move |conn| conflicts(conn, scope)).await
    }
}
