//! Raw key/value settings. Which keys exist and what values they accept is decided by the
//! settings catalogue of the core, not here.

use rusqlite::OptionalExtension;

use super::audit::{append_audit, AuditEntry};
use super::key_value::{put_value_in, Table};
use super::{Store, StoreError};

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.get_value(Table::Settings, key)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.put_value(Table::Settings, key, value)
    }

    /// Stores a setting and the audit entry recording the change, together.
    pub fn set_setting_audited(
        &self,
        key: &str,
        value: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            put_value_in(tx, Table::Settings, key, value)
                .and_then(|()| append_audit(tx, audit))
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
