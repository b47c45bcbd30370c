//! Targets (`docs/indicators.md`, "Targets"; the rules are `app::domain::target`): set by
//! staff above the unit, read with the figures of a unit and its children.

use app::api::{TargetValue, UnitLevel, UnitTargets};
use app::domain::period::Period;
use app::domain::policy::{may_set_target, Actor, Scope};
use app::domain::target::Indicator;
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::{self, By};
use super::{catalogue, users, DbError, Store, StoreError};

const SET: &str = "INSERT INTO targets (unit_id, period, indicator, value, set_by, set_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (unit_id, period, indicator) DO UPDATE SET \
       value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at";
const CLEAR: &str = "DELETE FROM targets WHERE unit_id = ?1 AND period = ?2 AND indicator = ?3";
const OF_UNIT: &str = "SELECT indicator, value FROM targets WHERE unit_id = ?1 AND period = ?2 \
     ORDER BY indicator";
/// The targets of unit `?1` and of its children for period `?2`.
const OF_UNIT_AND_CHILDREN: &str = "SELECT unit_id, indicator, value FROM targets \
     WHERE period = ?2 AND unit_id IN (SELECT ?1 UNION ALL SELECT id FROM units WHERE parent_id = ?1) \
     ORDER BY unit_id, indicator";
/// The province a unit lies in.
pub(crate) const PROVINCE_OF: &str = "WITH RECURSIVE up(id, parent_id, level) AS ( \
       SELECT id, parent_id, level FROM units WHERE id = ?1 \
       UNION ALL SELECT u.id, u.parent_id, u.level FROM units u JOIN up ON u.id = up.parent_id) \
     SELECT id FROM up WHERE level = 'province'";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[SET, CLEAR, OF_UNIT, OF_UNIT_AND_CHILDREN, PROVINCE_OF];

/// The province unit `unit` lies in.
pub(crate) fn province_of(conn: &Connection, unit: i64) -> Result<Option<i64>, DbError> {
    Ok(conn
        .prepare_cached(PROVINCE_OF)?
        .query_row([unit], |r| r.get(0))
        .optional()?)
}

/// The targets of `unit` and its children in `period`, as (unit, target) pairs.
pub fn of_unit_and_children(
    conn: &Connection,
    unit: i64,
    period: &str,
) -> Result<Vec<(i64, TargetValue)>, DbError> {
    Ok(conn
        .prepare_cached(OF_UNIT_AND_CHILDREN)?
        .query_map(params![unit, period], |r| {
            Ok((
                r.get(0)?,
                TargetValue {
                    indicator: r.get(1)?,
                    value: r.get(2)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?)
}

fn of_unit(conn: &Connection, unit: i64, period: &str) -> Result<Vec<TargetValue>, DbError> {
    Ok(conn
        .prepare_cached(OF_UNIT)?
        .query_map(params![unit, period], |r| {
            Ok(TargetValue {
                indicator: r.get(0)?,
                value: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// Sets (or, with `value` `None`, clears) a target of `unit` in scope, as the policy's rule 9
/// allows `actor`. `period` takes targets and `value` is valid (the route checked both); an
/// activity must be in the catalogue of the unit's province.
#[allow(clippy::too_many_arguments)]
pub fn set(
    conn: &mut Connection,
    scope: Scope,
    actor: &Actor,
    unit: i64,
    period: Period,
    indicator: &Indicator,
    value: Option<i64>,
    by: &By,
) -> Result<UnitTargets, StoreError> {
    let tx = conn.transaction()?;
    let level = users::unit_level_in_scope(&tx, scope, unit)?;
    if !matches!(level, UnitLevel::Commune | UnitLevel::Village) {
        return Err(StoreError::invalid(
            "no_targets",
            "unit",
            "targets are set for communes and villages",
        ));
    }
    may_set_target(actor, level).map_err(StoreError::Refused)?;
    if let Indicator::Activity(code) = indicator {
        let province = province_of(&tx, unit)?;
        if catalogue::one(&tx, province, code)?.is_none() {
            return Err(StoreError::invalid(
                "unknown_activity",
                "indicator",
                "no such activity in the province's catalogue",
            ));
        }
    }
    let (key, indicator_key) = (period.key(), indicator.key());
    match value {
        Some(value) => tx.prepare_cached(SET)?.execute(params![
            unit,
            key,
            indicator_key,
            value,
            by.user.map(|u| u.to_string()),
            by.at
        ])?,
        None => tx
            .prepare_cached(CLEAR)?
            .execute(params![unit, key, indicator_key])?,
    };
    audit::record(
        &tx,
        by,
        "target_set",
        "unit",
        &unit.to_string(),
        Some(unit),
        serde_json::json!({ "period": key, "indicator": indicator_key, "value": value }),
    )?;
    let targets = of_unit(&tx, unit, &key)?;
    tx.commit()?;
    Ok(UnitTargets {
        unit_id: unit,
        period: key,
        targets,
    })
}

impl Store {
    /// Sets or clears a target of a unit in scope.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_target(
        &self,
        scope: Scope,
        actor: Actor,
        unit: i64,
        period: Period,
        indicator: Indicator,
        value: Option<i64>,
        by: By,
    ) -> Result<UnitTargets, StoreError> {
        self.db
            .write(move |conn| set(conn, scope, &actor, unit, period, &indicator, value, &by))
            .await
    }
}
