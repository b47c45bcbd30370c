//! Backups of the database while it serves, and restoring one (`docs/deploy.md`, "Backups").
//!
//! - **Backup** is SQLite's `VACUUM INTO`: one read transaction over the live database (WAL:
//!   writers go on meanwhile) writes a compact, consistent copy as of that transaction's
//!   start. It is used rather than the page-by-page backup API because that one starts over
//!   whenever another process writes, so under steady pushes from the server it may never
//!   finish. The copy goes to a temporary file beside the target, passes
//!   `PRAGMA integrity_check`, and only then takes the target's name.
//! - **Restore** refuses while a server has the database open (it holds [`ServerLock`]),
//!   checks the backup the same way, and replaces the database file, its WAL and shared
//!   memory files with the backup.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::DbError;

/// What a backup or a restore wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    /// Bytes of the file written.
    pub bytes: u64,
    /// Visits in it.
    pub visits: i64,
    /// Units in it.
    pub units: i64,
}

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A server holds the database.
    #[error("a server has {0} open: stop it first (restore replaces the file under it)")]
    InUse(PathBuf),
    /// The file is not a Sổ Tay Số database, or is damaged.
    #[error("{path} is not a sound Sổ Tay Số database: {why}")]
    NotSound {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The database itself failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        error: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |error| BackupError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// The lock a running server holds on its database (`<db>.lock`, an advisory file lock the
/// operating system drops when the process ends, killed or not).
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
}

impl ServerLock {
    /// The lock file of `db`.
    pub fn path(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock; `None` when another process (or server) holds it.
    pub fn try_acquire(db: &Path) -> Result<Option<Self>, BackupError> {
        let path = Self::path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => Err(BackupError::Io { path, error }),
        }
    }
}

/// Checks that `path` is a sound database of this application: its integrity, and the
/// tables every version has.
fn check(path: &Path) -> Result<Copied, BackupError> {
    let not_sound = |why: String| BackupError::NotSound {
        path: path.to_path_buf(),
        why,
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not_sound(e.to_string()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| not_sound(e.to_string()))?;
    if integrity != "ok" {
        return Err(not_sound(format!("integrity check: {integrity}")));
    }
    let count = |table: &str| -> Result<i64, BackupError> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|_| not_sound(format!("no {table} table")))
    };
    let (visits, units) = (count("visits")?, count("units")?);
    let bytes = std::fs::metadata(path).map_err(io(path))?.len();
    Ok(Copied {
        bytes,
        visits,
        units,
    })
}

/// Writes a consistent copy of the database `db` to `to` while it may be serving.
pub fn backup(db: &Path, to: &Path) -> Result<Copied, BackupError> {
    if !db.exists() {
        return Err(BackupError::NotSound {
            path: db.to_path_buf(),
            why: "no such file".into(),
        });
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let conn = super::connect(db)?;
    conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()])
        .map_err(DbError::from)?;
    drop(conn);
    let copied = check(&partial).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    Ok(copied)
}

/// Replaces the database `db` with the backup `from`; refused while a server holds `db`.
pub fn restore(from: &Path, db: &Path) -> Result<Copied, BackupError> {
    let Some(_lock) = ServerLock::try_acquire(db)? else {
        return Err(BackupError::InUse(db.to_path_buf()));
    };
    let copied = check(from)?;
    let mut incoming = db.as_os_str().to_owned();
    incoming.push(".restoring");
    let incoming = PathBuf::from(incoming);
    std::fs::copy(from, &incoming).map_err(io(&incoming))?;
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(io(&incoming))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side).map_err(io(&side))?;
        }
    }
    std::fs::rename(&incoming, db).map_err(io(db))?;
    Ok(copied)
}
