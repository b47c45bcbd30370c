//! The administrative unit tree: provinces and communes from the national statistics list,
//! villages entered per commune. Since 1 July 2025 there is no district level, but the tree
//! allows one (`level = 'district'`) because it is data, not code.

use std::collections::HashMap;

use app::api::{NewVillage, UnitDetail, UnitLevel, UnitList, UnitSummary, VillageChange};
use app::domain::policy::Scope;
use app::domain::team::{composition_gaps, Affiliation, Position};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;
use uuid::Uuid;

use super::audit::{self, By};
use super::{enum_at, teams, users, uuid_at, DbError, Store, StoreError};

/// The 2025 list of 34 provinces and 3,321 communes, built into the binary.
pub const EMBEDDED_CSV: &str = include_str!("../../data/vn-admin-units-2025.csv");

const UPSERT_CODED: &str = "INSERT INTO units (parent_id, level, kind, name, official_code, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (level, official_code) DO UPDATE SET \
       parent_id = excluded.parent_id, kind = excluded.kind, name = excluded.name \
     WHERE (units.parent_id, units.kind, units.name) IS NOT (excluded.parent_id, excluded.kind, excluded.name)";
const ID_BY_CODE: &str = "SELECT id FROM units WHERE level = ?1 AND official_code = ?2";
const INSERT_VILLAGE: &str =
    "INSERT INTO units (parent_id, level, kind, name, household_count, created_at) \
     VALUES (?1, 'village', ?2, ?3, ?4, ?5)";

const PROVINCES: &str = "SELECT COUNT(*) FROM units WHERE level = 'province'";
const UNIT: &str =
    "SELECT id, name, kind, level, official_code, household_count FROM units WHERE id = ?1";
const CHILDREN: &str = "SELECT id, name, kind, level, official_code, household_count FROM units \
     WHERE parent_id = ?1";
const TOP: &str = "SELECT id, name, kind, level, official_code, household_count FROM units \
     WHERE parent_id IS NULL";
const GRANDCHILDREN: &str =
    "SELECT c.parent_id, COUNT(*) FROM units c JOIN units p ON p.id = c.parent_id \
     WHERE p.parent_id = ?1 GROUP BY c.parent_id";
/// Every team under unit `?1` with the people on its roster now.
const ROSTERS_UNDER: &str = "WITH RECURSIVE area(id) AS ( \
       SELECT ?1 UNION ALL SELECT u.id FROM units u JOIN area ON u.parent_id = area.id) \
     SELECT t.id, t.unit_id, t.commune_id, m.position, m.affiliation \
     FROM teams t LEFT JOIN team_members m ON m.team_id = t.id AND m.left_at IS NULL \
     WHERE t.unit_id IN area";
const SIBLING_NAMED: &str =
    "SELECT 1 FROM units WHERE parent_id = ?1 AND name = ?2 AND id IS NOT ?3";
const PARENT: &str = "SELECT parent_id FROM units WHERE id = ?1";
const SET_VILLAGE: &str = "UPDATE units SET name = COALESCE(?2, name), \
       household_count = COALESCE(?3, household_count) WHERE id = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    UPSERT_CODED,
    ID_BY_CODE,
    INSERT_VILLAGE,
    PROVINCES,
    UNIT,
    CHILDREN,
    TOP,
    GRANDCHILDREN,
    ROSTERS_UNDER,
    SIBLING_NAMED,
    PARENT,
    SET_VILLAGE,
];

/// One row of the units CSV.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UnitRow {
    /// Province code (national statistics office).
    pub province_code: String,
    /// Province name, e.g. `Gia Lai`.
    pub province_name: String,
    /// `tỉnh` or `thành phố trung ương`.
    pub province_type: String,
    /// Commune code.
    pub commune_code: String,
    /// Commune name, e.g. `Xã An Hòa`.
    pub commune_name: String,
    /// `xã`, `phường` or `đặc khu`.
    pub commune_type: String,
}

/// Why a units file was refused. Nothing is written when any row is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV is unreadable or lacks a column.
    #[error("line {line}: {message}")]
    Row {
        /// 1-based line number in the file (the header is line 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What an import changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows read.
    pub rows: usize,
    /// Provinces or communes inserted or changed.
    pub changed: usize,
}

