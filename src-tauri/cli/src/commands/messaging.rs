//! `send`, `sync`, `threads` and `thread`: the messaging engine from the command line. Field
//! names of the JSON output are a contract scripts rely on.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::{queue_text, segments_of, TextRequest};
use clinic_desk_core::store::outbox::{OutboxKind, OutboxState};
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::{composer::phone, settings, workstation, Error, Result, Store};

use crate::output::Output;

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::invalid("runtime", format!("cannot start: {e}")))
}

fn timestamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn connect(store: &Store) -> Result<workstation::Live> {
    let keys = workstation::key_store_for(store)?;
    let (events, _) = tokio::sync::broadcast::channel(256);
    workstation::connect(store, &keys, events)
}

pub fn send(db: &Path, to: &str, body: &str, queue_only: bool, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let live = connect(&store)?;
    let item = queue_text(
        &store,
        &live.sender,
        &SystemClock,
        &TextRequest::new(to, body, OutboxKind::Manual, "cli"),
    )?;
    if !queue_only {
        // A network problem leaves the text queued for the next sync; that is not an error.
        if let Err(err) = runtime()?.block_on(live.engine.drain_outbox()) {
            if matches!(err, Error::Twilio(ref t) if !t.is_transient()) {
                return Err(err);
            }
            eprintln!("note: {err}; the text stays queued and goes out with the next sync");
        }
    }
    let item = store.outbox_item(item.id)?.unwrap_or(item);
    let bubble = store
        .thread_messages(&item.to)?
        .into_iter()
        .find(|m| m.id == item.message_id);
    let status = match (&item.state, &bubble) {
        (OutboxState::Submitted, Some(b)) => b.status.as_str().to_string(),
        (state, _) => state.as_sql().to_string(),
    };
    let value = json!({
        "id": item.id,
        "sid": item.sid,
        "status": status,
        "segments": segments_of(&item.body),
    });
    out.emit(&value, || match &item.sid {
        Some(sid) => format!("sent to {} as {sid} ({status})", item.to),
        None => format!("queued text {} to {} ({status})", item.id, item.to),
    });
    Ok(())
}

pub fn sync(db: &Path, once: bool, reconcile: bool, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let live = connect(&store)?;
    let rt = runtime()?;
    if once {
        let report = rt.block_on(live.engine.run_cycle(reconcile))?;
        let value = json!({
            "sent": report.outbox.submitted + report.outbox.adopted,
            "failed": report.outbox.failed + report.outbox.blocked,
            "in_doubt": report.outbox.in_doubt,
            "fetched": report.poll.fetched,
            "new_messages": report.poll.inserted,
            "updated_messages": report.poll.updated,
            "skipped": report.poll.skipped,
            "requests": report.poll.requests,
            "reconciled": report.reconciled,
        });
        out.emit(&value, || {
            format!(
                "sent {}, {} new and {} updated messages from {} requests{}",
                report.outbox.submitted + report.outbox.adopted,
                report.poll.inserted,
                report.poll.updated,
                report.poll.requests,
                if report.poll.skipped.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} unreadable messages skipped",
                        report.poll.skipped.len()
                    )
                }
            )
        });
        return Ok(());
    }
    rt.block_on(async {
        let handle = live.engine.spawn();
        let mut events = handle.subscribe();
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                event = events.recv() => match event {
                    Ok(event) => {
                        let line = serde_json::to_string(&event).unwrap_or_default();
                        println!("{line}");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                },
            }
        }
        handle.send(SyncCommand::Stop).await;
        handle.stop(Duration::from_secs(5)).await;
    });
    Ok(())
}

pub fn threads(db: &Path, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let threads = store.list_threads()?;
    let value: Vec<Value> = threads
        .iter()
        .map(|t| {
            json!({
                "phone": t.phone,
                "patient": t.patient_name,
                "unread": t.unread,
                "last_at": timestamp(t.last_at),
                "last_body": t.last_body,
            })
        })
        .collect();
    out.emit(&value, || {
        if threads.is_empty() {
            return "no conversations yet".to_string();
        }
        threads
            .iter()
            .map(|t| {
                format!(
                    "{:<16} {:<24} {:>3} unread  {}  {}",
                    t.phone,
                    t.patient_name.as_deref().unwrap_or("(unknown)"),
                    t.unread,
                    timestamp(t.last_at),
                    t.last_body.replace('\n', " ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub fn thread(db: &Path, phone_input: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let region = settings::clinic_region(&store)?;
    let phone = phone::normalize(phone_input, &region)?;
    let messages = store.thread_messages(&phone)?;
    let value: Vec<Value> = messages
        .iter()
        .map(|m| {
            let status = match (&m.sid, m.local_state) {
                (None, Some(state)) => state.as_sql().to_string(),
                _ => m.status.as_str().to_string(),
            };
            json!({
                "sid": m.sid,
                "direction": match m.direction { Direction::Inbound => "inbound", Direction::Outbound => "outbound" },
                "body": m.body,
                "status": status,
                "error_code": m.error_code,
                "created_at": timestamp(m.created_at),
            })
        })
        .collect();
    out.emit(&value, || {
        messages
            .iter()
            .map(|m| {
                let arrow = match m.direction {
                    Direction::Inbound => "<-",
                    Direction::Outbound => "->",
                };
                let problem = m
                    .error_text
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                format!(
                    "{} {arrow} [{}{problem}] {}",
                    timestamp(m.created_at),
                    m.status.as_str(),
                    m.body
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
