//! Where Clinic Desk keeps its files. The desktop app and the CLI resolve the same default
//! database, so both read the one source of truth without being told where it is.

use std::path::PathBuf;

/// The app identifier (also Tauri's): names the per-user data folder.
pub const APP_IDENTIFIER: &str = "com.clinicdesk.desktop";

/// The clinic's live database file name.
pub const LIVE_DB_FILE: &str = "clinic-desk.sqlite3";
/// Demo data lives in its own file so it can never mix with a clinic's real records.
pub const DEMO_DB_FILE: &str = "clinic-desk-demo.sqlite3";

/// The per-user data folder, e.g. `~/.local/share/com.clinicdesk.desktop` on Linux.
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER))
}

pub fn default_live_db() -> Option<PathBuf> {
    data_dir().map(|dir| dir.join(LIVE_DB_FILE))
}
