//! Wiring one workstation from its database: saved credentials → Twilio client → outbox, poller
//! and engine. The desktop app and the CLI both start here, so they behave the same.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::clock::{Clock, SystemClock};
use crate::credentials::{self, KeyPolicy, KeyStore};
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::outbox::{Outbox, OutboxConfig, Sender};
use crate::settings;
use crate::store::Store;
use crate::sync::{Engine, EngineConfig, PollConfig, Poller};
use crate::twilio::TwilioClient;

/// The key store for the database at `store.path()`: the OS keyring, else the documented key
/// file next to the database (`CLINIC_DESK_KEY_STORE` overrides; see `crypto::keystore`).
pub fn key_store_for(store: &Store) -> Result<KeyStore> {
    let key_file = KeyPolicy::default_key_file(store.path());
    let policy = KeyPolicy::KeyringOrFile {
        path: key_file.clone(),
    }
    .with_env_override(&key_file)
    .map_err(credentials::CredentialsError::from)?;
    Ok(KeyStore::new(policy).map_err(credentials::CredentialsError::from)?)
}

/// A workstation connected to its Twilio account.
pub struct Live {
    pub sender: Sender,
    pub engine: Engine,
    pub clinic_number: Option<String>,
}

/// Builds the engine from the saved credentials; `NotConfigured` when there are none.
pub fn connect(
    store: &Store,
    keys: &KeyStore,
    events: broadcast::Sender<CoreEvent>,
) -> Result<Live> {
    let creds = credentials::load(store, keys)?.ok_or(Error::NotConfigured)?;
    let client = TwilioClient::new(creds.client_config())?;
    let sender = Sender {
        from: creds.from_number.clone(),
        messaging_service_sid: creds.messaging_service_sid.clone(),
    };
    let outbox = OutboxConfig {
        ambiguous_grace: settings::outbox_ambiguous_grace(store)?,
        ..OutboxConfig::default()
    };
    let engine = assemble(
        store,
        client,
        sender.clone(),
        creds.from_number.clone(),
        outbox,
        events,
    );
    Ok(Live {
        sender,
        engine,
        clinic_number: creds.from_number,
    })
}

/// The engine's parts for one client and sender, on the system clock.
pub fn assemble(
    store: &Store,
    client: TwilioClient,
    sender: Sender,
    clinic_number: Option<String>,
    outbox: OutboxConfig,
    events: broadcast::Sender<CoreEvent>,
) -> Engine {
    assemble_with_clock(
        store,
        client,
        sender,
        clinic_number,
        outbox,
        events,
        Arc::new(SystemClock),
    )
}

/// `assemble` with a chosen clock (tests move time through quiet hours without waiting).
pub fn assemble_with_clock(
    store: &Store,
    client: TwilioClient,
    sender: Sender,
    clinic_number: Option<String>,
    outbox: OutboxConfig,
    events: broadcast::Sender<CoreEvent>,
    clock: Arc<dyn Clock>,
) -> Engine {
    Engine::new(
        store.clone(),
        Outbox::new(store.clone(), client.clone(), sender, outbox, clock.clone()),
        Poller::new(
            store.clone(),
            client,
            clinic_number,
            PollConfig::default(),
            clock.clone(),
        ),
        EngineConfig::default(),
        clock,
        events,
    )
}
