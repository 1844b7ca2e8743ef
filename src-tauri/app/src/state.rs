//! What the app holds for its lifetime: the store handle and the mode it runs in.

use std::path::PathBuf;

use clinic_desk_core::{paths, Store};
use serde::Serialize;
use ts_rs::TS;

/// Whether texts go to a real Twilio account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AppMode {
    /// Against the clinic's Twilio account.
    Live,
    /// No Twilio account yet.
    Unconfigured,
}

pub struct AppState {
    pub store: Store,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot find a per-user data folder; set CLINIC_DESK_DB to the database path")]
    NoDataDir,
    #[error(transparent)]
    Store(#[from] clinic_desk_core::store::StoreError),
}

impl AppState {
    /// Opens the clinic's database: `CLINIC_DESK_DB` when set (tests, support), else the
    /// per-user default the CLI also uses.
    pub fn open() -> Result<Self, StartupError> {
        let path = std::env::var_os("CLINIC_DESK_DB")
            .map(PathBuf::from)
            .or_else(paths::default_live_db)
            .ok_or(StartupError::NoDataDir)?;
        Ok(Self {
            store: Store::open(path)?,
        })
    }

    pub fn mode(&self) -> Result<AppMode, clinic_desk_core::Error> {
        Ok(match self.store.configured_account()? {
            Some(_) => AppMode::Live,
            None => AppMode::Unconfigured,
        })
    }
}
