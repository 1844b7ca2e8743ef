//! The Messaging API's Service resource (`GET /v1/Services/{Sid}`), which Save & Test reads to
//! prove a Messaging Service SID belongs to the account.
//!
//! In production it lives on messaging.twilio.com rather than api.twilio.com; the simulator
//! serves both APIs on one address. The account comes from the credentials, not the path, so an
//! auth token or any API key of the account may read its services; another account's (or an
//! unknown) service is a 404 with code 20404, as with Twilio.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::Response;

use crate::auth::authenticate;
use crate::error::TwilioError;
use crate::json;
use crate::respond::json as json_response;
use crate::state::Sim;

pub async fn fetch(
    State(sim): State<Arc<Sim>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, TwilioError> {
    authenticate(&sim.config, &headers, &sim.config.account_sid)?;
    let service = sim
        .config
        .messaging_service(&sid)
        .ok_or_else(|| TwilioError::not_found(uri.path()))?;
    let base_url = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map_or_else(
            || "https://messaging.twilio.com".to_string(),
            |host| format!("http://{host}"),
        );
    Ok(json_response(
        StatusCode::OK,
        &json::messaging_service(&sim.config, service, &base_url, sim.started_at),
    ))
}
