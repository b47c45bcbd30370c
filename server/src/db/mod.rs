//! SQLite storage behind a narrow interface: [`Store`]. Routes call its async methods with
//! the scope the policy gave them and get API types back; they never see a connection or a
//! line of SQL. That is the seam a PostgreSQL store will implement: the same methods over
//! another engine. Inside, one writer connection and a small pool of readers; every rusqlite
//! call runs on a blocking thread, never on the async runtime.
//!
//! The submodules also expose their synchronous functions over a `Connection`, for the
//! command line, the demo seeder, tests and benchmarks that drive storage directly.

pub mod audit;
pub mod backup;
pub mod catalogue;
pub mod demo;
pub mod difficulties;
pub mod feed;
pub mod figures;
pub mod households;
pub mod review;
mod scope;
pub mod sessions;
pub mod targets;
pub mod teams;
pub mod units;
pub mod users;
pub mod visits;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use include_dir::{include_dir, Dir};
use rusqlite::Connection;
use rusqlite_migration::Migrations;

static MIGRATIONS_DIR: Dir = include_dir!("$CARGO_MANIFEST_DIR/../migrations");

/// The schema migrations, embedded from `migrations/NN-name/up.sql`.
pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::from_directory(&MIGRATIONS_DIR).expect("migrations/ holds NN-name/up.sql folders")
});

/// How many read connections the pool keeps.
const READERS: usize = 4;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite said no.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The file could not be created.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The blocking task died.
    #[error("blocking task failed: {0}")]
    Task(String),
}

/// Why a storage call did not do what was asked, beyond a fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in the caller's scope.
    #[error("not found")]
    NotFound,
    /// The records' state is in the way (`phone_taken`, `team_exists`...): 409.
    #[error("{code}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// A sentence for developers.
        message: &'static str,
    },
    /// A value the rules refuse (`village_not_in_commune`...): 422.
    #[error("{code}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// The field at fault.
        field: Option<&'static str>,
        /// A sentence for developers.
        message: &'static str,
    },
    /// The policy refuses, for a reason only the stored record tells (rule 8: an account of
    /// a role not below the caller's).
    #[error("refused")]
    Refused(app::domain::policy::Refusal),
    /// A fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Db(DbError::Sqlite(error))
    }
}

impl StoreError {
    /// A 409.
    pub fn conflict(code: &'static str, message: &'static str) -> Self {
        StoreError::Conflict { code, message }
    }

    /// A 422 for one field.
    pub fn invalid(code: &'static str, field: &'static str, message: &'static str) -> Self {
        StoreError::Invalid {
            code,
            field: Some(field),
            message,
        }
    }
}

/// Opens a connection with the PRAGMAs every connection needs.
///
/// WAL lets readers work while the writer commits. `synchronous = FULL` makes a commit durable
/// before it returns, even across power loss: the server acknowledges a pushed visit only after
/// its commit, so that acknowledgement must never be undone (see docs/sync-protocol.md).
/// Transactions begin `IMMEDIATE`, taking the write lock first: a deferred one that read and
/// then wrote would fail at once ("database is locked", no waiting) if another process — the
/// command line, a second server — committed in between; an immediate one waits its turn.
pub fn connect(path: &Path) -> Result<Connection, DbError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut conn = Connection::open(path)?;
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Reads a text column holding a UUID.
pub(crate) fn uuid_at(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<uuid::Uuid> {
    let raw: String = row.get(i)?;
    uuid::Uuid::parse_str(&raw).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a text column holding a value of a closed set (role, level, affiliation...); a
/// value the code does not know is an error, never a silent default.
pub(crate) fn enum_at<T>(
    row: &rusqlite::Row<'_>,
    i: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let raw: String = row.get(i)?;
    parse(&raw).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown value {raw:?}").into(),
        )
    })
}

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    MIGRATIONS.to_latest(conn)?;
    figures::build_once(conn)
}

/// The connection pool, private to storage: nothing outside `db` holds a connection.
#[derive(Clone)]
pub(crate) struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn lock(conn: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    // A panic while holding a connection leaves no half-done transaction (rusqlite rolls it
    // back on drop), so the connection is still usable.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The storage the server runs on. Its methods live beside their SQL, one `impl Store` block
/// per submodule (users, teams, units, catalogue, audit, visits, review, difficulties,
/// households, figures, feed, sessions).
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
}

impl Store {
    /// Opens (creating and migrating) the database at `path`; loads the national list of
    /// provinces and communes when the database has none (first start).
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let db = Db::open(path)?;
        {
            let mut writer = lock(&db.inner.writer);
            if units::is_empty(&writer)? {
                let rows = units::parse_csv(units::EMBEDDED_CSV)
                    .map_err(|e| DbError::Task(e.to_string()))?;
                let report = units::import(&mut writer, &rows, app::domain::time::now_ms())?;
                tracing::info!(
                    rows = report.rows,
                    "first start: loaded the national list of provinces and communes"
                );
            }
        }
        Ok(Self { db })
    }

    /// Can the database be read?
    pub async fn health(&self) -> Result<(), DbError> {
        self.db
            .read(|conn| {
                conn.prepare_cached(HEALTH)?.query_row([], |_| Ok(()))?;
                Ok(())
            })
            .await
    }
}

const HEALTH: &str = "SELECT 1 FROM activity_types LIMIT 1";

impl Db {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| connect(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `f` on a read connection, on a blocking thread.
    pub(crate) async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            f(&lock(&inner.readers[i]))
        })
        .await
        .map_err(|e| E::from(DbError::Task(e.to_string())))?
    }

    /// Runs `f` on the one write connection, on a blocking thread.
    pub(crate) async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&mut lock(&inner.writer)))
            .await
            .map_err(|e| DbError::Task(e.to_string()))?
    }
}

/// Every SQL statement the server runs, so a test can prepare each against a fresh schema.
#[cfg(test)]
pub(crate) fn all_statements() -> Vec<&'static str> {
    [
        &[HEALTH][..],
        audit::STATEMENTS,
        catalogue::STATEMENTS,
        feed::STATEMENTS,
        sessions::STATEMENTS,
        teams::STATEMENTS,
        units::STATEMENTS,
        users::STATEMENTS,
        difficulties::STATEMENTS,
        households::STATEMENTS,
        review::STATEMENTS,
        figures::STATEMENTS,
        figures::READS,
        figures::REPORT_READS,
        figures::RANKING_READS,
        figures::DRILL_READS,
        targets::STATEMENTS,
        visits::STATEMENTS,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_valid() {
        MIGRATIONS.validate().expect("migrations validate");
    }

    #[test]
    fn every_statement_prepares_against_the_migrated_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        for sql in all_statements() {
            conn.prepare(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        }
    }

    #[test]
    fn the_seed_catalogue_covers_the_four_task_groups() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let groups: i64 = conn
            .query_row(
                "SELECT COUNT(DISTINCT task_group) FROM activity_types",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(groups, 4);
    }
}
