//! The single `credentials` row: the clinic's Twilio account, its sender and the secret as an
//! encrypted envelope. Validation, encryption and decryption belong to `crate::credentials`;
//! this file only moves the row in and out.

use rusqlite::{params, OptionalExtension};

use super::audit::{append_audit, AuditEntry};
use super::{now_ms, Store, StoreError};

/// The stored row. `secret_envelope` is ciphertext (see `crate::crypto`), never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsRow {
    pub account_sid: String,
    pub api_key_sid: Option<String>,
    pub secret_envelope: Vec<u8>,
    pub from_number: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub api_base: String,
    pub updated_at: i64,
}

impl Store {
    pub fn credentials_row(&self) -> Result<Option<CredentialsRow>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT account_sid, api_key_sid, secret_envelope, from_number, \
                 messaging_service_sid, api_base, updated_at FROM credentials WHERE id = 1",
                [],
                |row| {
                    Ok(CredentialsRow {
                        account_sid: row.get(0)?,
                        api_key_sid: row.get(1)?,
                        secret_envelope: row.get(2)?,
                        from_number: row.get(3)?,
                        messaging_service_sid: row.get(4)?,
                        api_base: row.get(5)?,
                        updated_at: row.get(6)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Writes the row, replacing any previous one (`updated_at` is set to now), with its audit
    /// entry. Returns the time written.
    #[allow(clippy::too_many_arguments)]
    pub fn put_credentials_row(
        &self,
        account_sid: &str,
        api_key_sid: Option<&str>,
        secret_envelope: &[u8],
        from_number: Option<&str>,
        messaging_service_sid: Option<&str>,
        api_base: &str,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO credentials (id, account_sid, api_key_sid, secret_envelope, \
                 from_number, messaging_service_sid, api_base, updated_at) \
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (id) DO UPDATE SET account_sid = excluded.account_sid, \
                 api_key_sid = excluded.api_key_sid, secret_envelope = excluded.secret_envelope, \
                 from_number = excluded.from_number, \
                 messaging_service_sid = excluded.messaging_service_sid, \
                 api_base = excluded.api_base, updated_at = excluded.updated_at",
                params![
                    account_sid,
                    api_key_sid,
                    secret_envelope,
                    from_number,
                    messaging_service_sid,
                    api_base,
                    now
                ],
            )
            .and_then(|_| append_audit(tx, audit))
            .map_err(|e| self.err(e))?;
            Ok(now)
        })
    }

    /// Removes the saved credentials (the app falls back to demo mode), recording `audit` when
    /// a row was there. Returns whether one was.
    pub fn delete_credentials_row(&self, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute("DELETE FROM credentials WHERE id = 1", [])
                .map_err(|e| self.err(e))?;
            if n > 0 {
                append_audit(tx, audit).map_err(|e| self.err(e))?;
            }
            Ok(n > 0)
        })
    }
}
