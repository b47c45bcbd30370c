//! The activity catalogue: the national seed list (from the plan) and each province's own
//! entries, with each province's choices over them (another name, retirement). A retired
//! entry leaves the form but keeps its history: visits logged before its retirement still
//! count and are still accepted when they arrive late.

use std::collections::HashMap;

use app::api::{
    Activity, ActivityChange, Catalogue, CatalogueAdmin, CatalogueEntry, DifficultyCategory,
    NewActivity, TaskGroup, UnitLevel,
};
use app::domain::policy::Scope;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::audit::{self, By};
use super::{enum_at, feed, users, DbError, Store, StoreError};

/// The entries province `?1` sees (national and its own), with its choices applied.
const EFFECTIVE: &str = "SELECT a.code, a.task_group, COALESCE(p.name_vi, a.name_vi), \
       COALESCE(p.name_en, a.name_en), p.retired_at, a.province_id IS NULL \
     FROM activity_types a \
     LEFT JOIN province_activities p ON p.code = a.code AND p.province_id = ?1 \
     WHERE a.active = 1 AND (a.province_id IS NULL OR a.province_id IS ?1) \
     ORDER BY a.sort_order, a.code";
const ONE: &str = "SELECT a.code, a.task_group, COALESCE(p.name_vi, a.name_vi), \
       COALESCE(p.name_en, a.name_en), p.retired_at, a.province_id IS NULL \
     FROM activity_types a \
     LEFT JOIN province_activities p ON p.code = a.code AND p.province_id = ?1 \
     WHERE a.code = ?2 AND a.active = 1 AND (a.province_id IS NULL OR a.province_id IS ?1)";
const OWN_COUNT: &str = "SELECT COUNT(*) FROM activity_types WHERE province_id = ?1";
const PROVINCE_CODE: &str = "SELECT official_code FROM units WHERE id = ?1";
const INSERT_OWN: &str = "INSERT INTO activity_types \
       (code, task_group, name_vi, name_en, sort_order, province_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const UPSERT_CHOICE: &str = "INSERT INTO province_activities \
       (province_id, code, name_vi, name_en, retired_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (province_id, code) DO UPDATE SET name_vi = excluded.name_vi, \
       name_en = excluded.name_en, retired_at = excluded.retired_at, updated_at = excluded.updated_at";
const CHOICE: &str =
    "SELECT name_vi, name_en FROM province_activities WHERE province_id = ?1 AND code = ?2";

/// The kinds of difficulty a province's teams may raise: the national list and its own.
const DIFFICULTIES: &str = "SELECT code, name_vi, name_en, retired_at FROM difficulty_categories \
     WHERE province_id IS NULL OR province_id IS ?1 ORDER BY sort_order, code";
/// One kind, the province's own entry first.
const DIFFICULTY: &str = "SELECT code, name_vi, name_en, retired_at FROM difficulty_categories \
     WHERE (province_id IS NULL OR province_id IS ?1) AND code = ?2 \
     ORDER BY province_id IS NULL LIMIT 1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    DIFFICULTIES,
    DIFFICULTY,
    EFFECTIVE,
    ONE,
    OWN_COUNT,
    PROVINCE_CODE,
    INSERT_OWN,
    UPSERT_CHOICE,
    CHOICE,
];

fn entry(r: &Row<'_>) -> rusqlite::Result<CatalogueEntry> {
    Ok(CatalogueEntry {
        code: r.get(0)?,
        task_group: enum_at(r, 1, TaskGroup::parse)?,
        name_vi: r.get(2)?,
        name_en: r.get(3)?,
        retired_at: r.get(4)?,
        national: r.get(5)?,
    })
}

