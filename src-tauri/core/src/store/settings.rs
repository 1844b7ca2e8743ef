//! Raw key/value settings. Which keys exist and what values they accept is decided by the
//! settings catalogue of the core, not here.

use rusqlite::{params, OptionalExtension};

use super::{now_ms, Store, StoreError};

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at",
                params![key, value, now_ms()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// The configured Twilio account and sender, without any secret: what `doctor` and the
    /// status bar show.
    pub fn configured_account(&self) -> Result<Option<(String, String)>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT account_sid, COALESCE(from_number, messaging_service_sid) \
                 FROM credentials WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })
    }
}