/// Reads and checks every row; the first bad row stops the import with its line number.
pub fn parse_csv(data: &str) -> Result<Vec<UnitRow>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize::<UnitRow>().enumerate() {
        let line = i + 2;
        let row = record.map_err(|e| ImportError::Row {
            line,
            message: e.to_string(),
        })?;
        let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !numeric(&row.province_code) || !numeric(&row.commune_code) {
            return Err(ImportError::Row {
                line,
                message: "codes must be digits".into(),
            });
        }
        if [
            &row.province_name,
            &row.province_type,
            &row.commune_name,
            &row.commune_type,
        ]
        .iter()
        .any(|s| s.is_empty())
        {
            return Err(ImportError::Row {
                line,
                message: "a name or type is empty".into(),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

fn upsert(
    conn: &Connection,
    parent: Option<i64>,
    level: &str,
    kind: &str,
    name: &str,
    code: &str,
    now: i64,
) -> Result<(i64, bool), DbError> {
    let changed = conn
        .prepare_cached(UPSERT_CODED)?
        .execute(params![parent, level, kind, name, code, now])?
        > 0;
    let id = conn
        .prepare_cached(ID_BY_CODE)?
        .query_row(params![level, code], |r| r.get(0))?;
    Ok((id, changed))
}

/// Upserts provinces and communes by official code, in one transaction.
pub fn import(conn: &mut Connection, rows: &[UnitRow], now: i64) -> Result<ImportReport, DbError> {
    let tx = conn.transaction()?;
    let mut report = ImportReport {
        rows: rows.len(),
        changed: 0,
    };
    for row in rows {
        let (province, changed) = upsert(
            &tx,
            None,
            "province",
            &row.province_type,
            &row.province_name,
            &row.province_code,
            now,
        )?;
        report.changed += usize::from(changed);
        let (_, changed) = upsert(
            &tx,
            Some(province),
            "commune",
            &row.commune_type,
            &row.commune_name,
            &row.commune_code,
            now,
        )?;
        report.changed += usize::from(changed);
    }
    tx.commit()?;
    Ok(report)
}

/// The id of a commune by its official code.
pub fn commune_id(conn: &Connection, code: &str) -> Result<i64, DbError> {
    Ok(conn
        .prepare_cached(ID_BY_CODE)?
        .query_row(params!["commune", code], |r| r.get(0))?)
}

/// Adds a village (thôn) to a commune.
pub fn add_village(
    conn: &Connection,
    commune: i64,
    kind: &str,
    name: &str,
    household_count: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    conn.prepare_cached(INSERT_VILLAGE)?.execute(params![
        commune,
        kind,
        name,
        household_count,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

/// True before the national list was loaded (a new database).
pub fn is_empty(conn: &Connection) -> Result<bool, DbError> {
    Ok(conn
        .prepare_cached(PROVINCES)?
        .query_row([], |r| r.get::<_, i64>(0))?
        == 0)
}

fn summary_row(r: &Row<'_>) -> rusqlite::Result<UnitSummary> {
    Ok(UnitSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        level: enum_at(r, 3, UnitLevel::parse)?,
        official_code: r.get(4)?,
        household_count: r.get(5)?,
        children: 0,
        teams: 0,
        teams_with_gaps: 0,
    })
}

/// Team counts under a unit, per child: (teams, teams missing the composition rule).
fn team_counts(
    conn: &Connection,
    unit: i64,
    level: UnitLevel,
) -> Result<HashMap<i64, (u32, u32)>, DbError> {
    let mut stmt = conn.prepare_cached(ROSTERS_UNDER)?;
    /// A team's unit, commune and the people on it.
    type Roster = (i64, i64, Vec<(Position, Affiliation)>);
    let mut rosters: HashMap<Uuid, Roster> = HashMap::new();
    let rows = stmt.query_map([unit], |r| {
        let person = match r.get::<_, Option<String>>(3)? {
            Some(_) => Some((
                enum_at(r, 3, Position::parse)?,
                enum_at(r, 4, Affiliation::parse)?,
            )),
            None => None,
        };
        Ok((
            uuid_at(r, 0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            person,
        ))
    })?;
    for row in rows {
        let (team, team_unit, commune, person) = row?;
        let entry = rosters
            .entry(team)
            .or_insert((team_unit, commune, Vec::new()));
        entry.2.extend(person);
    }
    let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
    for (team_unit, commune, people) in rosters.into_values() {
        // Which child of `unit` the team counts under (the unit itself for its own teams).
        let child = match level {
            UnitLevel::Province | UnitLevel::District => commune,
            UnitLevel::Commune | UnitLevel::Village => team_unit,
        };
        let gaps = u32::from(!composition_gaps(&people).is_empty());
        let count = counts.entry(child).or_default();
        count.0 += 1;
        count.1 += gaps;
        if child != unit {
            let own = counts.entry(unit).or_default();
            own.0 += 1;
            own.1 += gaps;
        }
    }
    Ok(counts)
}

fn unit_summary(conn: &Connection, id: i64) -> Result<UnitSummary, StoreError> {
    let mut unit = conn
        .prepare_cached(UNIT)?
        .query_row([id], summary_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let children = conn
        .prepare_cached(CHILDREN)?
        .query_map([id], |_| Ok(()))?
        .count() as u32;
    let counts = team_counts(conn, id, unit.level)?;
    let (teams, gaps) = counts.get(&id).copied().unwrap_or_default();
    unit.children = children;
    unit.teams = teams;
    unit.teams_with_gaps = gaps;
    Ok(unit)
}

/// A unit in scope with its ancestors, children and teams.
pub fn detail(conn: &Connection, scope: Scope, id: i64) -> Result<UnitDetail, StoreError> {
    users::unit_level_in_scope(conn, scope, id)?;
    let unit = unit_summary(conn, id)?;
    let mut path = users::unit_path(conn, id)?;
    path.pop();
    let counts = team_counts(conn, id, unit.level)?;
    let grandchildren: HashMap<i64, u32> = conn
        .prepare_cached(GRANDCHILDREN)?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut children: Vec<UnitSummary> = conn
        .prepare_cached(CHILDREN)?
        .query_map([id], summary_row)?
        .collect::<Result<_, _>>()?;
    for child in &mut children {
        let (teams, gaps) = counts.get(&child.id).copied().unwrap_or_default();
        child.teams = teams;
        child.teams_with_gaps = gaps;
        child.children = grandchildren.get(&child.id).copied().unwrap_or(0);
    }
    children.sort_by_key(|c| app::domain::text::collation_key(&c.name));
    let teams = match unit.level {
        UnitLevel::Commune => teams::of_commune(conn, id)?,
        UnitLevel::Village => teams::of_commune(conn, id)?
            .into_iter()
            .filter(|t| t.unit.id == id)
            .collect(),
        UnitLevel::Province | UnitLevel::District => Vec::new(),
    };
    Ok(UnitDetail {
        unit,
        path,
        children,
        teams,
    })
}

fn check_sibling_name(
    conn: &Connection,
    parent: i64,
    name: &str,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let taken = conn
        .prepare_cached(SIBLING_NAMED)?
        .query_row(params![parent, name, except], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        Err(StoreError::conflict(
            "name_taken",
            "another unit here has this name",
        ))
    } else {
        Ok(())
    }
}

impl Store {
    /// The units at the top of a scope: every province for the whole deployment, else the
    /// province or commune itself.
    pub async fn units(&self, scope: Scope) -> Result<UnitList, StoreError> {
        self.db
            .read(move |conn| {
                let ids: Vec<i64> = match scope {
                    Scope::Everything => conn
                        .prepare_cached(TOP)?
                        .query_map([], |r| r.get(0))?
                        .collect::<Result<_, _>>()?,
                    Scope::Province(id) | Scope::Commune(id) => vec![id],
                    Scope::Team(_) | Scope::Own(_) => Vec::new(),
                };
                let mut units = ids
                    .into_iter()
                    .map(|id| unit_summary(conn, id))
                    .collect::<Result<Vec<_>, _>>()?;
                units.sort_by_key(|u| app::domain::text::collation_key(&u.name));
                Ok(UnitList { units })
            })
            .await
    }

    /// A unit in scope, with what is under it.
    pub async fn unit(&self, scope: Scope, id: i64) -> Result<UnitDetail, StoreError> {
        self.db.read(move |conn| detail(conn, scope, id)).await
    }

    /// Adds a village to a commune in scope.
    pub async fn add_village(
        &self,
        scope: Scope,
        commune: i64,
        new: NewVillage,
        by: By,
    ) -> Result<UnitSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                if users::unit_level_in_scope(&tx, scope, commune)? != UnitLevel::Commune {
                    return Err(StoreError::invalid(
                        "not_a_commune",
                        "unit",
                        "villages are added to a commune",
                    ));
                }
                check_sibling_name(&tx, commune, &new.name, None)?;
                let kind = new.kind.clone().unwrap_or_else(|| "thôn".to_string());
                let id = add_village(&tx, commune, &kind, &new.name, new.household_count, by.at)?;
                audit::record(
                    &tx,
                    &by,
                    "village_created",
                    "unit",
                    &id.to_string(),
                    Some(id),
                    serde_json::json!({ "name": new.name, "household_count": new.household_count }),
                )?;
                let unit = unit_summary(&tx, id)?;
                tx.commit()?;
                Ok(unit)
            })
            .await
    }

    /// Renames a village in scope or sets its household count.
    pub async fn change_village(
        &self,
        scope: Scope,
        id: i64,
        change: VillageChange,
        by: By,
    ) -> Result<UnitSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                if users::unit_level_in_scope(&tx, scope, id)? != UnitLevel::Village {
                    return Err(StoreError::invalid("not_a_village", "unit", "only villages are changed here; provinces and communes come from the national list"));
                }
                if let Some(name) = &change.name {
                    let parent: i64 = tx.prepare_cached(PARENT)?.query_row([id], |r| r.get(0))?;
                    check_sibling_name(&tx, parent, name, Some(id))?;
                }
                tx.prepare_cached(SET_VILLAGE)?.execute(params![id, change.name, change.household_count])?;
                audit::record(&tx, &by, "village_changed", "unit", &id.to_string(), Some(id), serde_json::to_value(&change).unwrap_or_default())?;
                let unit = unit_summary(&tx, id)?;
                tx.commit()?;
                Ok(unit)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn the_embedded_list_has_34_provinces_and_3321_communes() {
        let rows = parse_csv(EMBEDDED_CSV).unwrap();
        assert_eq!(rows.len(), 3321);
        let mut conn = fresh();
        import(&mut conn, &rows, 1).unwrap();
        let count = |level: &str| -> i64 {
            conn.query_row(
                "SELECT COUNT(*) FROM units WHERE level = ?1",
                [level],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count("province"), 34);
        assert_eq!(count("commune"), 3321);
    }

    #[test]
    fn importing_the_same_file_twice_changes_nothing_the_second_time() {
        let rows = parse_csv(EMBEDDED_CSV).unwrap();
        let mut conn = fresh();
        import(&mut conn, &rows[..50], 1).unwrap();
        let again = import(&mut conn, &rows[..50], 2).unwrap();
        assert_eq!(
            again,
            ImportReport {
                rows: 50,
                changed: 0
            }
        );
    }

    #[test]
    fn a_renamed_commune_is_updated_in_place() {
        let mut rows = parse_csv(EMBEDDED_CSV).unwrap()[..1].to_vec();
        let mut conn = fresh();
        import(&mut conn, &rows, 1).unwrap();
        rows[0].commune_name = "Phường Đổi Tên".into();
        assert_eq!(import(&mut conn, &rows, 2).unwrap().changed, 1);
        let name: String = conn
            .query_row("SELECT name FROM units WHERE level = 'commune'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "Phường Đổi Tên");
    }

    #[test]
    fn a_bad_row_is_reported_with_its_line_number() {
        let csv =
            "province_code,province_name,province_type,commune_code,commune_name,commune_type\n\
                   52,Gia Lai,tỉnh,21628,Xã An Hòa,xã\n\
                   52,Gia Lai,tỉnh,abc,Xã Lỗi,xã\n";
        match parse_csv(csv) {
            Err(ImportError::Row { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected a row error, got {other:?}"),
        }
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        assert!(parse_csv("a,b\n1,2\n").is_err());
    }
}
