//! Clinic Desk core: everything the product does, with no Tauri dependency, so the desktop app,
//! the CLI and the Twilio simulator share one implementation and it tests fast.
//!
//! Where a text goes: `composer` checks it, `store` keeps it, the outbox sends it, the sync loop
//! polls its replies and statuses back.

pub mod access;
pub mod appointments;
pub mod bindings;
pub mod bulk;
pub mod clock;
pub mod compliance;
pub mod composer;
pub mod credentials;
pub mod crypto;
pub mod dashboard;
pub mod doctor;
pub mod error;
pub mod events;
pub mod ingest;
pub mod messaging;
pub mod outbox;
pub mod paths;
pub mod patients;
pub mod settings;
pub mod setup_check;
pub mod store;
pub mod sync;
pub mod templates;
pub mod twilio;
pub mod workstation;

pub use error::{Error, ErrorCode, IpcError, Result};
pub use store::Store;