/// Every entry province `province` sees (the national list only without a province),
/// retired ones too, in display order.
pub fn entries(conn: &Connection, province: Option<i64>) -> Result<Vec<CatalogueEntry>, DbError> {
    let mut stmt = conn.prepare_cached(EFFECTIVE)?;
    let rows = stmt.query_map([province], entry)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One entry as province `province` sees it.
pub fn one(
    conn: &Connection,
    province: Option<i64>,
    code: &str,
) -> Result<Option<CatalogueEntry>, DbError> {
    Ok(conn
        .prepare_cached(ONE)?
        .query_row(params![province, code], entry)
        .optional()?)
}

/// What the form offers in a province: the entries not retired.
pub fn offered(conn: &Connection, province: Option<i64>) -> Result<Catalogue, DbError> {
    let activities = entries(conn, province)?
        .into_iter()
        .filter(|e| e.retired_at.is_none())
        .map(|e| Activity {
            code: e.code,
            task_group: e.task_group,
            name_vi: e.name_vi,
            name_en: e.name_en,
            active: true,
        })
        .collect();
    Ok(Catalogue { activities })
}

/// What push validation needs: each code the province knows, and when it was retired there.
pub fn acceptance(
    conn: &Connection,
    province: Option<i64>,
) -> Result<HashMap<String, Option<i64>>, DbError> {
    Ok(entries(conn, province)?
        .into_iter()
        .map(|e| (e.code, e.retired_at))
        .collect())
}

fn difficulty_row(r: &Row<'_>) -> rusqlite::Result<(DifficultyCategory, Option<i64>)> {
    let retired_at: Option<i64> = r.get(3)?;
    Ok((
        DifficultyCategory {
            code: r.get(0)?,
            name_vi: r.get(1)?,
            name_en: r.get(2)?,
            active: retired_at.is_none(),
        },
        retired_at,
    ))
}

/// The kinds of difficulty of a province's list (the national ones and its own).
pub fn difficulty_categories(
    conn: &Connection,
    province: Option<i64>,
) -> Result<Vec<(DifficultyCategory, Option<i64>)>, DbError> {
    Ok(conn
        .prepare_cached(DIFFICULTIES)?
        .query_map([province], difficulty_row)?
        .collect::<Result<_, _>>()?)
}

/// Which kinds of difficulty a province accepts, and when each was retired.
pub fn difficulty_acceptance(
    conn: &Connection,
    province: Option<i64>,
) -> Result<HashMap<String, Option<i64>>, DbError> {
    Ok(difficulty_categories(conn, province)?
        .into_iter()
        .map(|(c, retired_at)| (c.code, retired_at))
        .collect())
}

/// One kind of difficulty as a province sees it.
pub fn difficulty_category(
    conn: &Connection,
    province: Option<i64>,
    code: &str,
) -> Result<Option<DifficultyCategory>, DbError> {
    Ok(conn
        .prepare_cached(DIFFICULTY)?
        .query_row(params![province, code], difficulty_row)
        .optional()?
        .map(|(c, _)| c))
}

/// Whether a visit at `visited_at` may name `code`: known to the province, and not retired
/// before the visit.
pub fn accepts(known: &HashMap<String, Option<i64>>, code: &str, visited_at: i64) -> bool {
    match known.get(code) {
        Some(None) => true,
        Some(Some(retired_at)) => visited_at < *retired_at,
        None => false,
    }
}

fn province_in_scope(conn: &Connection, scope: Scope, province: i64) -> Result<(), StoreError> {
    match users::unit_level_in_scope(conn, scope, province)? {
        UnitLevel::Province => Ok(()),
        _ => Err(StoreError::invalid(
            "not_a_province",
            "unit",
            "a catalogue belongs to a province",
        )),
    }
}

impl Store {
    /// What the form offers in a province.
    pub async fn catalogue(&self, province: Option<i64>) -> Result<Catalogue, DbError> {
        self.db.read(move |conn| offered(conn, province)).await
    }

    /// Every entry a province in scope sees, retired ones too.
    pub async fn catalogue_admin(
        &self,
        scope: Scope,
        province: i64,
    ) -> Result<CatalogueAdmin, StoreError> {
        self.db
            .read(move |conn| {
                province_in_scope(conn, scope, province)?;
                Ok(CatalogueAdmin {
                    activities: entries(conn, Some(province))?,
                })
            })
            .await
    }

    /// Adds a province's own entry, after the national ones.
    pub async fn add_activity(
        &self,
        scope: Scope,
        province: i64,
        new: NewActivity,
        by: By,
    ) -> Result<CatalogueEntry, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                province_in_scope(&tx, scope, province)?;
                let own: i64 = tx
                    .prepare_cached(OWN_COUNT)?
                    .query_row([province], |r| r.get(0))?;
                let province_code: Option<String> = tx
                    .prepare_cached(PROVINCE_CODE)?
                    .query_row([province], |r| r.get(0))?;
                let code = format!(
                    "p{}-{}",
                    province_code.unwrap_or_else(|| province.to_string()),
                    own + 1
                );
                let name_en = new.name_en.clone().unwrap_or_else(|| new.name_vi.clone());
                tx.prepare_cached(INSERT_OWN)?.execute(params![
                    code,
                    new.task_group.as_str(),
                    new.name_vi,
                    name_en,
                    1000 + own,
                    province
                ])?;
                feed::touch_activity(&tx, Some(province), &code)?;
                audit::record(
                    &tx,
                    &by,
                    "activity_added",
                    "activity",
                    &code,
                    Some(province),
                    serde_json::json!({ "name_vi": new.name_vi, "task_group": new.task_group }),
                )?;
                let added = one(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
                tx.commit()?;
                Ok(added)
            })
            .await
    }

    /// Renames, retires or offers again an entry in a province in scope.
    pub async fn change_activity(
        &self,
        scope: Scope,
        province: i64,
        code: String,
        change: ActivityChange,
        by: By,
    ) -> Result<CatalogueEntry, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                province_in_scope(&tx, scope, province)?;
                let current = one(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
                let (name_vi, name_en): (Option<String>, Option<String>) = tx
                    .prepare_cached(CHOICE)?
                    .query_row(params![province, code], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
                    .unwrap_or_default();
                let retired_at = match change.retired {
                    Some(true) => current.retired_at.or(Some(by.at)),
                    Some(false) => None,
                    None => current.retired_at,
                };
                tx.prepare_cached(UPSERT_CHOICE)?.execute(params![
                    province,
                    code,
                    change.name_vi.clone().or(name_vi),
                    change.name_en.clone().or(name_en),
                    retired_at,
                    by.at
                ])?;
                feed::touch_activity(&tx, Some(province), &code)?;
                audit::record(
                    &tx,
                    &by,
                    "activity_changed",
                    "activity",
                    &code,
                    Some(province),
                    serde_json::to_value(&change).unwrap_or_default(),
                )?;
                let changed = one(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
                tx.commit()?;
                Ok(changed)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashMap<String, Option<i64>> {
        HashMap::from([
            ("health_app".to_string(), None),
            ("pc_covid".to_string(), Some(1_000)),
        ])
    }

    #[test]
    fn an_offered_entry_is_accepted_at_any_time() {
        assert!(accepts(&known(), "health_app", 5_000));
    }

    #[test]
    fn a_retired_entry_is_accepted_only_for_visits_before_its_retirement() {
        assert!(accepts(&known(), "pc_covid", 999));
        assert!(!accepts(&known(), "pc_covid", 1_000));
    }

    #[test]
    fn an_entry_the_province_does_not_see_is_refused() {
        assert!(!accepts(&known(), "p99-1", 5));
    }
}
