//! `doctor`: the health of an installation at a glance, for support calls and the CLI.

use serde::Serialize;

use crate::error::Result;
use crate::paths::APP_IDENTIFIER;
use crate::store::{Store, LATEST_VERSION};

#[derive(Debug, Clone, Serialize)]
pub struct KeyringStatus {
    pub available: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountSummary {
    pub account_sid: String,
    pub sender: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub db_path: String,
    pub schema_version: i64,
    pub supported_schema_version: i64,
    pub keyring: KeyringStatus,
    pub account: Option<AccountSummary>,
}

/// Asks the OS keyring for an entry that never exists: "no entry" proves the keyring answers.
pub fn probe_keyring() -> KeyringStatus {
    let outcome =
        keyring::Entry::new(APP_IDENTIFIER, "doctor-probe").and_then(|e| e.get_password());
    match outcome {
        Ok(_) | Err(keyring::Error::NoEntry) => KeyringStatus {
            available: true,
            detail: "OS keyring reachable".to_string(),
        },
        Err(err) => KeyringStatus {
            available: false,
            detail: format!(
                "no usable OS keyring ({err}); Twilio secrets will need the key-file fallback"
            ),
        },
    }
}

pub fn run(store: &Store) -> Result<DoctorReport> {
    Ok(DoctorReport {
        db_path: store.path().display().to_string(),
        schema_version: store.schema_version()?,
        supported_schema_version: LATEST_VERSION,
        keyring: probe_keyring(),
        account: store
            .configured_account()?
            .map(|(account_sid, sender)| AccountSummary {
                account_sid,
                sender,
            }),
    })
}
