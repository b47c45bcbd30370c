//! Difficulties raised on visits (no smartphone, no ID card, no signal...): the list in a
//! user's scope, oldest first, and commune staff handling one with a comment that reaches the
//! team through the feed.

use app::api::{DifficultyCategory, DifficultyItem};
use app::domain::policy::Scope;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, unit_in_scope, ScopeParams};
use super::{catalogue, feed, uuid_at, DbError, Store, StoreError};

/// Difficulties in scope with status `?4` (or any when NULL), oldest first, at most `?5`.
const LIST: &str = concat!(
    area_cte!(),
    "SELECT d.visit_id, d.village_id, vu.name, t.name, u.name, h.head_name, d.category, d.note, \
       d.raised_at, d.status, d.comment, d.handled_at, cu.parent_id \
     FROM difficulties d JOIN units vu ON vu.id = d.village_id JOIN teams t ON t.id = d.team_id \
       JOIN visits v ON v.id = d.visit_id JOIN users u ON u.id = v.member_id \
       JOIN households h ON h.id = v.household_id \
       JOIN units cu ON cu.id = vu.parent_id \
     WHERE (?4 IS NULL OR d.status = ?4) AND ",
    unit_in_scope!("d.village_id"),
    " AND (?3 IS NULL OR v.member_id = ?3) \
     ORDER BY d.raised_at, d.visit_id LIMIT ?5"
);
/// An open difficulty in scope: its village.
const TARGET: &str = concat!(
    area_cte!(),
    "SELECT d.village_id, d.status FROM difficulties d JOIN visits v ON v.id = d.visit_id \
     WHERE d.visit_id = ?4 AND ",
    unit_in_scope!("d.village_id"),
    " AND (?3 IS NULL OR v.member_id = ?3)"
);
const HANDLE: &str = "UPDATE difficulties SET status = 'handled', handled_by = ?2, \
       handled_at = ?3, comment = ?4 WHERE visit_id = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[LIST, TARGET, HANDLE];

/// Most difficulties one list holds.
pub const LIST_LIMIT: i64 = 500;

/// Difficulties in scope, oldest first; `status` `open` or `handled` (or both).
pub fn list(
    conn: &Connection,
    scope: Scope,
    status: Option<&str>,
) -> Result<Vec<DifficultyItem>, DbError> {
    let s = ScopeParams::from(scope);
    let rows: Vec<(DifficultyItem, Option<i64>)> = conn
        .prepare_cached(LIST)?
        .query_map(params![s.area, s.team, s.own, status, LIST_LIMIT], |r| {
            Ok((
                DifficultyItem {
                    visit_id: uuid_at(r, 0)?,
                    village_id: r.get(1)?,
                    village_name: r.get(2)?,
                    team_name: r.get(3)?,
                    member_name: r.get(4)?,
                    head_name: r.get(5)?,
                    category: r.get(6)?,
                    category_vi: String::new(),
                    category_en: String::new(),
                    note: r.get(7)?,
                    raised_at: r.get(8)?,
                    status: r.get(9)?,
                    comment: r.get(10)?,
                    handled_at: r.get(11)?,
                },
                r.get(12)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    // The category's name as the visit's province calls it.
    let mut out = Vec::with_capacity(rows.len());
    for (mut item, province) in rows {
        let named: Option<DifficultyCategory> =
            catalogue::difficulty_category(conn, province, &item.category)?;
        let (vi, en) = named.map_or_else(
            || (item.category.clone(), item.category.clone()),
            |c| (c.name_vi, c.name_en),
        );
        item.category_vi = vi;
        item.category_en = en;
        out.push(item);
    }
    Ok(out)
}

/// Marks an open difficulty in scope handled, with a comment the team sees. Audited.
pub fn handle(
    conn: &mut Connection,
    scope: Scope,
    visit: Uuid,
    by: &By,
    comment: &str,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let s = ScopeParams::from(scope);
    let id = visit.to_string();
    let (village, status): (i64, String) = tx
        .prepare_cached(TARGET)?
        .query_row(params![s.area, s.team, s.own, id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if status != "open" {
        return Err(StoreError::conflict(
            "already_handled",
            "the difficulty was already handled",
        ));
    }
    tx.prepare_cached(HANDLE)?.execute(params![
        id,
        by.user.map(|u| u.to_string()),
        by.at,
        comment
    ])?;
    feed::touch_visit(&tx, &id)?;
    audit::record(
        &tx,
        by,
        "difficulty_handled",
        "visit",
        &id,
        Some(village),
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(())
}

impl Store {
    /// Difficulties in scope, oldest first.
    pub async fn difficulties(
        &self,
        scope: Scope,
        status: Option<String>,
    ) -> Result<Vec<DifficultyItem>, DbError> {
        self.db
            .read(move |conn| list(conn, scope, status.as_deref()))
            .await
    }

    /// Marks a difficulty handled.
    pub async fn handle_difficulty(
        &self,
        scope: Scope,
        visit: Uuid,
        by: By,
        comment: String,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| handle(conn, scope, visit, &by, &comment))
            .await
    }

    /// The kinds of difficulty of a province's list.
    pub async fn difficulty_categories(
        &self,
        province: Option<i64>,
    ) -> Result<Vec<DifficultyCategory>, DbError> {
        self.db
            .read(move |conn| {
                Ok(catalogue::difficulty_categories(conn, province)?
                    .into_iter()
                    .map(DifficultyCategory::from)
                    .collect())
            })
            .await
    }
}
