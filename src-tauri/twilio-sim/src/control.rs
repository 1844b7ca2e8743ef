//! The control API under `/_sim`: how tests, benchmarks and demo mode steer the simulator.
//!
//! Its request and response shapes are a contract with code outside this crate; change them only
//! together with their users. Bodies are parsed by hand so that bad JSON gets a 400 that says what
//! was wrong instead of axum's generic rejection.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::clock::{rfc2822, SECOND};
use crate::error::SimError;
use crate::faults::FaultRuleSpec;
use crate::ids::is_e164;
use crate::inbound;
use crate::json as twilio_json;
use crate::lifecycle::Outcome;
use crate::seed::{self, SeedRequest};
use crate::state::{PlannedOutcome, Sim};

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, SimError> {
    if body.is_empty() {
        return Err(SimError::BadControlRequest(
            "expected a JSON body, got an empty one".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| SimError::BadControlRequest(format!("invalid JSON body: {e}")))
}

pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboundRequest {
    from: String,
    #[serde(default)]
    to: Option<String>,
    body: String,
}

pub async fn inbound(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: InboundRequest = parse(&body)?;
    let now = sim.clock.now_ms();
    let (message, _reply) = inbound::receive(
        &sim,
        request.from.trim(),
        request.to.as_deref().map(str::trim),
        &request.body,
        now,
    )?;
    Ok(Json(twilio_json::message(&sim.config.account_sid, &message, now)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeRequest {
    to: String,
    status: String,
    #[serde(default)]
    error_code: Option<u32>,
}

/// Codes Twilio gives at create time; planning one of them refuses the create itself.
const CREATE_TIME_CODES: &[u32] = &[21211, 21408, 21610, 21612, 21614];

fn planned(request: &OutcomeRequest) -> Result<PlannedOutcome, SimError> {
    let bad = |why: &str| SimError::BadControlRequest(why.to_string());
    if let Some(code) = request.error_code.filter(|c| CREATE_TIME_CODES.contains(c)) {
        return Ok(PlannedOutcome::Reject(code));
    }
    let outcome = match (request.status.as_str(), request.error_code) {
        ("delivered", None) => Outcome::Delivered,
        ("sent", None) => Outcome::Sent,
        ("undelivered", code) => Outcome::Undelivered(code.unwrap_or(30003)),
        ("failed", code) => Outcome::Failed(code.unwrap_or(30007)),
        ("rejected", _) => {
            return Err(bad(
                "status \"rejected\" needs an error_code of 21211, 21408, 21610, 21612 or 21614",
            ))
        }
        ("delivered" | "sent", Some(_)) => {
            return Err(bad("error_code only goes with undelivered, failed or a create-time code"))
        }
        _ => {
            return Err(bad(
                "status must be one of delivered, undelivered, failed, sent (or rejected with a 21xxx error_code)",
            ))
        }
    };
    Ok(PlannedOutcome::Finish(outcome))
}

pub async fn outcomes(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: OutcomeRequest = parse(&body)?;
    let to = request.to.trim().to_string();
    if !is_e164(&to) {
        return Err(SimError::BadControlRequest(format!(
            "\"to\" must be an E.164 number like +15551230000, got {to:?}"
        )));
    }
    let outcome = planned(&request)?;
    sim.lock().outcomes.insert(to.clone(), outcome);
    Ok(
        Json(json!({"to": to, "status": request.status, "error_code": request.error_code}))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    advance_seconds: f64,
}

pub async fn clock(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: ClockRequest = parse(&body)?;
    if !request.advance_seconds.is_finite() || !(0.0..=1e9).contains(&request.advance_seconds) {
        return Err(SimError::BadControlRequest(
            "\"advance_seconds\" must be a number from 0 to 1e9: the clock never goes back".into(),
        ));
    }
    sim.clock
        .advance((request.advance_seconds * SECOND as f64).round() as i64);
    Ok(Json(json!({
        "now": rfc2822(sim.clock.now_ms()),
        "offset_seconds": sim.clock.offset_ms() as f64 / SECOND as f64,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisibilityRequest {
    delay_seconds: f64,
}

pub async fn visibility(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: VisibilityRequest = parse(&body)?;
    if !request.delay_seconds.is_finite() || !(0.0..=1e9).contains(&request.delay_seconds) {
        return Err(SimError::BadControlRequest(
            "\"delay_seconds\" must be a number from 0 to 1e9".into(),
        ));
    }
    sim.lock().visibility_delay = (request.delay_seconds * SECOND as f64).round() as i64;
    Ok(Json(json!({"delay_seconds": request.delay_seconds})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsRequest {
    rules: Vec<FaultRuleSpec>,
}

pub async fn set_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: FaultsRequest = parse(&body)?;
    sim.faults.set(request.rules)?;
    Ok(Json(json!({"rules": sim.faults.list()})).into_response())
}

pub async fn get_faults(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({"rules": sim.faults.list()})).into_response()
}

pub async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    sim.faults.clear();
    Json(json!({"rules": []})).into_response()
}

/// Ground truth: every message, visible in the list yet or not, in creation order.
pub async fn messages(State(sim): State<Arc<Sim>>) -> Response {
    let all = sim.lock().store.all().to_vec();
    let now = sim.clock.now_ms();
    let account_sid = &sim.config.account_sid;
    let rendered: Vec<_> = all
        .iter()
        .map(|m| twilio_json::message(account_sid, m, now))
        .collect();
    crate::respond::json(StatusCode::OK, &json!({"messages": rendered}))
}

pub async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    sim.reset();
    Json(json!({"reset": true})).into_response()
}

pub async fn seed(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Response, SimError> {
    let request: SeedRequest = parse(&body)?;
    // Filling a large history is CPU work; keep it off the threads that serve other requests.
    let report = tokio::task::spawn_blocking(move || seed::fill(&sim, &request))
        .await
        .map_err(|e| SimError::TaskFailed(format!("seeding: {e}")))??;
    Ok(Json(report).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(status: &str, error_code: Option<u32>) -> Result<PlannedOutcome, SimError> {
        planned(&OutcomeRequest {
            to: "+15551230000".into(),
            status: status.into(),
            error_code,
        })
    }

    #[test]
    fn outcomes_map_to_plans() {
        assert!(matches!(
            req("undelivered", Some(30005)),
            Ok(PlannedOutcome::Finish(Outcome::Undelivered(30005)))
        ));
        assert!(matches!(
            req("failed", None),
            Ok(PlannedOutcome::Finish(Outcome::Failed(30007)))
        ));
        assert!(matches!(
            req("failed", Some(21614)),
            Ok(PlannedOutcome::Reject(21614))
        ));
        assert!(matches!(
            req("rejected", Some(21211)),
            Ok(PlannedOutcome::Reject(21211))
        ));
        assert!(req("rejected", None).is_err());
        assert!(req("delivered", Some(30003)).is_err());
        assert!(req("exploded", None).is_err());
    }
}
