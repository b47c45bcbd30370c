//! Storing pushed visit revisions and reading visits back, within the policy's scope.

use std::collections::HashMap;

use app::api::{
    AmendmentState, Conflict, DifficultyState, LeaderMark, MarkKind, PushOutcome, PushResult,
    ReviewAction, RevisionSummary, ServerVisit, VisitStatus,
};
use app::domain::household::scrub;
use app::domain::policy::Scope;
use app::domain::visit::DifficultyRaised;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, ScopeParams};
use super::{catalogue, feed, figures, teams, users, uuid_at, DbError, Store, StoreError};
use crate::sync::plan::{bounded, plan, Held, Incoming, Plan, RevisionBounds, Status, Stored};

const STORED: &str =
    "SELECT version, status, member_id, team_id, revision FROM visits WHERE id = ?1";
const REVISION_EXISTS: &str =
    "SELECT 1 FROM visit_revisions WHERE visit_id = ?1 AND version = ?2 AND payload_hash = ?3";
/// Rule 8: the revisions a visit holds, and those a member sent since `?2`.
const REVISIONS_OF_VISIT: &str = "SELECT COUNT(*) FROM visit_revisions WHERE visit_id = ?1";
const REVISIONS_SINCE: &str =
    "SELECT COUNT(*) FROM visit_revisions WHERE author_id = ?1 AND received_at >= ?2";
/// A household's village, the household it was merged into, if any, and whether its personal
/// data was erased.
const HOUSEHOLD_AT: &str =
    "SELECT village_id, merged_into, erased_at IS NOT NULL FROM households WHERE id = ?1";
/// Consent (`?9`: when it was given) is kept while the phone number stays the same.
const UPSERT_HOUSEHOLD: &str = "INSERT INTO households \
       (id, village_id, head_name, address, phone, created_by, created_at, updated_at, business, \
        phone_consent_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9) \
     ON CONFLICT (id) DO UPDATE SET head_name = excluded.head_name, address = excluded.address, \
       phone = excluded.phone, updated_at = excluded.updated_at, business = excluded.business, \
       phone_consent_at = CASE WHEN excluded.phone IS NULL THEN NULL \
         WHEN households.phone IS excluded.phone AND households.phone_consent_at IS NOT NULL \
           THEN households.phone_consent_at \
         ELSE excluded.phone_consent_at END \
     WHERE households.village_id = excluded.village_id AND households.merged_into IS NULL \
       AND households.erased_at IS NULL";
/// Inserts a new visit or makes a revision current (the plan decides which); the first
/// `received_at` and the team are kept.
const UPSERT_VISIT: &str = "INSERT INTO visits (id, household_id, village_id, team_id, member_id, visited_at, \
       activities, outcome, follow_up_on, note, version, base_version, status, received_at, updated_at, \
       revision, business) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13, ?13, ?15, ?16) \
     ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, visited_at = excluded.visited_at, \
       village_id = excluded.village_id, activities = excluded.activities, outcome = excluded.outcome, \
       follow_up_on = excluded.follow_up_on, note = excluded.note, version = excluded.version, \
       base_version = excluded.base_version, status = excluded.status, review_reason = NULL, \
       updated_at = excluded.updated_at, revision = excluded.revision, business = excluded.business";
const FLAG_CONFLICT: &str = "UPDATE visits SET conflict = 1, updated_at = ?2 WHERE id = ?1";
/// A revision received after approval waits as the amendment (a later one replaces it).
const SET_AMENDMENT: &str = "UPDATE visits SET amendment = 1, amendment_status = 'pending', \
       amendment_revision = ?2, amendment_reason = NULL, updated_at = ?3 WHERE id = ?1";
/// A difficulty the current revision raises; unchanged, it keeps its handling.
const UPSERT_DIFFICULTY: &str = "INSERT INTO difficulties \
       (visit_id, village_id, team_id, category, note, raised_at, status) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open') \
     ON CONFLICT (visit_id) DO UPDATE SET village_id = excluded.village_id, \
       raised_at = excluded.raised_at, category = excluded.category, note = excluded.note, \
       status = 'open', handled_by = NULL, handled_at = NULL, comment = NULL \
     WHERE difficulties.category IS NOT excluded.category OR difficulties.note IS NOT excluded.note";
