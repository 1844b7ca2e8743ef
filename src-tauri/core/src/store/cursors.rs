//! Poller positions that survive restarts.

use rusqlite::{params, OptionalExtension};

use super::{now_ms, Store, StoreError};

impl Store {
    pub fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT value FROM sync_cursors WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()
        })
    }

    pub fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at",
                params![name, value, now_ms()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }
}
