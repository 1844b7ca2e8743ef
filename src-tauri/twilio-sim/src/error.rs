//! Errors: the Twilio-shaped API errors clients must see byte for byte, and the crate's own errors
//! (configuration, binding, control-API misuse).
//!
//! Twilio errors carry Twilio's numeric code and HTTP status; their JSON body is what Twilio's client
//! libraries parse into exceptions, so its shape is fixed: `code, message, more_info, status`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered on the Twilio API (under /2010-04-01) in Twilio's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Twilio error {code} (HTTP {status}): {message}")]
pub struct TwilioError {
    pub status: u16,
    pub code: u32,
    pub message: String,
}

#[derive(Serialize)]
struct TwilioErrorBody<'a> {
    code: u32,
    message: &'a str,
    more_info: String,
    status: u16,
}

impl TwilioError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn authenticate() -> Self {
        Self::new(401, 20003, "Authenticate")
    }

    /// A suspended or closed account may still read, but every send is refused. Twilio documents
    /// the code, not the HTTP status; 401 makes clients stop sending, as they must.
    pub fn account_not_active() -> Self {
        Self::new(401, 20005, "Account not active")
    }

    pub fn not_found(path: &str) -> Self {
        Self::new(
            404,
            20404,
            format!("The requested resource {path} was not found"),
        )
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(405, 20004, format!("Method {method} not allowed on {path}"))
    }

    pub fn invalid_paging(message: impl Into<String>) -> Self {
        Self::new(400, 20001, message)
    }

    pub fn too_many_requests() -> Self {
        Self::new(429, 20429, "Too Many Requests")
    }

    pub fn internal() -> Self {
        Self::new(500, 20500, "Internal Server Error")
    }

    pub fn body(&self) -> String {
        let body = TwilioErrorBody {
            code: self.code,
            message: &self.message,
            more_info: format!("https://www.twilio.com/docs/errors/{}", self.code),
            status: self.status,
        };
        // Serializing a struct of strings and integers cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }
}

impl IntoResponse for TwilioError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            self.body(),
        )
            .into_response();
        if self.status == 401 {
            // Twilio challenges like any Basic-auth server; some HTTP clients only send
            // credentials after seeing this header.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        response
    }
}

/// The crate's own errors: starting the simulator and using its control API.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("invalid control request: {0}")]
    BadControlRequest(String),
    #[error("background task did not finish: {0}")]
    TaskFailed(String),
}

#[derive(Serialize)]
struct ControlErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = match self {
            SimError::BadControlRequest(_) | SimError::Config(_) => StatusCode::BAD_REQUEST,
            SimError::Bind { .. } | SimError::TaskFailed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let text = self.to_string();
        (status, axum::Json(ControlErrorBody { error: &text })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_twilio_shape() {
        let body: serde_json::Value =
            serde_json::from_str(&TwilioError::new(400, 21211, "bad").body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": 21211, "message": "bad",
                "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})
        );
    }
}