/// The current revision raises no difficulty: an open one goes; a handled one stays on record.
const DROP_DIFFICULTY: &str = "DELETE FROM difficulties WHERE visit_id = ?1 AND status = 'open'";
/// A visit in scope (`?4`): its status, village, author, team and amendment.
const REVIEW_TARGET: &str = concat!(
    area_cte!(),
    "SELECT status, village_id, member_id, team_id, amendment_status, amendment_revision \
     FROM visits WHERE id = ?4 \
       AND (?1 IS NULL OR village_id IN area) AND (?2 IS NULL OR team_id = ?2) \
       AND (?3 IS NULL OR member_id = ?3)"
);
const REVIEW: &str =
    "UPDATE visits SET status = ?2, review_reason = ?3, reviewed_by = ?4, reviewed_at = ?5, \
       updated_at = ?5 WHERE id = ?1";
/// Clears a decided amendment: approved (`?2` NULL) or refused with the reason `?2`.
const DECIDE_AMENDMENT: &str = "UPDATE visits SET amendment = 0, \
       amendment_status = CASE WHEN ?2 IS NULL THEN NULL ELSE 'refused' END, \
       amendment_reason = ?2, amendment_revision = CASE WHEN ?2 IS NULL THEN NULL ELSE amendment_revision END, \
       reviewed_by = ?3, reviewed_at = ?4, updated_at = ?4 WHERE id = ?1";
const REVISION_PAYLOAD: &str =
    "SELECT payload, version, revision FROM visit_revisions WHERE id = ?1 AND visit_id = ?2";
const CONFLICTS: &str = concat!(
    area_cte!(),
    "SELECT id, member_id, version FROM visits WHERE conflict = 1 \
       AND (?1 IS NULL OR village_id IN area) AND (?2 IS NULL OR team_id = ?2) \
       AND (?3 IS NULL OR member_id = ?3) \
     ORDER BY updated_at DESC LIMIT 500"
);
const REVISIONS: &str =
    "SELECT version, base_version, outcome, received_at, id, revision, payload \
     FROM visit_revisions WHERE visit_id = ?1 ORDER BY id";
const MAX_VERSION: &str = "SELECT max(version) FROM visit_revisions WHERE visit_id = ?1";
const SETTLE_CONFLICT: &str = "UPDATE visits SET conflict = 0, updated_at = ?2 WHERE id = ?1";
const INSERT_REVISION: &str = "INSERT INTO visit_revisions \
       (visit_id, version, base_version, author_id, payload_hash, payload, outcome, received_at, \
        revision, written_by) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
