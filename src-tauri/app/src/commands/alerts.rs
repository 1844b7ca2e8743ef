//! Desktop notifications of new replies (see `reply_alert`).

use tauri::AppHandle;

use crate::error::{CommandError, CommandResult};
use crate::reply_alert::{self, ReplyAlert, ReplyAlertError};

impl From<ReplyAlertError> for CommandError {
    fn from(err: ReplyAlertError) -> Self {
        CommandError::internal(err.to_string())
    }
}

/// Shows a reply notification; clicking it opens `phone`'s chat where the desktop reports
/// clicks (Linux). Fails when the desktop has no notification service.
#[tauri::command]
pub async fn show_reply_alert(
    app: AppHandle,
    phone: String,
    title: String,
    body: String,
) -> CommandResult<()> {
    reply_alert::show(&app, ReplyAlert { phone, title, body }).await?;
    Ok(())
}
