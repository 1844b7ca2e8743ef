//! The commands the webview may call. Each one runs its store work on the blocking pool so the
//! UI thread never waits on SQLite.

use clinic_desk_core::patients::{self, NewPatient};
use clinic_desk_core::store::patients::Patient;
use clinic_desk_core::store::threads::ThreadSummary;
use clinic_desk_core::Store;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::{AppMode, AppState};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    pub db_path: String,
    pub schema_version: i64,
    pub mode: AppMode,
}

/// Runs store work off the UI thread.
async fn blocking<T: Send + 'static>(
    store: &Store,
    work: impl FnOnce(&Store) -> Result<T, clinic_desk_core::Error> + Send + 'static,
) -> CommandResult<T> {
    let store = store.clone();
    tauri::async_runtime::spawn_blocking(move || work(&store))
        .await
        .map_err(|_| CommandError::internal("the request stopped unexpectedly; try again"))?
        .map_err(CommandError::from)
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    let mode = state.mode()?;
    let version = env!("CARGO_PKG_VERSION").to_string();
    blocking(&state.store, move |store| {
        Ok(AppStatus {
            version,
            db_path: store.path().display().to_string(),
            schema_version: store.schema_version()?,
            mode,
        })
    })
    .await
}

#[tauri::command]
pub async fn list_patients(state: State<'_, AppState>) -> CommandResult<Vec<Patient>> {
    blocking(&state.store, patients::list_patients).await
}

#[tauri::command]
pub async fn add_patient(state: State<'_, AppState>, input: NewPatient) -> CommandResult<Patient> {
    blocking(&state.store, move |store| patients::add_patient(store, &input)).await
}

#[tauri::command]
pub async fn list_threads(state: State<'_, AppState>) -> CommandResult<Vec<ThreadSummary>> {
    blocking(&state.store, |store| Ok(store.list_threads()?)).await
}
