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
