//! Polling sync: how replies and delivery statuses come back without webhooks.

pub mod engine;
pub mod poller;

pub use engine::{CycleReport, Engine, EngineConfig, EngineHandle, SyncCommand};
pub use poller::{BackfillProgress, PassReport, PollConfig, Poller, Slice};
