//! The Settings screen: every documented setting, and saving one (validated by the core).
//!
//! Saving needs an unlocked admin session; reading does not (receptionists see what is in force).

use clinic_desk_core::settings::{self, SettingEntry};
use tauri::State;

use super::blocking;
use super::ACTOR;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_settings(state: State<'_, AppState>) -> CommandResult<Vec<SettingEntry>> {
    blocking(&state.store, settings::list).await
}

/// Saves `value` for `key` (an empty value returns it to its default) and returns the setting as
/// it now stands, so the screen shows the normalised value.
#[tauri::command]
pub async fn set_setting(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> CommandResult<SettingEntry> {
    let sessions = state.admin.clone();
    blocking(&state.store, move |store| {
        save_as_admin(&sessions, store, &key, &value)
    })
    .await
}

/// [`save`] behind the admin gate.
pub fn save_as_admin(
    sessions: &crate::admin_session::AdminSessions,
    store: &clinic_desk_core::Store,
    key: &str,
    value: &str,
) -> clinic_desk_core::Result<SettingEntry> {
    sessions.require()?;
    save(store, key, value)
}

pub fn save(
    store: &clinic_desk_core::Store,
    key: &str,
    value: &str,
) -> clinic_desk_core::Result<SettingEntry> {
    settings::set(store, key, value, ACTOR)?;
    settings::list(store)?
        .into_iter()
        .find(|entry| entry.key == key.trim())
        .ok_or_else(|| {
            clinic_desk_core::Error::invalid("key", format!("\"{key}\" is not a setting"))
        })
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::Store;

    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn saving_returns_the_normalised_entry_and_an_empty_value_resets() {
        let (_dir, store) = store();
        let saved = save(&store, settings::SENDING_WINDOW_START, " 09:30 ").unwrap();
        assert!(!saved.is_default);
        assert_eq!(saved.key, settings::SENDING_WINDOW_START);
        assert_eq!(saved.value, "09:30");
        assert_eq!(
            settings::get(&store, settings::SENDING_WINDOW_START).unwrap(),
            saved.value
        );

        let reset = save(&store, settings::SENDING_WINDOW_START, "").unwrap();
        assert!(reset.is_default);
        assert_eq!(reset.value, reset.default);
    }

    #[test]
    fn saving_needs_an_admin_session() {
        let (_dir, store) = store();
        let sessions = crate::admin_session::AdminSessions::default();
        let err =
            save_as_admin(&sessions, &store, settings::SENDING_WINDOW_START, "09:30").unwrap_err();
        assert_eq!(err.code(), clinic_desk_core::ErrorCode::AdminRequired);
        assert_eq!(
            settings::get(&store, settings::SENDING_WINDOW_START).unwrap(),
            "08:00"
        );

        clinic_desk_core::access::set_passphrase(&store, "a long passphrase", None, "admin")
            .unwrap();
        sessions
            .start(clinic_desk_core::access::verify(&store, "a long passphrase", "admin").unwrap());
        let saved =
            save_as_admin(&sessions, &store, settings::SENDING_WINDOW_START, "09:30").unwrap();
        assert_eq!(saved.value, "09:30");
    }

    #[test]
    fn a_bad_value_is_refused_in_words_and_nothing_changes() {
        let (_dir, store) = store();
        let err = save(&store, settings::SENDING_WINDOW_START, "25:99").unwrap_err();
        assert!(err.to_string().contains("sending_window.start"), "{err}");
        let entry = settings::list(&store)
            .unwrap()
            .into_iter()
            .find(|e| e.key == settings::SENDING_WINDOW_START)
            .unwrap();
        assert!(entry.is_default);
    }
}
