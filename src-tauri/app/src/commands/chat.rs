//! The chat's actions on one text: sending a failed text again.

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging;
use clinic_desk_core::store::messages::ThreadMessage;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::{Error, Store};
use tauri::State;

use super::{blocking, ACTOR};
use crate::error::CommandResult;
use crate::state::AppState;

/// Queues a new copy of a failed text (once, however often it is clicked) and wakes the engine
/// to send it. Refused with the reason when sending again cannot help.
#[tauri::command]
pub async fn retry_text(
    state: State<'_, AppState>,
    message_id: i64,
) -> CommandResult<ThreadMessage> {
    let sender = state.sender().ok_or(Error::NotConfigured)?;
    let copy = blocking(&state.store, move |store| {
        let queued = messaging::retry_failed(store, &sender, &SystemClock, message_id, ACTOR)?;
        bubble_of(store, &queued.item.to, queued.item.message_id)
    })
    .await?;
    state.nudge(SyncCommand::SyncNow);
    Ok(copy)
}

fn bubble_of(store: &Store, phone: &str, message_id: i64) -> Result<ThreadMessage, Error> {
    store
        .thread_messages(phone)?
        .into_iter()
        .find(|m| m.id == message_id)
        .ok_or_else(|| Error::invalid("messageId", "the text was queued but cannot be shown"))
}
