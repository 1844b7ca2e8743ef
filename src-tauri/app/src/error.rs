//! Errors as the webview receives them: `{code, message}`, nothing else.

use clinic_desk_core::{ErrorCode, IpcError};
use serde::Serialize;

#[derive(Debug)]
pub struct CommandError(IpcError);

impl From<clinic_desk_core::Error> for CommandError {
    fn from(err: clinic_desk_core::Error) -> Self {
        CommandError(err.to_ipc())
    }
}

impl CommandError {
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError(IpcError {
            code: ErrorCode::Internal,
            message: message.into(),
        })
    }
}

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
