//! The local SQLite store: the single source of truth for the desktop app and the CLI.
//!
//! One connection behind a std `Mutex`, held only for the span of one statement or transaction
//! and never across an `.await` (async callers go through `spawn_blocking`). WAL lets the CLI and
//! a second window read while the app writes; `synchronous = FULL` because a text a receptionist
//! queued must survive a power cut, not only an app crash. The schema is migrated on open, and a
//! database written by a newer version is refused rather than misread.

pub mod access;
pub mod appointments;
pub mod audit;
pub mod consent;
mod contact;
pub mod credentials;
mod cursors;
mod error;
pub mod flags;
mod flusher;
mod key_value;
pub mod messages;
mod migrations;
pub mod optouts;
pub mod outbox;
pub mod patients;
pub mod replies;
pub mod retry;
pub mod settings;
pub mod stats;
pub mod templates;
mod thread_index;
pub mod threads;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

pub use error::{ConstraintKind, StoreError};
pub use migrations::LATEST_VERSION;

/// How long a write waits for another process's write to finish before reporting "locked".
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

/// A cheap-to-clone handle on the database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    /// Declared before `conn` so it stops first: the connection's close then finishes the work.
    flusher: flusher::Flusher,
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, &OpenOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: path.clone(),
                detail: format!("cannot create folder {}: {e}", parent.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| StoreError::from_sqlite(e, &path))?;
        configure(&conn, options).map_err(|e| StoreError::from_sqlite(e, &path))?;
        migrations::apply(&mut conn, &path)?;
        Ok(Self {
            inner: Arc::new(Inner {
                flusher: flusher::Flusher::new(&path),
                conn: Mutex::new(conn),
                path,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|conn| conn.pragma_query_value(None, "user_version", |row| row.get(0)))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection inside a transaction:
        // rusqlite rolls back on drop. So the connection is still sound; keep using it.
        self.inner
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs read-only work on the connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        f(&conn).map_err(|e| StoreError::from_sqlite(e, &self.inner.path))
    }

    /// Runs `f` inside one immediate transaction: all of it lands or none of it does. IMMEDIATE
    /// takes the write lock up front so a busy database fails fast at BEGIN, not halfway.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        self.transaction(&mut conn, f)
    }

    /// `write` for data that can be fetched again from Twilio (ingested messages): the commit
    /// skips the fsync (`synchronous = NORMAL`), which survives an app crash and may lose the
    /// last moments before a power cut, after which the next poll simply brings them back. The
    /// flusher thread makes it durable right behind (see `flusher`). Outbox rows, which exist
    /// nowhere else, always go through `write`.
    pub(crate) fn write_refetchable<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err(e))?;
        let changes_before = conn.total_changes();
        let result = self.transaction(&mut conn, f);
        let restored = conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e));
        let value = result?;
        restored?;
        // A poll that only re-read known texts committed nothing: there is nothing to flush.
        if conn.total_changes() > changes_before {
            self.inner.flusher.sync_wal();
        }
        Ok(value)
    }

    /// Copies the WAL into the database file on a thread of its own, after a back-fill has
    /// written tens of megabytes there; the caller goes on writing meanwhile.
    pub fn checkpoint_behind(&self) {
        self.inner.flusher.checkpoint();
    }

    fn transaction<T>(
        &self,
        conn: &mut Connection,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(value)
    }

    /// Maps a rusqlite error from inside a `write` closure.
    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(e, &self.inner.path)
    }
}

const NEW_DATABASE_PAGE_SIZE: i64 = 16 * 1024;
const WAL_CHECKPOINT_BYTES: i64 = 64 * 1024 * 1024;

fn configure(conn: &Connection, options: &OpenOptions) -> rusqlite::Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    // A new database gets 16 KiB pages: ingest inserts at random places in the SID index, and
    // bigger pages mean fewer levels to walk and fewer splits. It stores a back-fill about a
    // seventh faster than the default 4 KiB (ingest bench). An existing file keeps its size,
    // which SQLite fixes when it first writes the file (the switch to WAL just below).
    conn.pragma_update(None, "page_size", NEW_DATABASE_PAGE_SIZE)?;
    // journal_mode answers with a row; reading it is also the first real touch of the file, so a
    // file that is not a database fails here with NotADatabase.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // SIDs are random, so ingest writes all over the SID index: a page cache that holds the
    // indexes of a large history (default is 2 MiB) keeps back-fill from thrashing.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // A back-fill writes tens of megabytes. Checkpointing every 4 MiB of WAL (the default) copies
    // the same index pages into the database file again and again; every 64 MiB cuts the
    // ingest time by about a fifth. The WAL file is cut back after a checkpoint rather than kept
    // at its largest. The checkpoint threshold counts pages, whose size depends on the file.
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |row| row.get(0))?;
    conn.pragma_update(
        None,
        "wal_autocheckpoint",
        WAL_CHECKPOINT_BYTES / page_size.max(512),
    )?;
    conn.pragma_update(None, "journal_size_limit", WAL_CHECKPOINT_BYTES)?;
    Ok(())
}

/// Current time in the store's unit: milliseconds since the epoch, UTC.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(store: &Store, name: &str) -> i64 {
        store
            .read(|conn| conn.pragma_query_value(None, name, |row| row.get(0)))
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_large_pages_and_checkpoints_every_64_mib() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("new.sqlite3")).unwrap();
        assert_eq!(pragma(&store, "page_size"), 16_384);
        assert_eq!(pragma(&store, "wal_autocheckpoint"), 4_096);
    }

    #[test]
    fn an_existing_database_keeps_its_page_size_and_the_same_checkpoint_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let old = Connection::open(&path).unwrap();
        old.execute_batch("PRAGMA page_size = 4096; CREATE TABLE made_elsewhere (x);")
            .unwrap();
        drop(old);
        let store = Store::open(&path).unwrap();
        assert_eq!(pragma(&store, "page_size"), 4_096);
        assert_eq!(pragma(&store, "wal_autocheckpoint"), 16_384);
    }
}
