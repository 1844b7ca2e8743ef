//! Serving connections ourselves (hyper, one task per connection) instead of `axum::serve`, because
//! two injected faults need to act on the TCP connection rather than on a response: "reset"
//! closes it before the request is processed, and "drop_response_after_commit" closes it after the
//! request was processed but before the response is written. Both end the connection task, which
//! drops the socket; the client sees a connection error, never an HTTP answer.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::error::TwilioError;
use crate::faults::{Fault, FaultTable};
use crate::state::Sim;

/// Accepts connections until `shutdown` fires; then stops every open connection.
pub async fn run(
    listener: TcpListener,
    app: Router,
    sim: Arc<Sim>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        // Finished connections are reaped as we go so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, app.clone(), Arc::clone(&sim)));
                }
                Err(error) => {
                    // Usually EMFILE under load: back off briefly instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, app: Router, sim: Arc<Sim>) {
    let _ = stream.set_nodelay(true);
    let abort = Arc::new(Notify::new());
    let service = {
        let abort = Arc::clone(&abort);
        service_fn(move |request: Request<Incoming>| {
            let app = app.clone();
            let sim = Arc::clone(&sim);
            let abort = Arc::clone(&abort);
            async move { handle(request, app, &sim.faults, &abort).await }
        })
    };
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        // Dropping the connection future closes the socket without writing anything more.
        _ = abort.notified() => {}
    }
}

async fn handle(
    request: Request<Incoming>,
    app: Router,
    faults: &FaultTable,
    abort: &Notify,
) -> Result<Response<Body>, Infallible> {
    let fault = faults.decide(request.method().as_str(), request.uri().path());
    let request = request.map(Body::new);
    match fault {
        None => app.oneshot(request).await,
        Some(Fault::Delay(duration)) => {
            tokio::time::sleep(duration).await;
            app.oneshot(request).await
        }
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut response = TwilioError::too_many_requests().into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            Ok(response)
        }
        Some(Fault::ServerError) => Ok(TwilioError::internal().into_response()),
        Some(Fault::Reset) => {
            abort.notify_one();
            std::future::pending().await
        }
        Some(Fault::DropResponseAfterCommit) => {
            // The handler has stored whatever it creates by the time its response exists.
            let _committed = app.oneshot(request).await;
            abort.notify_one();
            std::future::pending().await
        }
    }
}
