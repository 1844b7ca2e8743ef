//! The core's error type, and the small set of codes the UI and scripts branch on.
//!
//! Every error carries a message written for the person at the desk (what happened, what to do);
//! the `ErrorCode` is for code that must react differently (e.g. show the opt-out banner, send
//! the admin to Settings), never for people to decode.

use serde::Serialize;
use ts_rs::TS;

use crate::composer::phone::PhoneError;
use crate::store::{ConstraintKind, StoreError};

/// What kind of failure this is, for the UI and scripts to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub enum ErrorCode {
    InvalidInput,
    InvalidNumber,
    NotFound,
    Conflict,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseCorrupt,
    Storage,
    Internal,
}

/// An error as it crosses a boundary (IPC to the UI, `--json` output of the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    InvalidNumber(#[from] PhoneError),

    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            message: message.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Store(store) => match store {
                StoreError::Locked { .. } => ErrorCode::DatabaseLocked,
                StoreError::TooNew { .. } => ErrorCode::DatabaseTooNew,
                StoreError::Corrupt { .. } => ErrorCode::DatabaseCorrupt,
                StoreError::NotFound { .. } => ErrorCode::NotFound,
                StoreError::Constraint {
                    kind: ConstraintKind::Unique,
                    ..
                } => ErrorCode::Conflict,
                StoreError::Constraint { .. } => ErrorCode::InvalidInput,
                StoreError::Open { .. } | StoreError::Sqlite(_) => ErrorCode::Storage,
                StoreError::Migration(_) => ErrorCode::Internal,
            },
            Error::InvalidNumber(_) => ErrorCode::InvalidNumber,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
        }
    }

    pub fn to_ipc(&self) -> IpcError {
        IpcError {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
