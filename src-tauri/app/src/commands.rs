//! The commands the webview may call. Each one runs its store work on the blocking pool so the
//! UI thread never waits on SQLite.

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::{self, TextRequest};
use clinic_desk_core::patients::{self, NewPatient};
use clinic_desk_core::store::messages::ThreadMessage;
use clinic_desk_core::store::outbox::OutboxKind;
use clinic_desk_core::store::patients::Patient;
use clinic_desk_core::store::threads::ThreadSummary;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::{Error, Store};
use serde::{Deserialize, Serialize};
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
    let mode = state.mode();
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
    blocking(&state.store, move |store| {
        patients::add_patient(store, &input)
    })
    .await
}

#[tauri::command]
pub async fn list_threads(state: State<'_, AppState>) -> CommandResult<Vec<ThreadSummary>> {
    blocking(&state.store, |store| Ok(store.list_threads()?)).await
}

#[tauri::command]
pub async fn thread_messages(
    state: State<'_, AppState>,
    phone: String,
) -> CommandResult<Vec<ThreadMessage>> {
    blocking(
        &state.store,
        move |store| Ok(store.thread_messages(&phone)?),
    )
    .await
}

#[tauri::command]
pub async fn mark_thread_read(state: State<'_, AppState>, phone: String) -> CommandResult<()> {
    blocking(&state.store, move |store| {
        Ok(store.mark_thread_read(&phone)?)
    })
    .await
}

/// A text typed in the chat composer.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendTextInput {
    pub to: String,
    pub body: String,
    /// Staff's reason for sending outside the sending window (after a `QuietHours` refusal).
    #[ts(optional)]
    pub override_reason: Option<String>,
}

/// Queues the text (stored before any network call) and wakes the engine to send it.
#[tauri::command]
pub async fn send_text(
    state: State<'_, AppState>,
    input: SendTextInput,
) -> CommandResult<ThreadMessage> {
    let sender = state.sender().ok_or(Error::NotConfigured)?;
    let message = blocking(&state.store, move |store| {
        let mut request =
            TextRequest::new(&input.to, &input.body, OutboxKind::Manual, "front desk");
        if let Some(reason) = input.override_reason.clone() {
            request = request.overriding_quiet_hours(reason);
        }
        let item = messaging::queue_text(store, &sender, &SystemClock, &request)?;
        store
            .thread_messages(&item.to)?
            .into_iter()
            .find(|m| m.id == item.message_id)
            .ok_or_else(|| Error::invalid("body", "the text was stored but cannot be shown"))
    })
    .await?;
    state.nudge(SyncCommand::SyncNow);
    Ok(message)
}

/// The UI tells the engine a chat is open so replies are polled fast.
#[tauri::command]
pub async fn set_chat_open(state: State<'_, AppState>, open: bool) -> CommandResult<()> {
    state.nudge(SyncCommand::ChatOpen(open));
    Ok(())
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    state.nudge(SyncCommand::SyncNow);
    Ok(())
}
