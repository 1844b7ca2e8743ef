//! Twilio answers the simulator cannot produce: truncated JSON, messages missing fields, status
//! strings we have never seen. Served by a raw HTTP responder so the bytes are exactly as bad as
//! intended. The cycle reports the problem clearly and goes on; nothing is dropped silently.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::sync::{PollConfig, Poller, Slice};
use clinic_desk_core::twilio::{Auth, ClientConfig, MessageStatus, Secret, TwilioClient};
use clinic_desk_core::{ErrorCode, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLINIC: &str = "+15555550100";

/// Serves `bodies` in turn (the last one forever) as `200 application/json`.
async fn serve(bodies: Vec<impl Into<Vec<u8>>>) -> String {
    let bodies: Vec<Vec<u8>> = bodies.into_iter().map(Into::into).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(bodies));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let bodies = bodies.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 8192];
                let _ = socket.read(&mut request).await;
                let body = {
                    let mut bodies = bodies.lock().unwrap();
                    if bodies.len() > 1 {
                        bodies.remove(0)
                    } else {
                        bodies[0].clone()
                    }
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(&[head.into_bytes(), body].concat()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn message(sid: &str, from: Option<&str>, status: &str) -> String {
    let from = from.map_or("null".to_string(), |f| format!("\"{f}\""));
    format!(
        r#"{{"sid":"{sid}","from":{from},"to":"{CLINIC}","body":"hello","status":"{status}","direction":"inbound","date_created":"Sat, 21 Nov 2026 10:00:00 +0000","date_sent":"Sat, 21 Nov 2026 10:00:00 +0000","num_segments":"1"}}"#
    )
}

/// The list's last page, holding one reply.
fn last_page_of_one_reply(sid: &str) -> String {
    format!(
        r#"{{"messages":[{}],"next_page_uri":null}}"#,
        message(sid, Some("+14155550134"), "received")
    )
}

fn poller(base: &str, store: &Store) -> Poller {
    let mut config = ClientConfig::new(
        base,
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        Auth::Token(Secret::new("t")),
    );
    config.timeout = Duration::from_secs(3);
    Poller::new(
        store.clone(),
        TwilioClient::new(config).unwrap(),
        Some(CLINIC.to_string()),
        PollConfig::default(),
        Arc::new(SystemClock),
    )
}

#[tokio::test]
async fn unreadable_messages_are_reported_and_the_rest_is_kept() {
    let page = format!(
        r#"{{"messages":[{},{},{}],"next_page_uri":null,"page":0}}"#,
        message(
            "SM00000000000000000000000000000001",
            Some("+14155550134"),
            "received"
        ),
        message("SM00000000000000000000000000000002", None, "received"),
        message(
            "SM00000000000000000000000000000003",
            Some("+14155550188"),
            "teleported"
        ),
    );
    let base = serve(vec![page]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let report = poller(&base, &store)
        .incremental(Slice::Replies, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.inserted, 2);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].contains("SM00000000000000000000000000000002"));
    assert!(report.skipped[0].contains("from"));
    let odd = store.thread_messages("+14155550188").unwrap();
    assert_eq!(
        odd[0].status,
        MessageStatus::Unknown,
        "kept, and re-fetched later"
    );
}

#[tokio::test]
async fn truncated_json_is_a_clear_error_and_the_next_cycle_recovers() {
    let good = last_page_of_one_reply("SM00000000000000000000000000000009");
    let base = serve(vec![r#"{"messages":[{"sid":"SM0000"#.to_string(), good]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let poller = poller(&base, &store);

    let err = poller
        .incremental(Slice::Replies, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Twilio);
    assert!(err.to_string().contains("could not be read"), "{err}");
    assert_eq!(store.message_count().unwrap(), 0);

    let report = poller
        .incremental(Slice::Replies, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.inserted, 1);
}

#[tokio::test]
async fn a_page_that_is_not_utf8_is_a_clear_error_and_nothing_is_stored() {
    let page = last_page_of_one_reply("SM00000000000000000000000000000010");
    // A Latin-1 "é" in the body: valid JSON syntax, not UTF-8.
    let page = page.replace("hello", "caf\u{fffd}").into_bytes();
    let marker = "\u{fffd}".as_bytes();
    let at = page
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    let page = [&page[..at], &[0xE9], &page[at + marker.len()..]].concat();
    let base = serve(vec![page]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();

    let err = poller(&base, &store)
        .incremental(Slice::Replies, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Twilio);
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    assert_eq!(store.message_count().unwrap(), 0);
}
