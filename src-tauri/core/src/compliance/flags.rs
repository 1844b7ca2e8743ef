//! Staff closing what the engine flagged for them. Confirming a plain-words opt-out records it
//! with the patient's message as evidence and the staff member's name.

use crate::error::Result;
use crate::store::flags::FlagResolution;
use crate::store::Store;

/// Resolves a flag; returns the patient's number.
pub fn resolve(store: &Store, id: i64, resolution: FlagResolution, actor: &str) -> Result<String> {
    Ok(store.resolve_flag(id, resolution, actor)?)
}
