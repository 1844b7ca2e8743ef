//! Store errors, each one telling a person what happened to their data and what to do.

use std::path::PathBuf;

/// Which rule of the schema a write broke. The UI and CLI branch on it (a duplicate phone
/// number is a different conversation with the user than a missing patient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    ForeignKey,
    Check,
    NotNull,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {path} is locked by another program; close other Clinic Desk windows or \
         CLI commands using it and try again"
    )]
    Locked { path: PathBuf },

    #[error(
        "the database {path} was written by a newer Clinic Desk (schema version {found}, this \
         version understands up to {supported}); update Clinic Desk to open it"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error(
        "{path} is not a Clinic Desk database or is damaged ({detail}); restore it from a backup \
         or choose another file"
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error("cannot open the database {path}: {detail}")]
    Open { path: PathBuf, detail: String },

    #[error("{message}")]
    Constraint {
        kind: ConstraintKind,
        message: String,
    },

    #[error("{what} not found")]
    NotFound { what: String },

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),

    #[error("database migration failed: {0}")]
    Migration(String),
}

impl StoreError {
    /// Maps a rusqlite error into the variant a caller can act on. `path` names the file in
    /// messages about the file as a whole.
    pub(crate) fn from_sqlite(err: rusqlite::Error, path: &std::path::Path) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        if let rusqlite::Error::SqliteFailure(failure, ref msg) = err {
            let message = msg.clone().unwrap_or_else(|| failure.to_string());
            match failure.code {
                C::DatabaseBusy | C::DatabaseLocked => {
                    return StoreError::Locked {
                        path: path.to_path_buf(),
                    }
                }
                C::DatabaseCorrupt | C::NotADatabase => {
                    return StoreError::Corrupt {
                        path: path.to_path_buf(),
                        detail: message,
                    }
                }
                C::ConstraintViolation => {
                    let kind = match failure.extended_code {
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => ConstraintKind::Unique,
                        rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ConstraintKind::ForeignKey,
                        rusqlite::ffi::SQLITE_CONSTRAINT_CHECK => ConstraintKind::Check,
                        rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL => ConstraintKind::NotNull,
                        _ => ConstraintKind::Other,
                    };
                    return StoreError::Constraint { kind, message };
                }
                C::CannotOpen | C::ReadOnly | C::PermissionDenied | C::SystemIoFailure => {
                    return StoreError::Open {
                        path: path.to_path_buf(),
                        detail: message,
                    }
                }
                _ => {}
            }
        }
        StoreError::Sqlite(err)
    }
}
