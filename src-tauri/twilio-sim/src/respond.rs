//! Small helpers shared by the Twilio API handlers: JSON responses and path suffixes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::TwilioError;

pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    json_sized(status, value, 0)
}

/// `json` for a body whose size is known roughly (a page of messages): written into a buffer of
/// about that size instead of one that grows by copying itself over and over.
pub fn json_sized(status: StatusCode, value: &impl Serialize, expected_bytes: usize) -> Response {
    let mut bytes = Vec::with_capacity(expected_bytes);
    match serde_json::to_writer(&mut bytes, value) {
        Ok(()) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => TwilioError::internal().into_response(),
    }
}

/// Twilio resources end in `.json`; anything else (XML, CSV) is not served here.
pub fn strip_json<'a>(file: &'a str, full_path: &str) -> Result<&'a str, TwilioError> {
    file.strip_suffix(".json")
        .ok_or_else(|| TwilioError::not_found(full_path))
}
