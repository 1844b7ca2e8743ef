//! What the app holds for its lifetime: the store handle, the key store, and the running sync
//! engine when a Twilio account is configured.

use std::path::PathBuf;
use std::sync::Mutex;

use clinic_desk_core::credentials::KeyStore;
use clinic_desk_core::outbox::Sender;
use clinic_desk_core::sync::{EngineHandle, SyncCommand};
use clinic_desk_core::{paths, workstation, Store};
use serde::Serialize;
use ts_rs::TS;

/// Whether texts go to a real Twilio account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AppMode {
    /// Against the bundled simulator with a sample clinic; no real texts are sent.
    Demo,
    /// Against the clinic's Twilio account.
    Live,
    /// No Twilio account yet.
    Unconfigured,
}

/// The sync engine and the sender it sends as, while connected.
pub struct Connection {
    pub engine: EngineHandle,
    pub sender: Sender,
}

pub struct AppState {
    pub store: Store,
    /// The clinic's own database, which holds the admin passphrase and its attempts. In demo
    /// mode `store` is the throwaway demo file, but the passphrase chosen there must survive the
    /// restart and carry over when the clinic leaves demo mode.
    pub clinic: Store,
    pub keys: KeyStore,
    pub connection: Mutex<Option<Connection>>,
    /// The running demo (simulator and responder), when in demo mode.
    demo: Option<crate::demo::Demo>,
    pub admin: crate::admin_session::AdminSessions,
}

/// Setting on the live database: `off` once an admin has left demo mode, so the app opens the
/// clinic's own (possibly empty) database from then on.
pub const DEMO_SETTING: &str = "app.demo";
pub const DEMO_DECLINED: &str = "off";

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot find a per-user data folder; set CLINIC_DESK_DB to the database path")]
    NoDataDir,
    #[error(transparent)]
    Core(#[from] clinic_desk_core::Error),
    #[error(transparent)]
    Store(#[from] clinic_desk_core::store::StoreError),
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),
}

impl AppState {
    /// Opens the clinic's database: `CLINIC_DESK_DB` when set (tests, support), else the
    /// per-user default the CLI also uses. With no Twilio account saved there (and
    /// `CLINIC_DESK_DEMO` not `0`), the app starts in demo mode on its own database instead.
    pub fn open() -> Result<Self, StartupError> {
        let explicit = std::env::var_os("CLINIC_DESK_DB").map(PathBuf::from);
        let path = explicit
            .clone()
            .or_else(paths::default_live_db)
            .ok_or(StartupError::NoDataDir)?;
        let store = Store::open(&path)?;
        let keys = workstation::key_store_for(&store)?;
        let demo_allowed = std::env::var("CLINIC_DESK_DEMO").map_or(true, |v| v.trim() != "0");
        let demo_declined = store.setting(DEMO_SETTING)?.as_deref() == Some(DEMO_DECLINED);
        if explicit.is_none()
            && demo_allowed
            && !demo_declined
            && store.configured_account()?.is_none()
        {
            let data_dir = path
                .parent()
                .map(PathBuf::from)
                .ok_or(StartupError::NoDataDir)?;
            let (demo_store, keys, demo) = crate::demo::start(&data_dir)?;
            return Ok(Self {
                store: demo_store,
                clinic: store,
                keys,
                connection: Mutex::new(None),
                demo: Some(demo),
                admin: Default::default(),
            });
        }
        Ok(Self {
            clinic: store.clone(),
            store,
            keys,
            connection: Mutex::new(None),
            demo: None,
            admin: Default::default(),
        })
    }

    pub fn mode(&self) -> AppMode {
        if self.demo.is_some() {
            AppMode::Demo
        } else if self.connected() {
            AppMode::Live
        } else {
            AppMode::Unconfigured
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Connection>> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn connected(&self) -> bool {
        self.lock().is_some()
    }

    pub fn set_connection(&self, connection: Connection) {
        *self.lock() = Some(connection);
    }

    /// The sender, while connected.
    pub fn sender(&self) -> Option<Sender> {
        self.lock().as_ref().map(|c| c.sender.clone())
    }

    /// Nudges the engine without waiting (a full channel means a cycle is coming anyway).
    pub fn nudge(&self, command: SyncCommand) {
        if let Some(connection) = self.lock().as_ref() {
            connection.engine.try_send(command);
        }
    }
}
