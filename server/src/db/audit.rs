//! The audit log: who did what, when, where. Every change the roles issue brought writes one
//! entry in the same transaction as the change itself, so the log and the data never
//! disagree. Entries never hold a household's name or phone number.

use app::api::{AuditEntry, AuditList};
use app::domain::policy::Scope;
use rusqlite::{params, Connection, Row};
use uuid::Uuid;

use super::scope::{area_cte, unit_in_scope, ScopeParams};
use super::{DbError, Store, StoreError};

const INSERT: &str = "INSERT INTO audit_log \
       (at, actor_id, action, target_kind, target_id, unit_id, address, detail) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/// Entries in scope, before id `?4`, at most `?5`. Entries without a unit (the command line,
/// unknown phone numbers) only the whole deployment's scope sees.
const LIST: &str = concat!(
    area_cte!(),
    "SELECT a.id, a.at, a.actor_id, u.name, a.action, a.target_kind, a.target_id, a.unit_id, \
       a.address, a.detail \
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
     WHERE a.id < ?4 AND ((?1 IS NULL AND ?2 IS NULL AND ?3 IS NULL) OR (a.unit_id IS NOT NULL AND ",
    unit_in_scope!("a.unit_id"),
    " AND (?3 IS NULL OR a.actor_id = ?3))) ORDER BY a.id DESC LIMIT ?5"
);

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[INSERT, LIST];

/// Who acts, from where, and when: written with every entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct By {
    /// The signed-in user; `None` for the command line.
    pub user: Option<Uuid>,
    /// The client address, when it matters (sign-ins).
    pub address: Option<String>,
    /// When (ms).
    pub at: i64,
}

impl By {
    /// The command line, at `at`.
    pub fn command_line(at: i64) -> Self {
        Self {
            user: None,
            address: None,
            at,
        }
    }
}

/// Writes one entry.
pub fn record(
    conn: &Connection,
    by: &By,
    action: &str,
    target_kind: &str,
    target_id: &str,
    unit: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    conn.prepare_cached(INSERT)?.execute(params![
        by.at,
        by.user.map(|u| u.to_string()),
        action,
        target_kind,
        target_id,
        unit,
        by.address,
        detail.to_string()
    ])?;
    Ok(())
}

pub(crate) fn entry(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let actor: Option<String> = r.get(2)?;
    let detail: String = r.get(9)?;
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor_id: actor.and_then(|a| Uuid::parse_str(&a).ok()),
        actor_name: r.get(3)?,
        action: r.get(4)?,
        target_kind: r.get(5)?,
        target_id: r.get(6)?,
        unit_id: r.get(7)?,
        address: r.get(8)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
    })
}

/// Most entries one page holds.
pub const PAGE_LIMIT: u32 = 200;

impl Store {
    /// Writes one entry on its own (sign-ins, which change nothing else).
    pub async fn audit(
        &self,
        by: By,
        action: &'static str,
        target: Option<Uuid>,
        unit: Option<i64>,
    ) -> Result<(), DbError> {
        self.db
            .write(move |conn| {
                record(
                    conn,
                    &by,
                    action,
                    "user",
                    &target.map(|t| t.to_string()).unwrap_or_default(),
                    unit,
                    serde_json::json!({}),
                )
            })
            .await
    }

    /// Entries in scope, newest first, before entry `before`.
    pub async fn audit_log(
        &self,
        scope: Scope,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditList, StoreError> {
        self.db
            .read(move |conn| {
                let s = ScopeParams::from(scope);
                let mut stmt = conn.prepare_cached(LIST)?;
                let entries: Vec<AuditEntry> = stmt
                    .query_map(
                        params![
                            s.area,
                            s.team,
                            s.own,
                            before.unwrap_or(i64::MAX),
                            i64::from(limit) + 1
                        ],
                        entry,
                    )?
                    .collect::<Result<_, _>>()?;
                let more = entries.len() > limit as usize;
                let entries: Vec<AuditEntry> = entries.into_iter().take(limit as usize).collect();
                let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
                Ok(AuditList {
                    entries,
                    next_before,
                })
            })
            .await
    }
}
