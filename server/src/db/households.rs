//! A village's households, grouped where they look like duplicates, and merging a duplicate
//! into its survivor: the visits follow the survivor, devices learn it from the feed, and a
//! visit that later names the merged-away household is redirected (`visits::push`).
//!
//! A household's personal data (docs/security.md, "Personal data") can be exported whole and
//! erased. Erasure scrubs the household and the households merged into it, its visits' free
//! texts and every stored revision that names one of them ([`scrub`]); the visits stay, and
//! stay counted. Devices learn it from the feed, and a revision that arrives later naming an
//! erased household is stored scrubbed (`visits::push`).

use std::collections::HashMap;

use app::api::{
    Erased, Household, HouseholdEntry, HouseholdExport, HouseholdRecord, StoredRevision,
};
use app::domain::household::{duplicate_key, scrub, ERASED};
use app::domain::policy::Scope;
use app::domain::text::collation_key;
use app::domain::ActivityDone;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, unit_in_scope, ScopeParams};
use super::{feed, figures, uuid_at, visits, DbError, Store, StoreError};

/// The households of village `?4` in scope, not merged away, with how many visits name each.
const LIST: &str = concat!(
    area_cte!(),
    "SELECT h.id, h.village_id, h.head_name, h.address, h.phone, h.business, \
       (SELECT count(*) FROM visits v WHERE v.household_id = h.id), h.erased_at IS NOT NULL \
     FROM households h WHERE h.village_id = ?4 AND h.merged_into IS NULL AND ",
    unit_in_scope!("h.village_id")
);
/// Village `?4`, when it is one in scope.
const VILLAGE: &str = concat!(
    area_cte!(),
    "SELECT 1 FROM units WHERE id = ?4 AND level = 'village' AND ",
    unit_in_scope!("id")
);
/// A household in scope: its village, the household it was merged into, whether it was
/// erased.
const TARGET: &str = concat!(
    area_cte!(),
    "SELECT h.village_id, h.merged_into, h.erased_at IS NOT NULL FROM households h \
     WHERE h.id = ?4 AND ",
    unit_in_scope!("h.village_id")
);
/// A household and every household merged into it, directly or through another.
const GROUP: &str = "WITH RECURSIVE grp(id) AS (SELECT ?1 \
       UNION SELECT h.id FROM households h JOIN grp ON h.merged_into = grp.id) \
     SELECT id FROM grp";
/// One household as stored, for the export.
const RECORD: &str = "SELECT h.village_id, h.head_name, h.address, h.phone, h.business, \
       h.merged_into, h.erased_at, h.phone_consent_at, u.name, h.created_at, h.updated_at, h.id \
     FROM households h JOIN users u ON u.id = h.created_by WHERE h.id = ?1";
/// The visits naming a household, as their state reads.
const STATES_OF: &str = concat!(
    super::visits::state_select!(),
    "WHERE v.household_id = ?1 ORDER BY v.visited_at, v.id"
);
/// The revisions naming a household (the expression is the index's).
const REVISIONS_NAMING: &str = "SELECT r.id, u.name, r.received_at, r.outcome, r.payload \
     FROM visit_revisions r JOIN users u ON u.id = r.author_id \
     WHERE json_extract(r.payload, '$.household.id') = ?1";
/// What the audit log says was done to a household.
const HISTORY: &str = "SELECT a.id, a.at, a.actor_id, u.name, a.action, a.target_kind, \
       a.target_id, a.unit_id, a.address, a.detail \
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
     WHERE a.target_kind = 'household' AND a.target_id = ?1";
const ERASE_HOUSEHOLD: &str = "UPDATE households SET head_name = ?2, address = ?2, phone = NULL, \
       phone_consent_at = NULL, erased_at = ?3, erased_by = ?4, updated_at = ?3 WHERE id = ?1";
/// A visit keeps what is counted; every free text goes: the member's note and details
/// (`?2`: the activities without them), the staff's and the leader's words.
const ERASE_VISIT: &str = "UPDATE visits SET note = '', activities = ?2, \
       review_reason = CASE WHEN review_reason IS NULL THEN NULL ELSE ?3 END, \
       amendment_reason = CASE WHEN amendment_reason IS NULL THEN NULL ELSE ?3 END, \
       mark_comment = CASE WHEN mark_comment IS NULL THEN NULL ELSE ?3 END, \
       updated_at = ?4 WHERE id = ?1";
