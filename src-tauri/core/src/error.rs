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
    /// The saved Twilio credentials cannot be used (key lost, envelope damaged): re-enter them.
    CredentialsMissing,
    /// No usable place for the encryption key (no OS keyring, unsafe key file).
    KeyringUnavailable,
    OptedOut,
    /// Outside the sending window: a manual text needs an explicit override with a reason.
    QuietHours,
    NotConfigured,
    TwilioAuth,
    RateLimited,
    Offline,
    Twilio,
    NotFound,
    Conflict,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseCorrupt,
    Storage,
    Internal,
    /// The action needs the admin passphrase (not given, wrong, or none set yet).
    AdminRequired,
    /// Too many wrong admin passphrases in a row: wait, then try again.
    LockedOut,
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

    #[error(transparent)]
    Twilio(#[from] crate::twilio::TwilioError),

    #[error("{phone} has opted out of texts (replied STOP); they must text START to the clinic number before they can be texted again")]
    OptedOut { phone: String },

    #[error("it is quiet time for {phone} ({local_time} there); texts may go out from {next_allowed}. To send now anyway, give a reason (it is logged)")]
    QuietHours {
        phone: String,
        local_time: String,
        next_allowed: String,
    },

    /// Sending a failed text again would fail the same way (or it did not fail).
    #[error("this text cannot be sent again: {reason}")]
    NotRetryable {
        reason: crate::store::retry::RetryRefusal,
    },

    #[error("Twilio is not set up yet; an admin can add the account in Settings (or run `clinic-desk-cli credentials set`)")]
    NotConfigured,

    /// Converted by the `From<CredentialsError>` impl in `credentials`, which sends database
    /// failures to `Error::Store` so they keep their codes.
    #[error(transparent)]
    Credentials(crate::credentials::CredentialsError),

    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },

    /// A gated action was tried without an unlocked admin session.
    #[error("only an admin can do this; enter the admin passphrase first")]
    AdminRequired,

    #[error("no admin passphrase is set yet; an admin must set one first (Settings, or `clinic-desk-cli admin set-passphrase`)")]
    PassphraseNotSet,

    #[error("{}", crate::access::wrong_passphrase_message(*attempts_left))]
    WrongPassphrase { attempts_left: u32 },

    #[error("the admin passphrase could not be checked or stored ({detail}); try again, and report it if it keeps happening")]
    PassphraseHash { detail: String },

    /// Lasts across restarts; `retry_after_ms` is how long is left.
    #[error("too many wrong admin passphrases in a row: admin access is locked; try again in {}", crate::access::describe_wait(*retry_after_ms))]
    LockedOut { retry_after_ms: i64 },
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
            Error::OptedOut { .. } => ErrorCode::OptedOut,
            Error::QuietHours { .. } => ErrorCode::QuietHours,
            Error::NotConfigured => ErrorCode::NotConfigured,
            Error::NotRetryable { .. } => ErrorCode::InvalidInput,
            Error::Twilio(twilio) => match twilio {
                crate::twilio::TwilioError::Auth => ErrorCode::TwilioAuth,
                crate::twilio::TwilioError::RateLimited { .. } => ErrorCode::RateLimited,
                crate::twilio::TwilioError::Offline { .. }
                | crate::twilio::TwilioError::NoResponse { .. } => ErrorCode::Offline,
                crate::twilio::TwilioError::OptedOut => ErrorCode::OptedOut,
                crate::twilio::TwilioError::InvalidNumber
                | crate::twilio::TwilioError::NotMobile => ErrorCode::InvalidNumber,
                _ => ErrorCode::Twilio,
            },
            Error::Credentials(creds) => {
                use crate::credentials::CredentialsError as C;
                match creds {
                    C::Invalid { .. } => ErrorCode::InvalidInput,
                    C::KeyMissing { .. } | C::Tampered | C::UnsupportedVersion { .. } => {
                        ErrorCode::CredentialsMissing
                    }
                    C::KeyStore(_) => ErrorCode::KeyringUnavailable,
                    C::Store(_) => ErrorCode::Storage,
                }
            }
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::AdminRequired | Error::PassphraseNotSet | Error::WrongPassphrase { .. } => {
                ErrorCode::AdminRequired
            }
            Error::LockedOut { .. } => ErrorCode::LockedOut,
            Error::PassphraseHash { .. } => ErrorCode::Internal,
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
