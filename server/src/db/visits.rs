//! Storing pushed visit revisions and reading visits back.

use std::collections::HashSet;

use app::api::{
    Conflict, FeedKind, PushOutcome, PushResult, ReviewAction, RevisionSummary, ServerVisit,
};
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{feed, DbError};
use crate::sync::plan::{plan, Incoming, Plan, Status, Stored};

const CODES: &str = "SELECT code FROM activity_types";
const STORED: &str = "SELECT version, status, member_id FROM visits WHERE id = ?1";
const REVISION_EXISTS: &str =
    "SELECT 1 FROM visit_revisions WHERE visit_id = ?1 AND version = ?2 AND payload_hash = ?3";
const UPSERT_HOUSEHOLD: &str = "INSERT INTO households \
       (id, village_id, head_name, address, phone, created_by, created_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
     ON CONFLICT (id) DO UPDATE SET head_name = excluded.head_name, address = excluded.address, \
       phone = excluded.phone, updated_at = excluded.updated_at \
     WHERE households.village_id = excluded.village_id";
/// Inserts a new visit or makes a revision current (the plan decides which); the first
/// `received_at` is kept.
const UPSERT_VISIT: &str = "INSERT INTO visits (id, household_id, village_id, team_id, member_id, visited_at, \
       activities, outcome, follow_up_on, note, version, base_version, status, received_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13, ?13) \
     ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, visited_at = excluded.visited_at, \
       activities = excluded.activities, outcome = excluded.outcome, follow_up_on = excluded.follow_up_on, \
       note = excluded.note, version = excluded.version, base_version = excluded.base_version, \
       status = excluded.status, review_reason = NULL, updated_at = excluded.updated_at";
const FLAG_CONFLICT: &str = "UPDATE visits SET conflict = 1, updated_at = ?2 WHERE id = ?1";
const FLAG_AMENDMENT: &str = "UPDATE visits SET amendment = 1, updated_at = ?2 WHERE id = ?1";
const REVIEW_TARGET: &str = "WITH RECURSIVE scope(id) AS ( \
       SELECT ?2 UNION ALL SELECT u.id FROM units u JOIN scope ON u.parent_id = scope.id) \
     SELECT status, village_id, member_id FROM visits WHERE id = ?1 AND village_id IN (SELECT id FROM scope)";
const REVIEW: &str =
    "UPDATE visits SET status = ?2, review_reason = ?3, reviewed_by = ?4, reviewed_at = ?5, \
       updated_at = ?5 WHERE id = ?1";
const CONFLICTS_IN_UNIT: &str = "WITH RECURSIVE scope(id) AS ( \
       SELECT ?1 UNION ALL SELECT u.id FROM units u JOIN scope ON u.parent_id = scope.id) \
     SELECT id, member_id, version FROM visits \
     WHERE conflict = 1 AND village_id IN (SELECT id FROM scope) ORDER BY updated_at DESC LIMIT 500";
const CONFLICTS_OWN: &str = "SELECT id, member_id, version FROM visits \
     WHERE conflict = 1 AND member_id = ?1 ORDER BY updated_at DESC LIMIT 500";
const REVISIONS: &str = "SELECT version, base_version, outcome, received_at FROM visit_revisions \
     WHERE visit_id = ?1 ORDER BY id";
const INSERT_REVISION: &str = "INSERT INTO visit_revisions \
       (visit_id, version, base_version, author_id, payload_hash, payload, outcome, received_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/// The columns every visit listing reads, in the order [`server_visit`] expects.
