//! Clinic Desk core: everything the product does, with no Tauri dependency, so the desktop app,
//! the CLI and the Twilio simulator share one implementation and it tests fast.
//!
//! Where a text goes: `composer` checks it, `store` keeps it, the outbox sends it, the sync loop
//! polls its replies and statuses back.

pub mod bindings;
pub mod composer;
pub mod doctor;
pub mod error;
pub mod paths;
pub mod patients;
pub mod settings;
pub mod store;
pub mod twilio;

pub use error::{Error, ErrorCode, IpcError, Result};
pub use store::Store;
