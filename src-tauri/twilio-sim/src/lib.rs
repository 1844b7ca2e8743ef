//! `twilio-sim`: a stateful, Twilio-compatible HTTP server for tests, demo mode and benchmarks.
//!
//! It serves the parts of Twilio's 2010-04-01 REST API that Clinic Desk uses (Account,
//! Messages create/list/fetch, IncomingPhoneNumbers) and the Messaging API's Service fetch,
//! closely enough that Twilio's own client libraries cannot tell the difference, and a control
//! API under `/_sim` that injects patient replies, moves the clock, plans delivery outcomes and
//! makes requests fail.
//!
//! Start it in-process with [`spawn`]; the `twilio-sim` binary is a thin CLI around the same call.

pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod control;
pub mod error;
pub mod faults;
pub mod ids;
pub mod inbound;
pub mod json;
pub mod lifecycle;
pub mod messages;
pub mod optout;
pub mod paging;
mod respond;
pub mod seed;
mod server;
pub mod services;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    AccountStatus, AccountType, ApiKey, SimConfig, DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN,
    DEFAULT_NUMBER,
};
pub use error::{SimError, TwilioError};
pub use state::Sim;

/// A running simulator. Dropping the handle stops it too; [`SimHandle::shutdown`] also waits for
/// the server task to finish.
#[derive(Debug)]
pub struct SimHandle {
    /// `http://127.0.0.1:PORT`, with the port actually bound.
    pub base_url: String,
    pub addr: SocketAddr,
    pub account_sid: String,
    pub auth_token: String,
    pub numbers: Vec<String>,
    /// The shared state, for Rust tests that want to look inside without HTTP.
    pub sim: Arc<Sim>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Stops accepting connections, closes the open ones and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn twilio_not_found(request: Request) -> Response {
    TwilioError::not_found(request.uri().path()).into_response()
}

async fn twilio_method_not_allowed(request: Request) -> Response {
    TwilioError::method_not_allowed(request.method().as_str(), request.uri().path()).into_response()
}

/// The HTTP routes: Twilio's API under /2010-04-01 (and /v1 for Messaging Services) and the
/// control API under /_sim.
pub fn router(sim: Arc<Sim>) -> Router {
    let twilio = Router::new()
        .route("/2010-04-01/Accounts/{file}", get(accounts::fetch))
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            get(messages::list).post(messages::create),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{file}",
            get(messages::fetch),
        )
        .route(
            "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json",
            get(accounts::incoming_phone_numbers),
        )
        .route("/v1/Services/{sid}", get(services::fetch));
    let control = Router::new()
        .route("/_sim/health", get(control::health))
        .route("/_sim/inbound", post(control::inbound))
        .route("/_sim/outcomes", post(control::outcomes))
        .route("/_sim/clock", post(control::clock))
        .route("/_sim/visibility", post(control::visibility))
        .route(
            "/_sim/faults",
            post(control::set_faults)
                .get(control::get_faults)
                .delete(control::clear_faults),
        )
        .route("/_sim/messages", get(control::messages))
        .route("/_sim/reset", post(control::reset))
        .route("/_sim/seed", post(control::seed));
    twilio
        .merge(control)
        .fallback(twilio_not_found)
        .method_not_allowed_fallback(twilio_method_not_allowed)
        .with_state(sim)
}

/// Binds `config.listen` and serves in the background on the current tokio runtime.
pub async fn spawn(config: SimConfig) -> Result<SimHandle, SimError> {
    config.validate()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| SimError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        addr: config.listen,
        source,
    })?;
    let sim = Arc::new(Sim::new(config));
    let app = router(Arc::clone(&sim));
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server::run(listener, app, Arc::clone(&sim), stopped));
    Ok(SimHandle {
        base_url: format!("http://{addr}"),
        addr,
        account_sid: sim.config.account_sid.clone(),
        auth_token: sim.config.auth_token.clone(),
        numbers: sim.config.numbers.clone(),
        sim,
        stop: Some(stop),
        task: Some(task),
    })
}