macro_rules! visit_select {
    () => {
        "SELECT v.id, v.version, v.base_version, h.id, h.head_name, h.address, h.phone, \
           v.visited_at, v.activities, v.outcome, v.follow_up_on, v.note, v.status, v.member_id, v.received_at \
         FROM visits v JOIN households h ON h.id = v.household_id "
    };
}
const LIST_OWN: &str = concat!(
    visit_select!(),
    "WHERE v.member_id = ?1 ORDER BY v.visited_at DESC, v.id LIMIT ?2"
);
const LIST_IN_UNIT: &str = concat!(
    "WITH RECURSIVE scope(id) AS ( \
       SELECT ?1 UNION ALL SELECT u.id FROM units u JOIN scope ON u.parent_id = scope.id) ",
    visit_select!(),
    "WHERE v.village_id IN (SELECT id FROM scope) ORDER BY v.visited_at DESC, v.id LIMIT ?2"
);

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    CODES,
    STORED,
    REVISION_EXISTS,
    UPSERT_HOUSEHOLD,
    UPSERT_VISIT,
    INSERT_REVISION,
    FLAG_CONFLICT,
    FLAG_AMENDMENT,
    REVIEW_TARGET,
    REVIEW,
    CONFLICTS_IN_UNIT,
    CONFLICTS_OWN,
    REVISIONS,
    LIST_OWN,
    LIST_IN_UNIT,
];

/// Who is pushing, and where their visits belong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Author {
    /// The signed-in member.
    pub user_id: Uuid,
    /// Their team.
    pub team_id: Uuid,
    /// Their team's village.
    pub village_id: i64,
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

/// Applies a batch in one transaction and returns one result per record, in order. Returns
/// only after the commit: a result is a promise that the revision is stored.
pub fn push(
    conn: &mut Connection,
    author: Author,
    records: &[VisitRecord],
    now: i64,
) -> Result<Vec<PushResult>, DbError> {
    let tx = conn.transaction()?;
    let known: HashSet<String> = tx
        .prepare_cached(CODES)?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut results = Vec::with_capacity(records.len());
    for record in records {
        let outcome = match record.validate(|code| known.contains(code), now) {
            Err(errors) => {
                let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
                result(record, PushOutcome::Rejected, Some(codes.join(",")))
            }
            Ok(valid) => apply_one(&tx, author, &valid, now)?,
        };
        results.push(outcome);
    }
    tx.commit()?;
    Ok(results)
}

fn apply_one(
    tx: &Connection,
    author: Author,
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
            ))
        })
        .optional()?
        .map(|(version, status, member)| Stored {
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
        author: author.user_id,
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
            author.village_id,
            household.head_name,
            household.address,
            household.phone,
            author.user_id.to_string(),
            now
        ])?;
        feed::touch(
            tx,
            FeedKind::Household,
            &household.id.to_string(),
            Some(author.village_id),
            None,
        )?;
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
                author.village_id,
                author.team_id.to_string(),
                author.user_id.to_string(),
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
        feed::touch(
            tx,
            FeedKind::Visit,
            &id,
            Some(author.village_id),
            Some(author.user_id),
        )?;
    }
    let outcome_name = serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    tx.prepare_cached(INSERT_REVISION)?.execute(params![
        id,
        record.version,
        record.base_version,
        author.user_id.to_string(),
        hash,
        payload,
        outcome_name,
        now
    ])?;
    Ok(result(record, outcome, None))
}

