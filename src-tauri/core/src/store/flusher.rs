//! Texts Twilio still holds are committed without an fsync (`Store::write_refetchable`), so a
//! back-fill's writer never waits for the disk. Left at that, the wait only moves: the next
//! commit that must be durable (the thread index, an outbox row) flushes the whole back-fill's
//! WAL at once, and closing the database copies it all into the database file and flushes that
//! too, each on the writer's path. This thread does that work behind the writer, on another core:
//! it flushes the WAL after each such commit, and checkpoints when the engine says a back-fill
//! is over. It only ever makes data durable sooner; what SQLite commits is unchanged.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

#[derive(Debug, Default)]
struct Wanted {
    sync_wal: bool,
    checkpoint: bool,
    closing: bool,
}

#[derive(Default)]
struct Shared {
    wanted: Mutex<Wanted>,
    changed: Condvar,
}

impl Shared {
    fn wanted(&self) -> MutexGuard<'_, Wanted> {
        // The flags stay meaningful whatever panicked while holding them.
        self.wanted.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(super) struct Flusher {
    shared: Arc<Shared>,
    database: PathBuf,
    /// Started at the first request: a store that only reads never needs the thread.
    thread: Mutex<Thread>,
}

enum Thread {
    NotStarted,
    Running(JoinHandle<()>),
    /// It could not be started (no threads left): SQLite's own commits and checkpoints do all the
    /// flushing, as they would without this module.
    Unavailable,
}

impl Flusher {
    pub(super) fn new(database: &Path) -> Self {
        Self {
            shared: Arc::new(Shared::default()),
            database: database.to_path_buf(),
            thread: Mutex::new(Thread::NotStarted),
        }
    }

    /// Asks for the WAL to be flushed to disk; requests made while one waits count as one.
    pub(super) fn sync_wal(&self) {
        self.request(|wanted| wanted.sync_wal = true);
    }

    /// Asks for the WAL to be copied into the database file as far as readers allow.
    pub(super) fn checkpoint(&self) {
        self.request(|wanted| wanted.checkpoint = true);
    }

    fn request(&self, set: impl FnOnce(&mut Wanted)) {
        if !self.running() {
            return;
        }
        set(&mut self.shared.wanted());
        self.shared.changed.notify_one();
    }

    fn running(&self) -> bool {
        let mut thread = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(*thread, Thread::NotStarted) {
            let worker = Worker {
                wal: wal_path_of(&self.database),
                database: self.database.clone(),
                checkpointer: None,
            };
            let shared = Arc::clone(&self.shared);
            *thread = match std::thread::Builder::new()
                .name("store-flusher".into())
                .spawn(move || worker.run(&shared))
            {
                Ok(handle) => Thread::Running(handle),
                Err(err) => {
                    tracing::warn!("WAL flushing stays on the writer's path: {err}");
                    Thread::Unavailable
                }
            };
        }
        matches!(*thread, Thread::Running(_))
    }
}

impl Drop for Flusher {
    /// Waits for work in progress, so the store's own close finds no checkpoint running and does
    /// the rest; work not yet started is left to that close.
    fn drop(&mut self) {
        self.shared.wanted().closing = true;
        self.shared.changed.notify_one();
        let thread = self.thread.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Thread::Running(handle) = std::mem::replace(thread, Thread::Unavailable) {
            let _ = handle.join();
        }
    }
}

fn wal_path_of(database: &Path) -> PathBuf {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

struct Worker {
    database: PathBuf,
    wal: PathBuf,
    /// Opened at the first checkpoint: most stores never need it.
    checkpointer: Option<Connection>,
}

impl Worker {
    fn run(mut self, shared: &Shared) {
        loop {
            let job = {
                let mut wanted = shared.wanted();
                while !wanted.closing && !wanted.sync_wal && !wanted.checkpoint {
                    wanted = shared
                        .changed
                        .wait(wanted)
                        .unwrap_or_else(|p| p.into_inner());
                }
                if wanted.closing {
                    return;
                }
                std::mem::take(&mut *wanted)
            };
            // A checkpoint flushes the WAL before copying it, so it stands for both.
            if job.checkpoint {
                self.checkpoint();
            } else {
                self.sync_wal();
            }
        }
    }

    fn sync_wal(&self) {
        // The WAL exists while the store is open; if it is not there, nothing waits to be flushed.
        // Opened for writing because Windows flushes only such a handle; nothing is written.
        if let Ok(wal) = std::fs::OpenOptions::new().write(true).open(&self.wal) {
            if let Err(err) = wal.sync_data() {
                tracing::warn!("flushing the WAL failed, the next durable commit will: {err}");
            }
        }
    }

    fn checkpoint(&mut self) {
        let conn = match self.checkpointer.take() {
            Some(conn) => Ok(conn),
            None => open_checkpointer(&self.database),
        };
        // PASSIVE never waits for the writer: it copies what is committed and stops at what a
        // reader still needs. Its answer row is (busy, frames in the WAL, frames copied).
        match conn.and_then(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
            Ok(conn)
        }) {
            Ok(conn) => self.checkpointer = Some(conn),
            Err(err) => {
                tracing::warn!("background checkpoint failed, closing the store will do it: {err}")
            }
        }
    }
}

fn open_checkpointer(database: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The checkpoint's own fsyncs (the WAL before copying, the file after) make the copy safe.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}
