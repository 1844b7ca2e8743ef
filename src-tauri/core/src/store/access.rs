//! The single `admin_access` row: the admin passphrase's argon2 hash and the wrong attempts in a
//! row that lock admin access. Hashing, checking and the lockout rules belong to
//! `crate::access`; this file moves the row and its audit entries in and out atomically.

use rusqlite::{params, OptionalExtension, Transaction};

use super::audit::{append_audit, AuditEntry};
use super::{Store, StoreError};

/// The stored row. `passphrase_hash` is a PHC string (`$argon2id$…`), never the passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAccessRow {
    pub passphrase_hash: String,
    /// Wrong passphrases in a row since the last right one (or the last lockout ended).
    pub failures: u32,
    /// Epoch milliseconds until which admin access is locked; 0 when it never was.
    pub locked_until: i64,
    pub updated_at: i64,
}

/// What one attempt leaves behind: the new counters and the entry that records it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub failures: u32,
    pub locked_until: i64,
    pub audit: AuditEntry,
}

fn read_row(conn: &rusqlite::Connection) -> rusqlite::Result<Option<AdminAccessRow>> {
    conn.query_row(
        "SELECT passphrase_hash, failures, locked_until, updated_at FROM admin_access \
         WHERE id = 1",
        [],
        |row| {
            Ok(AdminAccessRow {
                passphrase_hash: row.get(0)?,
                failures: row.get(1)?,
                locked_until: row.get(2)?,
                updated_at: row.get(3)?,
            })
        },
    )
    .optional()
}

fn write_counters(
    tx: &Transaction<'_>,
    failures: u32,
    locked_until: i64,
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE admin_access SET failures = ?1, locked_until = ?2, updated_at = ?3 WHERE id = 1",
        params![failures, locked_until, now],
    )?;
    Ok(())
}

impl Store {
    pub fn admin_access_row(&self) -> Result<Option<AdminAccessRow>, StoreError> {
        self.read(read_row)
    }

    /// Stores a new passphrase hash with its audit entry; the attempt counters start again.
    /// Writes nothing and returns false when the hash in force is no longer `expected` (`None`:
    /// none set), so two windows setting the first passphrase at once cannot both win.
    pub fn put_admin_passphrase(
        &self,
        hash: &str,
        expected: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let current = read_row(tx).map_err(|e| self.err(e))?;
            if current.as_ref().map(|row| row.passphrase_hash.as_str()) != expected {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO admin_access (id, passphrase_hash, failures, locked_until, \
                 updated_at) VALUES (1, ?1, 0, 0, ?2) \
                 ON CONFLICT (id) DO UPDATE SET passphrase_hash = excluded.passphrase_hash, \
                 failures = 0, locked_until = 0, updated_at = excluded.updated_at",
                params![hash, audit.at],
            )
            .and_then(|_| append_audit(tx, audit))
            .map_err(|e| self.err(e))?;
            Ok(true)
        })
    }

    /// Reads the row and applies what `decide` makes of it (counters and audit entry) in one
    /// write transaction, so windows or processes trying at the same time cannot win extra
    /// tries. `None` (and nothing written) when no passphrase is set.
    pub fn record_admin_attempt<T>(
        &self,
        decide: impl FnOnce(&AdminAccessRow) -> (AttemptRecord, T),
    ) -> Result<Option<T>, StoreError> {
        self.write(|tx| {
            let Some(row) = read_row(tx).map_err(|e| self.err(e))? else {
                return Ok(None);
            };
            let (record, value) = decide(&row);
            write_counters(tx, record.failures, record.locked_until, record.audit.at)
                .and_then(|()| append_audit(tx, &record.audit).map(|_| ()))
                .map_err(|e| self.err(e))?;
            Ok(Some(value))
        })
    }
}
