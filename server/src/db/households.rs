//! A village's households, grouped where they look like duplicates, and merging a duplicate
//! into its survivor: the visits follow the survivor, devices learn it from the feed, and a
//! visit that later names the merged-away household is redirected (`visits::push`).

use std::collections::HashMap;

use app::api::{Household, HouseholdEntry};
use app::domain::household::duplicate_key;
use app::domain::policy::Scope;
use app::domain::text::collation_key;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, unit_in_scope, ScopeParams};
use super::{feed, figures, uuid_at, Store, StoreError};

/// The households of village `?4` in scope, not merged away, with how many visits name each.
const LIST: &str = concat!(
    area_cte!(),
    "SELECT h.id, h.village_id, h.head_name, h.address, h.phone, h.business, \
       (SELECT count(*) FROM visits v WHERE v.household_id = h.id) \
     FROM households h WHERE h.village_id = ?4 AND h.merged_into IS NULL AND ",
    unit_in_scope!("h.village_id")
);
/// Village `?4`, when it is one in scope.
const VILLAGE: &str = concat!(
    area_cte!(),
    "SELECT 1 FROM units WHERE id = ?4 AND level = 'village' AND ",
    unit_in_scope!("id")
);
/// A household in scope: its village and the household it was merged into.
const TARGET: &str = concat!(
    area_cte!(),
    "SELECT h.village_id, h.merged_into FROM households h WHERE h.id = ?4 AND ",
    unit_in_scope!("h.village_id")
);
const MERGE: &str =
    "UPDATE households SET merged_into = ?2, merged_by = ?3, updated_at = ?4 WHERE id = ?1";
const VISITS_OF: &str = "SELECT id FROM visits WHERE household_id = ?1";
const MOVE_VISITS: &str =
    "UPDATE visits SET household_id = ?2, updated_at = ?3 WHERE household_id = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[LIST, VILLAGE, TARGET, MERGE, VISITS_OF, MOVE_VISITS];

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
    for (i, e) in entries.iter().enumerate() {
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
    let target = |id: Uuid| -> Result<(i64, Option<String>), StoreError> {
        tx.prepare_cached(TARGET)?
            .query_row(params![s.area, s.team, s.own, id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or(StoreError::NotFound)
    };
    let (village, merged_into) = target(merged)?;
    let (survivor_village, survivor_merged) = match target(survivor) {
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

impl Store {
    /// A village's households in scope.
    pub async fn households(
        &self,
        scope: Scope,
        village: i64,
    ) -> Result<Vec<HouseholdEntry>, StoreError> {
        self.db.read(move |conn| list(conn, scope, village)).await
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
