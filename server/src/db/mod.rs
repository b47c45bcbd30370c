//! SQLite storage behind a narrow interface. One writer connection and a small pool of
//! readers; every rusqlite call runs on a blocking thread, never on the async runtime.
//! The rest of the server sees only the query functions in the submodules, which take a
//! `&Connection` or `&mut Connection`: moving to PostgreSQL replaces this module, not its callers.

pub mod catalogue;
pub mod demo;
pub mod feed;
pub mod sessions;
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

/// Opens a connection with the PRAGMAs every connection needs.
///
/// WAL lets readers work while the writer commits. `synchronous = FULL` makes a commit durable
/// before it returns, even across power loss: the server acknowledges a pushed visit only after
/// its commit, so that acknowledgement must never be undone (see docs/sync-protocol.md).
pub fn connect(path: &Path) -> Result<Connection, DbError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    MIGRATIONS.to_latest(conn)?;
    Ok(())
}

/// The connection pool.
#[derive(Clone)]
pub struct Db {
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
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            f(&lock(&inner.readers[i]))
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }

    /// Runs `f` on the one write connection, on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
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
        catalogue::STATEMENTS,
        feed::STATEMENTS,
        sessions::STATEMENTS,
        units::STATEMENTS,
        users::STATEMENTS,
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
