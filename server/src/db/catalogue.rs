//! The activity catalogue.

use app::api::{Activity, Catalogue, TaskGroup};
use rusqlite::Connection;

use super::DbError;

const LIST: &str = "SELECT code, task_group, name_vi, name_en, active FROM activity_types \
                    WHERE active = 1 ORDER BY sort_order, code";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[LIST];

/// The active activities, in display order.
pub fn list(conn: &Connection) -> Result<Catalogue, DbError> {
    let mut stmt = conn.prepare_cached(LIST)?;
    let activities = stmt
        .query_map([], |row| {
            let group: String = row.get(1)?;
            Ok(Activity {
                code: row.get(0)?,
                task_group: TaskGroup::parse(&group).unwrap_or(TaskGroup::Information),
                name_vi: row.get(2)?,
                name_en: row.get(3)?,
                active: row.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Catalogue { activities })
}
