//! The administrative unit tree: provinces and communes from the national statistics list,
//! villages entered per commune. Since 1 July 2025 there is no district level, but the tree
//! allows one (`level = 'district'`) because it is data, not code.

use rusqlite::{params, Connection};
use serde::Deserialize;

use super::DbError;

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

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[UPSERT_CODED, ID_BY_CODE, INSERT_VILLAGE];

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
