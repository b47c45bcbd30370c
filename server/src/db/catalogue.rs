//! The activity catalogue: the national seed list (from the plan) and each province's own
//! entries, with each province's choices over them (another name, retirement). A retired
//! entry leaves the form but keeps its history: visits logged before its retirement still
//! count and are still accepted when they arrive late.

use std::collections::HashMap;

use app::api::{
    Activity, ActivityChange, Catalogue, CatalogueAdmin, CatalogueEntry, DifficultyCategory,
    DifficultyKindEntry, DifficultyKinds, NewActivity, NewDifficultyKind, TaskGroup, UnitLevel,
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

/// The kinds of difficulty province `?1` sees: the national list and its own, a province's
/// row for a national code (its renaming or retiring of it) standing in for the national row.
macro_rules! difficulty_select {
    ($filter:literal) => {
        concat!(
            "SELECT d.code, d.name_vi, d.name_en, d.retired_at, EXISTS (SELECT 1 FROM \
               difficulty_categories n WHERE n.province_id IS NULL AND n.code = d.code) \
             FROM difficulty_categories d \
             WHERE ((?1 IS NOT NULL AND d.province_id = ?1) OR (d.province_id IS NULL AND \
               NOT EXISTS (SELECT 1 FROM difficulty_categories o WHERE o.province_id = ?1 \
                 AND o.code = d.code))) ",
            $filter
        )
    };
}
const DIFFICULTIES: &str = difficulty_select!("ORDER BY d.sort_order, d.code");
/// One kind as province `?1` sees it.
const DIFFICULTY: &str = difficulty_select!("AND d.code = ?2");
/// How many kinds a province added of its own (to number the next).
const OWN_DIFFICULTIES: &str = "SELECT COUNT(*) FROM difficulty_categories d \
     WHERE d.province_id = ?1 AND NOT EXISTS (SELECT 1 FROM difficulty_categories n \
       WHERE n.province_id IS NULL AND n.code = d.code)";
const INSERT_DIFFICULTY: &str = "INSERT INTO difficulty_categories \
       (code, province_id, name_vi, name_en, sort_order, retired_at) \
     VALUES (?1, ?2, ?3, ?4, COALESCE((SELECT sort_order FROM difficulty_categories \
       WHERE province_id IS NULL AND code = ?1), ?5), ?6)";
const UPDATE_DIFFICULTY: &str = "UPDATE difficulty_categories SET name_vi = ?3, name_en = ?4, \
       retired_at = ?5 WHERE province_id = ?1 AND code = ?2";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    DIFFICULTIES,
    DIFFICULTY,
    OWN_DIFFICULTIES,
    INSERT_DIFFICULTY,
    UPDATE_DIFFICULTY,
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

fn difficulty_row(r: &Row<'_>) -> rusqlite::Result<DifficultyKindEntry> {
    Ok(DifficultyKindEntry {
        code: r.get(0)?,
        name_vi: r.get(1)?,
        name_en: r.get(2)?,
        retired_at: r.get(3)?,
        national: r.get(4)?,
    })
}

/// The kinds of difficulty of a province's list (the national ones and its own), retired
/// ones too, in display order.
pub fn difficulty_categories(
    conn: &Connection,
    province: Option<i64>,
) -> Result<Vec<DifficultyKindEntry>, DbError> {
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
        .map(|c| (c.code, c.retired_at))
        .collect())
}

/// One kind of difficulty as a province sees it.
pub fn difficulty_kind(
    conn: &Connection,
    province: Option<i64>,
    code: &str,
) -> Result<Option<DifficultyKindEntry>, DbError> {
    Ok(conn
        .prepare_cached(DIFFICULTY)?
        .query_row(params![province, code], difficulty_row)
        .optional()?)
}

