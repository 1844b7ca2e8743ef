//! Clinic settings with their defaults. The full catalogue (validation, documented keys) grows
//! with the features that read it; every reader goes through here so a default lives in one place.

use crate::error::Result;
use crate::store::Store;

pub const CLINIC_REGION: &str = "clinic.region";
pub const DEFAULT_REGION: &str = "US";

/// The region national phone numbers are read in.
pub fn clinic_region(store: &Store) -> Result<String> {
    Ok(store
        .setting(CLINIC_REGION)?
        .unwrap_or_else(|| DEFAULT_REGION.to_string()))
}

pub const OUTBOX_AMBIGUOUS_GRACE: &str = "outbox.ambiguous_grace_seconds";

/// How long a text whose send got no answer must stay absent from Twilio's list before it is
/// sent again (Twilio's list can lag behind creation). Default 180 s.
pub fn outbox_ambiguous_grace(store: &Store) -> Result<std::time::Duration> {
    let seconds = store
        .setting(OUTBOX_AMBIGUOUS_GRACE)?
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(180);
    Ok(std::time::Duration::from_secs(seconds))
}
