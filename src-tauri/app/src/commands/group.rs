//! The group message screen: preview who a text would reach, then queue it for each of them.
//!
//! The texts are ordinary outbox texts, so they appear in each patient's thread and their
//! statuses arrive like any other; the engine is woken after queueing so they start now.

use clinic_desk_core::bulk::{self, GroupPreview, GroupReport, GroupSelection};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::events::CoreEvent;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::Error;
use serde::Deserialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use super::{blocking, ACTOR};
use crate::error::CommandResult;
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupPreviewInput {
    pub selection: GroupSelection,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupSendInput {
    /// Chosen by the screen when the message is written; sending it again queues nothing twice.
    pub group_id: String,
    pub selection: GroupSelection,
    pub body: String,
}

#[tauri::command]
pub async fn preview_group_message(
    state: State<'_, AppState>,
    input: GroupPreviewInput,
) -> CommandResult<GroupPreview> {
    blocking(&state.store, move |store| {
        bulk::preview_group(store, &SystemClock, &input.selection, &input.body)
    })
    .await
}

#[tauri::command]
pub async fn send_group_message(
    app: AppHandle,
    state: State<'_, AppState>,
    input: GroupSendInput,
) -> CommandResult<GroupReport> {
    let sender = state.sender().ok_or(Error::NotConfigured)?;
    let report = blocking(&state.store, move |store| {
        bulk::send_group(
            store,
            &sender,
            &SystemClock,
            &input.group_id,
            &input.selection,
            &input.body,
            ACTOR,
        )
    })
    .await?;
    state.nudge(SyncCommand::SyncNow);
    let phones: Vec<String> = report.queued.iter().map(|q| q.phone.clone()).collect();
    if !phones.is_empty() {
        let _ = app.emit(crate::CORE_EVENT, &CoreEvent::ThreadsChanged { phones });
    }
    Ok(report)
}
