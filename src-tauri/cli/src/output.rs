//! Printing results: JSON for scripts (`--json`), plain lines for people. Errors are always one
//! line on stderr; with `--json` that line is `{"code", "message"}`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use clinic_desk_core::{Error, ErrorCode, IpcError};

pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints `value` as JSON, or `text` for a person.
    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(json) => println!("{json}"),
                Err(err) => self.error_message(&format!("cannot format the result: {err}")),
            }
        } else {
            println!("{}", text());
        }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    pub fn error(&self, err: &Error) {
        self.print_error(err.to_ipc());
    }

    pub fn error_message(&self, message: &str) {
        self.print_error(IpcError {
            code: ErrorCode::InvalidInput,
            message: message.to_string(),
        });
    }

    fn print_error(&self, err: IpcError) {
        if self.json {
            let line = serde_json::to_string(&err)
                .unwrap_or_else(|_| format!("{{\"message\":{:?}}}", err.message));
            eprintln!("{line}");
        } else {
            eprintln!("error: {}", err.message);
        }
    }
}

/// Epoch milliseconds as RFC 3339 UTC, the form every `at` field of the JSON output takes.
pub fn timestamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
