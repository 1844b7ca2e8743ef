//! Small helpers shared by the Twilio API handlers: JSON responses and path suffixes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::TwilioError;

pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(_) => TwilioError::internal().into_response(),
    }
}

/// A JSON body written by hand (a page of messages, see `json::Envelope::write_json`).
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// Twilio resources end in `.json`; anything else (XML, CSV) is not served here.
pub fn strip_json<'a>(file: &'a str, full_path: &str) -> Result<&'a str, TwilioError> {
    file.strip_suffix(".json")
        .ok_or_else(|| TwilioError::not_found(full_path))
}