const ACTIVITIES_OF: &str = "SELECT activities FROM visits WHERE id = ?1";
const ERASE_DIFFICULTY: &str = "UPDATE difficulties SET note = '', \
       comment = CASE WHEN comment IS NULL THEN NULL ELSE ?2 END WHERE visit_id = ?1";
const SCRUB_REVISION: &str = "UPDATE visit_revisions SET payload = ?2 WHERE id = ?1";
const MERGE: &str =
    "UPDATE households SET merged_into = ?2, merged_by = ?3, updated_at = ?4 WHERE id = ?1";
const VISITS_OF: &str = "SELECT id FROM visits WHERE household_id = ?1";
const MOVE_VISITS: &str =
    "UPDATE visits SET household_id = ?2, updated_at = ?3 WHERE household_id = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    LIST,
    VILLAGE,
    TARGET,
    MERGE,
    VISITS_OF,
    MOVE_VISITS,
    GROUP,
    RECORD,
    STATES_OF,
    REVISIONS_NAMING,
    HISTORY,
    ERASE_HOUSEHOLD,
    ERASE_VISIT,
    ACTIVITIES_OF,
    ERASE_DIFFICULTY,
    SCRUB_REVISION,
];

/// The households of a village in scope, sorted the Vietnamese way by head name, those that
/// look alike sharing a group number. `None` when the village is not in scope.
pub fn list(
    conn: &Connection,
    scope: Scope,
    village: i64,
) -> Result<Vec<HouseholdEntry>, StoreError> {
    let s = ScopeParams::from(scope);
    conn.prepare_cached(VILLAGE)?
        .query_row(params![s.area, s.team, s.own, village], |_| Ok(()))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let mut entries: Vec<HouseholdEntry> = conn
        .prepare_cached(LIST)?
        .query_map(params![s.area, s.team, s.own, village], |r| {
            Ok(HouseholdEntry {
                household: Household {
                    id: uuid_at(r, 0)?,
                    village_id: r.get(1)?,
                    head_name: r.get(2)?,
                    address: r.get(3)?,
                    phone: r.get(4)?,
                    business: r.get(5)?,
                    merged_into: None,
                    erased: r.get(7)?,
                },
                visits: r.get(6)?,
                duplicate_group: None,
            })
        })?
        .collect::<Result<_, _>>()?;
    entries.sort_by_cached_key(|e| {
        (
            collation_key(&e.household.head_name),
            collation_key(&e.household.address),
        )
    });
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    // An erased household has no name left to look like another's.
    for (i, e) in entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.household.erased)
    {
        groups
            .entry(duplicate_key(&e.household.head_name, &e.household.address))
            .or_default()
            .push(i);
    }
    let mut alike: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    alike.sort();
    for (n, group) in alike.iter().enumerate() {
        for &i in group {
            entries[i].duplicate_group = Some(n as u32 + 1);
        }
    }
    Ok(entries)
}

