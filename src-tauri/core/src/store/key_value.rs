//! The two key/value tables (settings, poller cursors) share one way of reading and writing.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now_ms, Store, StoreError};

#[derive(Clone, Copy)]
pub(super) enum Table {
    Settings,
    SyncCursors,
}

impl Table {
    fn select(self) -> &'static str {
        match self {
            Table::Settings => "SELECT value FROM settings WHERE key = ?1",
            Table::SyncCursors => "SELECT value FROM sync_cursors WHERE name = ?1",
        }
    }

    fn upsert(self) -> &'static str {
        match self {
            Table::Settings => {
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at"
            }
            Table::SyncCursors => {
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at"
            }
        }
    }
}

impl Store {
    pub(super) fn get_value(&self, table: Table, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(table.select())?
                .query_row([key], |row| row.get(0))
                .optional()
        })
    }

    pub(super) fn put_value(&self, table: Table, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| put_value_in(tx, table, key, value).map_err(|e| self.err(e)))
    }
}

/// `put_value` inside the caller's transaction.
pub(super) fn put_value_in(
    tx: &Transaction<'_>,
    table: Table,
    key: &str,
    value: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(table.upsert())?
        .execute(params![key, value, now_ms()])?;
    Ok(())
}