/// A team leader marks a visit of their team (`?2` in the team scope).
const MARK: &str = concat!(
    area_cte!(),
    "UPDATE visits SET mark = ?5, mark_comment = ?6, marked_by = ?7, marked_at = ?8, updated_at = ?8 \
     WHERE id = ?4 AND (?1 IS NULL OR village_id IN area) AND (?2 IS NULL OR team_id = ?2) \
       AND (?3 IS NULL OR member_id = ?3)"
);
/// Everything a visit's state holds (`VisitStatus`): columns 0–15 make the record, 16–36 the
/// rest; `state_select!(", more columns", "JOIN more tables ")` adds columns from 37 on.
macro_rules! state_select {
    () => {
        $crate::db::visits::state_select!("", "")
    };
    ($columns:literal, $joins:literal) => {
        concat!(
            "SELECT v.id, v.version, v.base_version, h.id, h.head_name, h.address, h.phone, \
               v.visited_at, v.activities, v.outcome, v.follow_up_on, v.note, v.status, \
               v.member_id, v.received_at, v.village_id, v.revision, h.business, \
               h.phone_consent_at, u.name, v.review_reason, v.reviewed_at, v.conflict, \
               v.amendment_status, v.amendment_reason, v.mark, v.mark_comment, v.marked_by, \
               v.marked_at, d.category, d.note, d.status, d.comment, d.handled_at, ar.version, \
               ar.payload, h.erased_at IS NOT NULL",
            $columns,
            " FROM visits v JOIN households h ON h.id = v.household_id \
               JOIN users u ON u.id = v.member_id \
               LEFT JOIN difficulties d ON d.visit_id = v.id \
               LEFT JOIN visit_revisions ar ON ar.id = v.amendment_revision ",
            $joins
        )
    };
}
pub(crate) use state_select;
/// One visit's whole state.
const STATE: &str = concat!(state_select!(), "WHERE v.id = ?1");
/// Visits in scope, newest first, at most `?4`.
const LIST: &str = concat!(
    area_cte!(),
    state_select!(),
    "WHERE (?1 IS NULL OR v.village_id IN area) AND (?2 IS NULL OR v.team_id = ?2) \
       AND (?3 IS NULL OR v.member_id = ?3) \
     ORDER BY v.visited_at DESC, v.id LIMIT ?4"
);

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    STORED,
    REVISION_EXISTS,
    REVISIONS_OF_VISIT,
    REVISIONS_SINCE,
    HOUSEHOLD_AT,
    UPSERT_HOUSEHOLD,
    UPSERT_VISIT,
    INSERT_REVISION,
    FLAG_CONFLICT,
    SET_AMENDMENT,
    UPSERT_DIFFICULTY,
    DROP_DIFFICULTY,
    REVIEW_TARGET,
    REVIEW,
    DECIDE_AMENDMENT,
    REVISION_PAYLOAD,
    CONFLICTS,
    REVISIONS,
    MAX_VERSION,
    SETTLE_CONFLICT,
    MARK,
    STATE,
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
    /// How many revisions a visit and a member's day may hold (`sync::plan`, rule 8).
    pub bounds: RevisionBounds,
}

