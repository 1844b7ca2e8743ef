//! The dashboard's figures (delivery rate, texts per day, cost per month, failures by code).

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::dashboard::{self, Dashboard};
use tauri::State;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> CommandResult<Dashboard> {
    blocking(&state.store, |store| {
        dashboard::dashboard(store, &SystemClock)
    })
    .await
}