fn server_visit(r: &Row<'_>) -> rusqlite::Result<ServerVisit> {
    let uuid = |i: usize| -> rusqlite::Result<Uuid> {
        let raw: String = r.get(i)?;
        Uuid::parse_str(&raw).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let activities: String = r.get(8)?;
    let outcome: String = r.get(9)?;
    Ok(ServerVisit {
        record: VisitRecord {
            id: uuid(0)?,
            version: r.get(1)?,
            base_version: r.get(2)?,
            household: HouseholdInput {
                id: uuid(3)?,
                head_name: r.get(4)?,
                address: r.get(5)?,
                phone: r.get(6)?,
            },
            visited_at: r.get(7)?,
            activities: serde_json::from_str::<Vec<ActivityDone>>(&activities).unwrap_or_default(),
            outcome: Outcome::ALL
                .into_iter()
                .find(|o| o.as_str() == outcome)
                .unwrap_or(Outcome::Done),
            follow_up_on: r.get(10)?,
            note: r.get(11)?,
            withdrawn: r.get::<_, String>(12)? == "withdrawn",
        },
        status: r.get(12)?,
        member_id: uuid(13)?,
        received_at: r.get(14)?,
    })
}

/// Most visits one list answer holds.
pub const LIST_LIMIT: i64 = 500;

/// A member's own visits, newest first.
pub fn list_own(conn: &Connection, member: Uuid) -> Result<Vec<ServerVisit>, DbError> {
    let mut stmt = conn.prepare_cached(LIST_OWN)?;
    let rows = stmt.query_map(params![member.to_string(), LIST_LIMIT], server_visit)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The visits of every village under `unit` (a commune, a province...), newest first.
pub fn list_in_unit(conn: &Connection, unit: i64) -> Result<Vec<ServerVisit>, DbError> {
    let mut stmt = conn.prepare_cached(LIST_IN_UNIT)?;
    let rows = stmt.query_map(params![unit, LIST_LIMIT], server_visit)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Why a review was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// No such visit in the reviewer's unit.
    NotFound,
    /// Only submitted visits can be approved or returned.
    NotSubmitted,
}

/// Approves or returns a submitted visit in `unit` (the reviewer's commune or province).
pub fn review(
    conn: &mut Connection,
    visit: Uuid,
    reviewer: Uuid,
    unit: i64,
    action: ReviewAction,
    reason: Option<&str>,
    now: i64,
) -> Result<Result<(), ReviewRefusal>, DbError> {
    let tx = conn.transaction()?;
    let id = visit.to_string();
    let target = tx
        .prepare_cached(REVIEW_TARGET)?
        .query_row(params![id, unit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    let Some((status, village, member)) = target else {
        return Ok(Err(ReviewRefusal::NotFound));
    };
    if status != Status::Submitted.as_str() {
        return Ok(Err(ReviewRefusal::NotSubmitted));
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
    feed::touch(
        &tx,
        FeedKind::Visit,
        &id,
        Some(village),
        Uuid::parse_str(&member).ok(),
    )?;
    tx.commit()?;
    Ok(Ok(()))
}

/// Where to look for conflicts.
#[derive(Debug, Clone, Copy)]
pub enum ConflictScope {
    /// A member's own visits.
    Own(Uuid),
    /// Every visit in a unit (a leader's village, a commune, a province).
    Unit(i64),
}

/// Visits flagged with conflicting revisions, with every revision received.
pub fn conflicts(conn: &Connection, scope: ConflictScope) -> Result<Vec<Conflict>, DbError> {
    let map = |r: &Row<'_>| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u32>(2)?,
        ))
    };
    let heads: Vec<(String, String, u32)> = match scope {
        ConflictScope::Own(member) => conn
            .prepare_cached(CONFLICTS_OWN)?
            .query_map([member.to_string()], map)?
            .collect::<Result<_, _>>()?,
        ConflictScope::Unit(unit) => conn
            .prepare_cached(CONFLICTS_IN_UNIT)?
            .query_map([unit], map)?
            .collect::<Result<_, _>>()?,
    };
    let mut out = Vec::with_capacity(heads.len());
    for (id, member, version) in heads {
        let revisions = conn
            .prepare_cached(REVISIONS)?
            .query_map([&id], |r| {
                Ok(RevisionSummary {
                    version: r.get(0)?,
                    base_version: r.get(1)?,
                    outcome: r.get(2)?,
                    received_at: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        out.push(Conflict {
            visit_id: Uuid::parse_str(&id).unwrap_or_default(),
            member_id: Uuid::parse_str(&member).unwrap_or_default(),
            current_version: version,
            revisions,
        });
    }
    Ok(out)
}