/// Merges household `merged` into `survivor`, both of one village in scope. Audited.
pub fn merge(
    conn: &mut Connection,
    scope: Scope,
    merged: Uuid,
    survivor: Uuid,
    by: &By,
) -> Result<(), StoreError> {
    if merged == survivor {
        return Err(StoreError::invalid(
            "same_household",
            "into",
            "a household cannot be merged into itself",
        ));
    }
    let tx = conn.transaction()?;
    let s = ScopeParams::from(scope);
    let target = |id: Uuid| target(&tx, s.clone(), id);
    let (village, merged_into, merged_erased) = target(merged)?;
    let (survivor_village, survivor_merged, survivor_erased) = match target(survivor) {
        Err(StoreError::NotFound) => {
            return Err(StoreError::invalid(
                "household_unknown",
                "into",
                "no such household in reach",
            ))
        }
        other => other?,
    };
    if merged_into.is_some() || survivor_merged.is_some() {
        return Err(StoreError::conflict(
            "already_merged",
            "one of the households was already merged",
        ));
    }
    if merged_erased || survivor_erased {
        return Err(StoreError::conflict(
            "household_erased",
            "an erased household's visits cannot be told apart by name: nothing to merge",
        ));
    }
    if village != survivor_village {
        return Err(StoreError::invalid(
            "household_elsewhere",
            "into",
            "households of different villages are different households",
        ));
    }
    let (m, v) = (merged.to_string(), survivor.to_string());
    let visits: Vec<String> = tx
        .prepare_cached(VISITS_OF)?
        .query_map([&m], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tx.prepare_cached(MOVE_VISITS)?
        .execute(params![m, v, by.at])?;
    tx.prepare_cached(MERGE)?
        .execute(params![m, v, by.user.map(|u| u.to_string()), by.at])?;
    feed::touch_household(&tx, &m, village)?;
    feed::touch_household(&tx, &v, village)?;
    for visit in &visits {
        figures::refresh(&tx, visit)?;
        feed::touch_visit(&tx, visit)?;
    }
    audit::record(
        &tx,
        by,
        "household_merged",
        "household",
        &m,
        Some(village),
        serde_json::json!({ "into": v, "visits": visits.len() }),
    )?;
    tx.commit()?;
    Ok(())
}

/// A household in scope: its village, the household it was merged into, whether it was
/// erased.
fn target(
    conn: &Connection,
    s: ScopeParams,
    id: Uuid,
) -> Result<(i64, Option<String>, bool), StoreError> {
    conn.prepare_cached(TARGET)?
        .query_row(params![s.area, s.team, s.own, id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The household `id` in scope, not merged away, with the households merged into it (itself
/// first), its village and whether it was erased.
fn group(
    conn: &Connection,
    scope: Scope,
    id: Uuid,
) -> Result<(Vec<String>, i64, bool), StoreError> {
    let (village, merged_into, erased) = target(conn, ScopeParams::from(scope), id)?;
    if merged_into.is_some() {
        return Err(StoreError::conflict(
            "already_merged",
            "the household was merged into another: act on that one",
        ));
    }
    let ids = conn
        .prepare_cached(GROUP)?
        .query_map([id.to_string()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((ids, village, erased))
}

/// The revisions naming any household of `ids`, oldest first: their row id and the revision.
fn revisions_naming(
    conn: &Connection,
    ids: &[String],
) -> Result<Vec<(i64, StoredRevision)>, StoreError> {
    let mut out = Vec::new();
    for id in ids {
        let mut stmt = conn.prepare_cached(REVISIONS_NAMING)?;
        let rows = stmt.query_map([id], |r| {
            let record = visits::parse_record(&r.get::<_, String>(4)?)?;
            Ok((
                r.get(0)?,
                StoredRevision {
                    author_name: r.get(1)?,
                    received_at: r.get(2)?,
                    outcome: r.get(3)?,
                    record,
                },
            ))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    out.sort_by_key(|(row, _)| *row);
    Ok(out)
}

fn record_of(conn: &Connection, id: &str) -> Result<HouseholdRecord, StoreError> {
    Ok(conn.prepare_cached(RECORD)?.query_row([id], |r| {
        Ok(HouseholdRecord {
            household: Household {
                id: uuid_at(r, 11)?,
                village_id: r.get(0)?,
                head_name: r.get(1)?,
                address: r.get(2)?,
                phone: r.get(3)?,
                business: r.get(4)?,
                merged_into: visits::opt_uuid(r, 5)?,
                erased: r.get::<_, Option<i64>>(6)?.is_some(),
            },
            erased_at: r.get(6)?,
            phone_consent_at: r.get(7)?,
            created_by: r.get(8)?,
            created_at: r.get(9)?,
            updated_at: r.get(10)?,
        })
    })?)
}

/// Everything held about household `id` in scope and the households merged into it; the
/// export is audited in the same transaction, and lists itself in the history.
pub fn export(
    conn: &mut Connection,
    scope: Scope,
    id: Uuid,
    by: &By,
) -> Result<HouseholdExport, StoreError> {
    let tx = conn.transaction()?;
    let (ids, village, _) = group(&tx, scope, id)?;
    let revisions = revisions_naming(&tx, &ids)?;
    audit::record(
        &tx,
        by,
        "household_exported",
        "household",
        &ids[0],
        Some(village),
        serde_json::json!({ "merged": ids.len() - 1, "revisions": revisions.len() }),
    )?;
    let household = record_of(&tx, &ids[0])?;
    let merged = ids[1..]
        .iter()
        .map(|m| record_of(&tx, m))
        .collect::<Result<_, _>>()?;
    let visits = tx
        .prepare_cached(STATES_OF)?
        .query_map([&ids[0]], super::visits::state_at)?
        .collect::<Result<_, _>>()?;
    let mut history = Vec::new();
    for id in &ids {
        let mut stmt = tx.prepare_cached(HISTORY)?;
        let rows = stmt.query_map([id], audit::entry)?;
        for row in rows {
            history.push(row?);
        }
    }
    history.sort_by_key(|e: &app::api::AuditEntry| e.id);
    tx.commit()?;
    Ok(HouseholdExport {
        exported_at: by.at,
        household,
        merged,
        visits,
        revisions: revisions.into_iter().map(|(_, r)| r).collect(),
        history,
    })
}

/// Erases the personal data of household `id` in scope and of the households merged into
/// it: their names and addresses become [`ERASED`], their phone numbers and consent go; their
/// visits' free texts go; every stored revision naming one of them is scrubbed ([`scrub`]),
/// under its hash as sent, so a device's resend is still recognised. Visits and figures stay.
/// Devices learn it from the feed. Audited.
///
/// SQLite's `secure_delete` is on for the transaction, so the space the old texts held is
/// zeroed, and a checkpoint afterwards moves the scrubbed pages into the database file.
pub fn erase(conn: &mut Connection, scope: Scope, id: Uuid, by: &By) -> Result<Erased, StoreError> {
    let secure: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    conn.pragma_update(None, "secure_delete", 1)?;
    let erased = erase_in(conn, scope, id, by);
    conn.pragma_update(None, "secure_delete", secure)?;
    let erased = erased?;
    // Best effort: a reader still on an old snapshot keeps the log; the next checkpoint
    // finishes the work.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    Ok(erased)
}

fn erase_in(conn: &mut Connection, scope: Scope, id: Uuid, by: &By) -> Result<Erased, StoreError> {
    let tx = conn.transaction()?;
    let (ids, village, erased) = group(&tx, scope, id)?;
    if erased {
        return Err(StoreError::conflict(
            "already_erased",
            "the household's personal data was already erased",
        ));
    }
    let by_user = by.user.map(|u| u.to_string());
    for household in &ids {
        tx.prepare_cached(ERASE_HOUSEHOLD)?
            .execute(params![household, ERASED, by.at, by_user])?;
        feed::touch_household(&tx, household, village)?;
    }
    let visits: Vec<String> = tx
        .prepare_cached(VISITS_OF)?
        .query_map([&ids[0]], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for visit in &visits {
        let activities: String = tx
            .prepare_cached(ACTIVITIES_OF)?
            .query_row([visit], |r| r.get(0))?;
        let mut activities: Vec<ActivityDone> =
            serde_json::from_str(&activities).map_err(|e| DbError::Task(e.to_string()))?;
        for activity in &mut activities {
            activity.detail = None;
        }
        let activities =
            serde_json::to_string(&activities).map_err(|e| DbError::Task(e.to_string()))?;
        tx.prepare_cached(ERASE_VISIT)?
            .execute(params![visit, activities, ERASED, by.at])?;
        tx.prepare_cached(ERASE_DIFFICULTY)?
            .execute(params![visit, ERASED])?;
        feed::touch_visit(&tx, visit)?;
    }
    let revisions = revisions_naming(&tx, &ids)?;
    for (row, mut revision) in revisions.iter().cloned() {
        scrub(&mut revision.record);
        let payload =
            serde_json::to_string(&revision.record).map_err(|e| DbError::Task(e.to_string()))?;
        tx.prepare_cached(SCRUB_REVISION)?
            .execute(params![row, payload])?;
    }
    let erased = Erased {
        households: ids.len() as u32,
        visits: visits.len() as u32,
        revisions: revisions.len() as u32,
    };
    audit::record(
        &tx,
        by,
        "household_erased",
        "household",
        &ids[0],
        Some(village),
        serde_json::json!({
            "merged": ids.len() - 1,
            "visits": erased.visits,
            "revisions": erased.revisions,
        }),
    )?;
    tx.commit()?;
    Ok(erased)
}

impl Store {
    /// A village's households in scope.
    pub async fn households(
        &self,
        scope: Scope,
        village: i64,
    ) -> Result<Vec<HouseholdEntry>, StoreError> {
        self.db.read(move |conn| list(conn, scope, village)).await
    }

    /// Everything held about a household, audited.
    pub async fn export_household(
        &self,
        scope: Scope,
        id: Uuid,
        by: By,
    ) -> Result<HouseholdExport, StoreError> {
        self.db
            .write(move |conn| export(conn, scope, id, &by))
            .await
    }

    /// Erases a household's personal data, audited.
    pub async fn erase_household(
        &self,
        scope: Scope,
        id: Uuid,
        by: By,
    ) -> Result<Erased, StoreError> {
        self.db.write(move |conn| erase(conn, scope, id, &by)).await
    }

    /// Merges a duplicate household into its survivor.
    pub async fn merge_household(
        &self,
        scope: Scope,
        merged: Uuid,
        survivor: Uuid,
        by: By,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| merge(conn, scope, merged, survivor, &by))
            .await
    }
}