impl Pusher {
    /// The pusher for an account.
    pub fn of(account: &users::Account) -> Self {
        Self {
            user: account.profile.user_id,
            province: account.profile.province.as_ref().map(|p| p.id),
            closed_at: account.closed_at,
            bounds: RevisionBounds::DEFAULT,
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
        current: None,
    }
}

fn rejected(record: &VisitRecord, codes: &[&str]) -> PushResult {
    result(record, PushOutcome::Rejected, Some(codes.join(",")))
}

fn json_error(e: serde_json::Error) -> DbError {
    DbError::Task(e.to_string())
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

/// Where the household a visit names stands, after following merges.
#[derive(Clone, Copy, Debug)]
struct Found {
    village: i64,
    /// When it was merged away: the survivor.
    survivor: Option<Uuid>,
    /// The household the visit is stored against had its personal data erased.
    erased: bool,
}

/// The household a visit names, after following merges. `None` for a household the server
/// has not seen (a new one).
fn household_at(conn: &Connection, id: Uuid) -> Result<Option<Found>, DbError> {
    let mut current = id;
    let mut redirected = None;
    // Merges form short chains (a survivor merged again later); 16 steps is plenty.
    for _ in 0..16 {
        let row = conn
            .prepare_cached(HOUSEHOLD_AT)?
            .query_row([current.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .optional()?;
        match row {
            None => return Ok(None),
            Some((village, None, erased)) => {
                return Ok(Some(Found {
                    village,
                    survivor: redirected,
                    erased,
                }))
            }
            Some((_, Some(next), _)) => {
                current = Uuid::parse_str(&next).map_err(|e| DbError::Task(e.to_string()))?;
                redirected = Some(current);
            }
        }
    }
    Err(DbError::Task("household merge chain too long".into()))
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
    let difficulties = catalogue::difficulty_acceptance(&tx, pusher.province)?;
    let mut results = Vec::with_capacity(records.len());
    let day_start = app::domain::time::vietnam_date(now).start_ms();
    let mut sent_today: u32 = tx
        .prepare_cached(REVISIONS_SINCE)?
        .query_row(params![pusher.user.to_string(), day_start], |r| r.get(0))?;
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
        if let Some(difficulty) = &valid.difficulty {
            if !catalogue::accepts(&difficulties, &difficulty.category, valid.visited_at) {
                results.push(rejected(record, &["difficulty_unknown"]));
                continue;
            }
        }
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
        // Only a household of the visit's village (a merged-away one stands for its
        // survivor: `make_current` follows the merge). The revision is stored as sent, so a
        // retry after a merge is still recognised as the same revision.
        let household = household_at(&tx, valid.household.id)?;
        let elsewhere = household.is_some_and(|h| h.village != village);
        let erased = household.is_some_and(|h| h.erased);
        results.push(apply_one(
            &tx,
            &pusher,
            &mut sent_today,
            Place { team, village },
            &valid,
            Named { elsewhere, erased },
            now,
        )?);
    }
    drop(places);
    users::record_sync(&tx, pusher.user, now)?;
    tx.commit()?;
    Ok(results)
}

/// What the server holds of one visit, for the plan.
fn stored(tx: &Connection, id: &str) -> Result<Option<(Stored, Uuid)>, DbError> {
    Ok(tx
        .prepare_cached(STORED)?
        .query_row([id], |r| {
            Ok((
                Stored {
                    version: r.get(0)?,
                    status: Status::parse(&r.get::<_, String>(1)?).unwrap_or(Status::Submitted),
                    member_id: uuid_at(r, 2)?,
                    revision: r
                        .get::<_, Option<String>>(4)?
                        .and_then(|s| Uuid::parse_str(&s).ok()),
                },
                uuid_at(r, 3)?,
            ))
        })
        .optional()?)
}

/// Records a revision in history; returns its number.
#[allow(clippy::too_many_arguments)]
fn insert_revision(
    tx: &Connection,
    record: &VisitRecord,
    payload: &str,
    hash: &str,
    author: Uuid,
    outcome: PushOutcome,
    written_by: Option<Uuid>,
    now: i64,
) -> Result<i64, DbError> {
    let outcome_name = serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    tx.prepare_cached(INSERT_REVISION)?.execute(params![
        record.id.to_string(),
        record.version,
        record.base_version,
        author.to_string(),
        hash,
        payload,
        outcome_name,
        now,
        record.revision.map(|r| r.to_string()),
        written_by.map(|w| w.to_string()),
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Makes `record` the visit's current revision with `status`: its household, the visit row,
/// its difficulty; the feed learns the household (the visit is touched by the caller).
fn make_current(
    tx: &Connection,
    author: Uuid,
    place: Place,
    record: &VisitRecord,
    status: Status,
    now: i64,
) -> Result<(), DbError> {
    let household = &record.household;
    // A household merged away stands for its survivor, whose details stay as they are; an
    // erased household's stay erased.
    let found = household_at(tx, household.id)?;
    let survivor = found.and_then(|f| f.survivor);
    let household_id = survivor.unwrap_or(household.id).to_string();
    if survivor.is_none() && !found.is_some_and(|f| f.erased) {
        let consent_at = (household.phone.is_some() && household.phone_consent).then_some(now);
        tx.prepare_cached(UPSERT_HOUSEHOLD)?.execute(params![
            household_id,
            place.village,
            household.head_name,
            household.address,
            household.phone,
            author.to_string(),
            now,
            household.business,
            consent_at
        ])?;
        feed::touch_household(tx, &household_id, place.village)?;
    }
    let id = record.id.to_string();
    let activities = serde_json::to_string(&record.activities).map_err(json_error)?;
    tx.prepare_cached(UPSERT_VISIT)?.execute(params![
        id,
        household_id,
        place.village,
        place.team.to_string(),
        author.to_string(),
        record.visited_at,
        activities,
        record.outcome.as_str(),
        record.follow_up_on,
        record.note,
        record.version,
        record.base_version,
        now,
        status.as_str(),
        record.revision.map(|r| r.to_string()),
        household.business,
    ])?;
    figures::refresh(tx, &id)?;
    match &record.difficulty {
        Some(d) => {
            tx.prepare_cached(UPSERT_DIFFICULTY)?.execute(params![
                id,
                place.village,
                place.team.to_string(),
                d.category,
                d.note,
                record.visited_at
            ])?;
        }
        None => {
            tx.prepare_cached(DROP_DIFFICULTY)?.execute([&id])?;
        }
    }
    Ok(())
}

/// What the household a revision names means for storing it.
#[derive(Clone, Copy, Debug)]
struct Named {
    /// It is a household of another village: refused once the plan has not refused the
    /// revision for a more basic reason.
    elsewhere: bool,
    /// Its personal data was erased: the revision is stored scrubbed
    /// ([`app::domain::household::scrub`]), under the hash of what was sent, so that a resend
    /// is still recognised and nothing brings the name back.
    erased: bool,
}

/// Plans and stores one valid revision.
fn apply_one(
    tx: &Connection,
    pusher: &Pusher,
    sent_today: &mut u32,
    place: Place,
    sent: &VisitRecord,
    named: Named,
    now: i64,
) -> Result<PushResult, DbError> {
    let payload = serde_json::to_string(sent).map_err(json_error)?;
    let hash = payload_hash(&payload);
    let scrubbed;
    let (record, payload) = if named.erased {
        let mut kept = sent.clone();
        scrub(&mut kept);
        let payload = serde_json::to_string(&kept).map_err(json_error)?;
        scrubbed = kept;
        (&scrubbed, payload)
    } else {
        (sent, payload)
    };
    let id = record.id.to_string();
    let stored = stored(tx, &id)?;
    // An edit stays with the team the visit was first logged for.
    let place = Place {
        team: stored.as_ref().map_or(place.team, |(_, team)| *team),
        ..place
    };
    let stored = stored.map(|(s, _)| s);
    let exists = stored.is_some()
        && tx
            .prepare_cached(REVISION_EXISTS)?
            .query_row(params![id, record.version, hash], |_| Ok(()))
            .optional()?
            .is_some();
    let author = pusher.user;
    let incoming = Incoming {
        version: record.version,
        base_version: record.base_version,
        base_revision: record.base_revision,
        author,
    };
    let of_visit: u32 = match stored {
        Some(_) => tx
            .prepare_cached(REVISIONS_OF_VISIT)?
            .query_row([&id], |r| r.get(0))?,
        None => 0,
    };
    let held = Held {
        of_visit,
        member_today: *sent_today,
    };
    let planned = bounded(plan(incoming, stored.as_ref(), exists), held, pusher.bounds);

    let outcome = match planned {
        Plan::Reject(reason) => {
            return Ok(result(record, PushOutcome::Rejected, Some(reason.into())))
        }
        Plan::AlreadyHad => return Ok(result(record, PushOutcome::AlreadyHad, None)),
        _ if named.elsewhere => return Ok(rejected(record, &["household_elsewhere"])),
        Plan::Insert | Plan::Update => PushOutcome::Applied,
        Plan::Stale => PushOutcome::Stale,
        Plan::Conflict => PushOutcome::Conflict,
        Plan::Locked => PushOutcome::Locked,
    };
    let status = if record.withdrawn {
        Status::Withdrawn
    } else {
        Status::Submitted
    };
    if matches!(planned, Plan::Insert | Plan::Update) {
        make_current(tx, author, place, record, status, now)?;
    }
    // After the visit row exists: the history references it.
    let number = insert_revision(tx, record, &payload, &hash, author, outcome, None, now)?;
    *sent_today += 1;
    let mut answer = result(record, outcome, None);
    match planned {
        Plan::Insert | Plan::Update => {}
        Plan::Conflict => {
            tx.prepare_cached(FLAG_CONFLICT)?
                .execute(params![id, now])?;
        }
        Plan::Locked => {
            tx.prepare_cached(SET_AMENDMENT)?
                .execute(params![id, number, now])?;
        }
        Plan::Stale => answer.current = state(tx, record.id)?.map(Box::new),
        Plan::AlreadyHad | Plan::Reject(_) => {}
    }
    if planned != Plan::Stale {
        feed::touch_visit(tx, &id)?;
    }
    Ok(answer)
}

pub(crate) fn parse_record(payload: &str) -> rusqlite::Result<VisitRecord> {
    serde_json::from_str(payload).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The current revision, from a row of `state_select!`.
fn record_at(r: &Row<'_>) -> rusqlite::Result<VisitRecord> {
    let activities: String = r.get(8)?;
    let outcome: String = r.get(9)?;
    let difficulty = match r.get::<_, Option<String>>(29)? {
        Some(category) => Some(DifficultyRaised {
            category,
            note: r.get(30)?,
        }),
        None => None,
    };
    Ok(VisitRecord {
        id: uuid_at(r, 0)?,
        version: r.get(1)?,
        base_version: r.get(2)?,
        revision: opt_uuid(r, 16)?,
        base_revision: None,
        household: HouseholdInput {
            id: uuid_at(r, 3)?,
            head_name: r.get(4)?,
            address: r.get(5)?,
            phone: r.get(6)?,
            phone_consent: r.get::<_, Option<i64>>(18)?.is_some(),
            business: r.get(17)?,
        },
        visited_at: r.get(7)?,
        activities: serde_json::from_str::<Vec<ActivityDone>>(&activities).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
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
        difficulty,
    })
}

pub(crate) fn opt_uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    Ok(r.get::<_, Option<String>>(i)?
        .and_then(|s| Uuid::parse_str(&s).ok()))
}

/// A visit's whole state, from a row of `state_select!`.
pub(crate) fn state_at(r: &Row<'_>) -> rusqlite::Result<VisitStatus> {
    let record = record_at(r)?;
    let amendment = match r.get::<_, Option<String>>(23)? {
        Some(status) => Some(AmendmentState {
            status,
            version: r.get::<_, Option<u32>>(34)?.unwrap_or(0),
            reason: r.get(24)?,
            // As approving it would make it: the visit stays in its village.
            record: r
                .get::<_, Option<String>>(35)?
                .map(|p| parse_record(&p))
                .transpose()?
                .map(|mut pending| {
                    pending.village_id = record.village_id;
                    pending
                }),
        }),
        None => None,
    };
    let mark = match (r.get::<_, Option<String>>(25)?, opt_uuid(r, 27)?) {
        (Some(mark), Some(by)) => MarkKind::parse(&mark).map(|mark| LeaderMark {
            mark,
            comment: r.get(26).ok().flatten(),
            by,
            at: r.get::<_, Option<i64>>(28).ok().flatten().unwrap_or(0),
        }),
        _ => None,
    };
    let difficulty = match record.difficulty.as_ref() {
        Some(d) => Some(DifficultyState {
            category: d.category.clone(),
            note: d.note.clone(),
            status: r.get(31)?,
            comment: r.get(32)?,
            handled_at: r.get(33)?,
        }),
        None => None,
    };
    Ok(VisitStatus {
        id: record.id,
        version: record.version,
        status: r.get(12)?,
        reason: r.get(20)?,
        reviewed_at: r.get(21)?,
        revision: record.revision,
        member_id: Some(uuid_at(r, 13)?),
        member_name: Some(r.get(19)?),
        conflict: r.get(22)?,
        amendment,
        mark,
        difficulty,
        household_erased: r.get(36)?,
        record: Some(record),
    })
}

/// One visit's whole state.
pub fn state(conn: &Connection, id: Uuid) -> Result<Option<VisitStatus>, DbError> {
    Ok(conn
        .prepare_cached(STATE)?
        .query_row([id.to_string()], state_at)
        .optional()?)
}

/// Most visits one list answer holds.
pub const LIST_LIMIT: i64 = 500;

/// The visits in scope, newest first.
pub fn list(conn: &Connection, scope: Scope) -> Result<Vec<ServerVisit>, DbError> {
    let s = ScopeParams::from(scope);
    let mut stmt = conn.prepare_cached(LIST)?;
    let rows = stmt.query_map(params![s.area, s.team, s.own, LIST_LIMIT], |r| {
        Ok(ServerVisit {
            record: record_at(r)?,
            status: r.get(12)?,
            member_id: uuid_at(r, 13)?,
            received_at: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The visit in scope that a reviewer acts on.
struct Target {
    status: String,
    village: i64,
    member: Uuid,
    team: Uuid,
    amendment: Option<String>,
    amendment_revision: Option<i64>,
}

fn review_target(tx: &Connection, scope: Scope, id: &str) -> Result<Target, StoreError> {
    let s = ScopeParams::from(scope);
    tx.prepare_cached(REVIEW_TARGET)?
        .query_row(params![s.area, s.team, s.own, id], |r| {
            Ok(Target {
                status: r.get(0)?,
                village: r.get(1)?,
                member: uuid_at(r, 2)?,
                team: uuid_at(r, 3)?,
                amendment: r.get(4)?,
                amendment_revision: r.get(5)?,
            })
        })
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Approves or returns what awaits review on a visit in scope: the visit itself when it is
/// submitted, or its pending amendment (approving makes it the current, approved revision;
/// returning refuses it and keeps the approved one). Audited.
pub fn review(
    conn: &mut Connection,
    scope: Scope,
    visit: Uuid,
    by: &By,
    action: ReviewAction,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    decide(&tx, scope, visit, by, action, reason)?;
    tx.commit()?;
    Ok(())
}

/// One review decision inside the caller's transaction.
pub(crate) fn decide(
    tx: &Connection,
    scope: Scope,
    visit: Uuid,
    by: &By,
    action: ReviewAction,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let id = visit.to_string();
    let target = review_target(tx, scope, &id)?;
    let reviewer = by.user.map(|u| u.to_string());
    let audit_action = if target.amendment.as_deref() == Some("pending") {
        let number = target.amendment_revision.ok_or(StoreError::NotFound)?;
        let (payload, version): (String, u32) = tx
            .prepare_cached(REVISION_PAYLOAD)?
            .query_row(params![number, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        match action {
            ReviewAction::Approve => {
                let record = parse_record(&payload)?;
                let place = Place {
                    team: target.team,
                    village: target.village,
                };
                make_current(tx, target.member, place, &record, Status::Approved, by.at)?;
                tx.prepare_cached(REVIEW)?.execute(params![
                    id,
                    Status::Approved.as_str(),
                    None::<String>,
                    reviewer,
                    by.at
                ])?;
                tx.prepare_cached(DECIDE_AMENDMENT)?.execute(params![
                    id,
                    None::<String>,
                    reviewer,
                    by.at
                ])?;
                ("amendment_approved", version)
            }
            ReviewAction::Return => {
                tx.prepare_cached(DECIDE_AMENDMENT)?
                    .execute(params![id, reason, reviewer, by.at])?;
                ("amendment_refused", version)
            }
        }
    } else if target.status == Status::Submitted.as_str() {
        let (status, reason, name) = match action {
            ReviewAction::Approve => (Status::Approved, None, "visit_approved"),
            ReviewAction::Return => (Status::Returned, reason, "visit_returned"),
        };
        tx.prepare_cached(REVIEW)?.execute(params![
            id,
            status.as_str(),
            reason,
            reviewer,
            by.at
        ])?;
        (name, 0)
    } else {
        return Err(StoreError::conflict(
            "not_submitted",
            "the visit is not awaiting review",
        ));
    };
    figures::refresh(tx, &id)?;
    feed::touch_visit(tx, &id)?;
    let (name, version) = audit_action;
    let detail = if version > 0 {
        serde_json::json!({ "version": version })
    } else {
        serde_json::json!({})
    };
    audit::record(tx, by, name, "visit", &id, Some(target.village), detail)?;
    Ok(())
}

/// A team leader marks a visit of their team; the author sees it through the feed.
pub fn mark(
    conn: &mut Connection,
    scope: Scope,
    visit: Uuid,
    by: &By,
    mark: MarkKind,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let s = ScopeParams::from(scope);
    let id = visit.to_string();
    let changed = tx.prepare_cached(MARK)?.execute(params![
        s.area,
        s.team,
        s.own,
        id,
        mark.as_str(),
        comment,
        by.user.map(|u| u.to_string()),
        by.at
    ])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    feed::touch_visit(&tx, &id)?;
    tx.commit()?;
    Ok(())
}

/// Keeps revision `keep` of a conflicting visit in scope: written as a new revision on the
/// author's behalf, made current and back to review; the flag clears. Audited.
pub fn resolve(
    conn: &mut Connection,
    scope: Scope,
    visit: Uuid,
    by: &By,
    keep: i64,
) -> Result<VisitStatus, StoreError> {
    let tx = conn.transaction()?;
    let id = visit.to_string();
    let target = review_target(&tx, scope, &id)?;
    let (current, _) = stored(&tx, &id)?.ok_or(StoreError::NotFound)?;
    let conflicted = tx
        .prepare_cached(STATE)?
        .query_row([&id], |r| r.get::<_, bool>(22))?;
    if !conflicted {
        return Err(StoreError::conflict(
            "no_conflict",
            "the visit has no conflicting revisions",
        ));
    }
    let (payload, _, _) = tx
        .prepare_cached(REVISION_PAYLOAD)?
        .query_row(params![keep, id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
        .ok_or_else(|| {
            StoreError::invalid("revision_unknown", "keep", "not a revision of this visit")
        })?;
    let highest: u32 = tx
        .prepare_cached(MAX_VERSION)?
        .query_row([&id], |r| r.get(0))?;
    let mut record = parse_record(&payload)?;
    record.version = highest.max(current.version) + 1;
    record.base_version = current.version;
    record.base_revision = current.revision;
    record.revision = Some(Uuid::now_v7());
    record.withdrawn = false;
    let payload = serde_json::to_string(&record).map_err(json_error)?;
    let hash = payload_hash(&payload);
    insert_revision(
        &tx,
        &record,
        &payload,
        &hash,
        target.member,
        PushOutcome::Applied,
        by.user,
        by.at,
    )?;
    let place = Place {
        team: target.team,
        village: target.village,
    };
    make_current(&tx, target.member, place, &record, Status::Submitted, by.at)?;
    tx.prepare_cached(SETTLE_CONFLICT)?
        .execute(params![id, by.at])?;
    feed::touch_visit(&tx, &id)?;
    audit::record(
        &tx,
        by,
        "conflict_settled",
        "visit",
        &id,
        Some(target.village),
        serde_json::json!({ "kept": keep, "version": record.version }),
    )?;
    let settled = state(&tx, visit)?.ok_or(StoreError::NotFound)?;
    tx.commit()?;
    Ok(settled)
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
                    number: r.get(4)?,
                    revision: opt_uuid(r, 5)?,
                    record: parse_record(&r.get::<_, String>(6)?).ok(),
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

    /// Approves or returns what awaits review on a visit in scope.
    pub async fn review(
        &self,
        scope: Scope,
        visit: Uuid,
        by: By,
        action: ReviewAction,
        reason: Option<String>,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| review(conn, scope, visit, &by, action, reason.as_deref()))
            .await
    }

    /// A team leader's mark on a visit of their team.
    pub async fn mark(
        &self,
        scope: Scope,
        visit: Uuid,
        by: By,
        kind: MarkKind,
        comment: Option<String>,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| mark(conn, scope, visit, &by, kind, comment.as_deref()))
            .await
    }

    /// Settles a conflict by keeping revision `keep`; answers the visit's new state.
    pub async fn resolve(
        &self,
        scope: Scope,
        visit: Uuid,
        by: By,
        keep: i64,
    ) -> Result<VisitStatus, StoreError> {
        self.db
            .write(move |conn| resolve(conn, scope, visit, &by, keep))
            .await
    }

    /// Visits in scope with conflicting revisions.
    pub async fn conflicts(&self, scope: Scope) -> Result<Vec<Conflict>, DbError> {
        self.db.read(move |conn| conflicts(conn, scope)).await
    }
}