/// One kind of difficulty as a province's devices see it.
pub fn difficulty_category(
    conn: &Connection,
    province: Option<i64>,
    code: &str,
) -> Result<Option<DifficultyCategory>, DbError> {
    Ok(difficulty_kind(conn, province, code)?.map(DifficultyCategory::from))
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

/// The code of a province's next own entry of a list, `p<province code>-<prefix><n>`, and how
/// many it had (`count` counts them).
fn next_own_code(
    tx: &Connection,
    province: i64,
    count: &str,
    prefix: &str,
) -> Result<(String, i64), DbError> {
    let own: i64 = tx
        .prepare_cached(count)?
        .query_row([province], |r| r.get(0))?;
    let province_code: Option<String> = tx
        .prepare_cached(PROVINCE_CODE)?
        .query_row([province], |r| r.get(0))?;
    let code = format!(
        "p{}-{prefix}{}",
        province_code.unwrap_or_else(|| province.to_string()),
        own + 1
    );
    Ok((code, own))
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
                let (code, own) = next_own_code(&tx, province, OWN_COUNT, "")?;
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

impl Store {
    /// Every kind of difficulty a province in scope sees, retired ones too.
    pub async fn difficulty_kinds(
        &self,
        scope: Scope,
        province: i64,
    ) -> Result<DifficultyKinds, StoreError> {
        self.db
            .read(move |conn| {
                province_in_scope(conn, scope, province)?;
                Ok(DifficultyKinds {
                    categories: difficulty_categories(conn, Some(province))?,
                })
            })
            .await
    }

    /// Adds a province's own kind of difficulty (code `p<province code>-d<n>`), after the
    /// national ones. Audited.
    pub async fn add_difficulty_kind(
        &self,
        scope: Scope,
        province: i64,
        new: NewDifficultyKind,
        by: By,
    ) -> Result<DifficultyKindEntry, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                province_in_scope(&tx, scope, province)?;
                let (code, own) = next_own_code(&tx, province, OWN_DIFFICULTIES, "d")?;
                let name_en = new.name_en.clone().unwrap_or_else(|| new.name_vi.clone());
                tx.prepare_cached(INSERT_DIFFICULTY)?.execute(params![
                    code,
                    province,
                    new.name_vi,
                    name_en,
                    1000 + own,
                    None::<i64>
                ])?;
                feed::touch_difficulty_category(&tx, Some(province), &code)?;
                audit::record(
                    &tx,
                    &by,
                    "difficulty_kind_added",
                    "difficulty_category",
                    &code,
                    Some(province),
                    serde_json::json!({ "name_vi": new.name_vi }),
                )?;
                let added =
                    difficulty_kind(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
                tx.commit()?;
                Ok(added)
            })
            .await
    }

    /// Renames, retires or offers again a kind of difficulty in a province in scope: its own
    /// kind, or the national one as the province sees it. Audited; devices learn it from the
    /// feed.
    pub async fn change_difficulty_kind(
        &self,
        scope: Scope,
        province: i64,
        code: String,
        change: ActivityChange,
        by: By,
    ) -> Result<DifficultyKindEntry, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                province_in_scope(&tx, scope, province)?;
                let current =
                    difficulty_kind(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
                let retired_at = match change.retired {
                    Some(true) => current.retired_at.or(Some(by.at)),
                    Some(false) => None,
                    None => current.retired_at,
                };
                let name_vi = change.name_vi.clone().unwrap_or(current.name_vi);
                let name_en = change.name_en.clone().unwrap_or(current.name_en);
                let updated = tx
                    .prepare_cached(UPDATE_DIFFICULTY)?
                    .execute(params![province, code, name_vi, name_en, retired_at])?;
                if updated == 0 {
                    // The province's first choice about a national kind.
                    tx.prepare_cached(INSERT_DIFFICULTY)?
                        .execute(params![code, province, name_vi, name_en, 1000, retired_at])?;
                }
                feed::touch_difficulty_category(&tx, Some(province), &code)?;
                audit::record(
                    &tx,
                    &by,
                    "difficulty_kind_changed",
                    "difficulty_category",
                    &code,
                    Some(province),
                    serde_json::to_value(&change).unwrap_or_default(),
                )?;
                let changed =
                    difficulty_kind(&tx, Some(province), &code)?.ok_or(StoreError::NotFound)?;
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
