//! A clinic workstation (real SQLite file, real engine) against the Twilio simulator over real
//! HTTP, plus the simulator's control API for tests.

#![allow(dead_code)]

use std::time::Duration;

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::{queue_text, TextRequest};
use clinic_desk_core::outbox::{OutboxConfig, Sender};
use clinic_desk_core::store::messages::MessageRecord;
use clinic_desk_core::store::outbox::{OutboxItem, OutboxKind};
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::sync::Engine;
use clinic_desk_core::twilio::{Auth, ClientConfig, MessageStatus, Secret, TwilioClient};
use clinic_desk_core::Store;
use serde_json::{json, Value};
use tempfile::TempDir;
use twilio_sim::{SimConfig, SimHandle};

pub struct Sim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
}

impl Sim {
    pub async fn start(seed: u64) -> Sim {
        let handle = twilio_sim::spawn(SimConfig {
            seed: Some(seed),
            ..SimConfig::default()
        })
        .await
        .expect("start simulator");
        Sim {
            handle,
            http: reqwest::Client::new(),
        }
    }

    pub fn clinic(&self) -> String {
        self.handle.numbers[0].clone()
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.handle.base_url))
            .json(&body)
            .send()
            .await
            .expect("control request");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// A patient texts the clinic; returns the new message's SID.
    pub async fn reply(&self, from: &str, body: &str) -> String {
        let message = self
            .control(
                "/_sim/inbound",
                json!({"from": from, "to": self.clinic(), "body": body}),
            )
            .await;
        message["sid"].as_str().expect("inbound sid").to_string()
    }

    pub async fn faults(&self, rules: Value) {
        self.control("/_sim/faults", json!({ "rules": rules }))
            .await;
    }

    pub async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/_sim/faults", self.handle.base_url))
            .send()
            .await
            .expect("clear faults");
    }

    pub async fn advance(&self, seconds: u64) {
        self.control("/_sim/clock", json!({ "advance_seconds": seconds }))
            .await;
    }

    /// Ground truth: every message the simulator ever created.
    /// The bodies of every text the simulator holds to `phone`.
    pub async fn texts_to(&self, phone: &str) -> Vec<String> {
        self.all_messages()
            .await
            .into_iter()
            .filter(|m| m["to"] == phone)
            .map(|m| m["body"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub async fn all_messages(&self) -> Vec<Value> {
        let value: Value = self
            .http
            .get(format!("{}/_sim/messages", self.handle.base_url))
            .send()
            .await
            .expect("list sim messages")
            .json()
            .await
            .expect("sim messages JSON");
        value["messages"].as_array().cloned().unwrap_or_default()
    }
}

/// A clock tests move by hand.
pub struct TestClock(std::sync::atomic::AtomicI64);

impl TestClock {
    pub fn at(rfc3339: &str) -> std::sync::Arc<TestClock> {
        let ms = chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("RFC 3339 time")
            .timestamp_millis();
        std::sync::Arc::new(TestClock(std::sync::atomic::AtomicI64::new(ms)))
    }

    pub fn set(&self, rfc3339: &str) {
        let ms = chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("RFC 3339 time")
            .timestamp_millis();
        self.0.store(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl clinic_desk_core::clock::Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub struct Workstation {
    pub dir: TempDir,
    pub store: Store,
    pub sender: Sender,
    pub engine: Engine,
}

pub fn fast_outbox() -> OutboxConfig {
    OutboxConfig {
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ambiguous_grace: Duration::ZERO,
        ..OutboxConfig::default()
    }
}

/// A fixed-offset zone in which it is about noon now, so tests that send are inside the sending
/// window whatever the hour they run at (quiet hours have their own tests with a fixed clock).
pub fn zone_where_it_is_midday() -> String {
    use chrono::Timelike;
    let offset = chrono::Utc::now().hour() as i32 - 12;
    // IANA's Etc zones count west as positive: Etc/GMT+5 is five hours behind UTC.
    if offset >= 0 {
        format!("Etc/GMT+{offset}")
    } else {
        format!("Etc/GMT-{}", -offset)
    }
}

impl Workstation {
    pub fn new(sim: &Sim, outbox: OutboxConfig) -> Workstation {
        Self::with_token(sim, outbox, &sim.handle.auth_token.clone())
    }

    pub fn with_token(sim: &Sim, outbox: OutboxConfig, token: &str) -> Workstation {
        Self::build(sim, outbox, token, std::sync::Arc::new(SystemClock))
    }

    pub fn with_clock(
        sim: &Sim,
        outbox: OutboxConfig,
        clock: std::sync::Arc<dyn clinic_desk_core::clock::Clock>,
    ) -> Workstation {
        Self::build(sim, outbox, &sim.handle.auth_token.clone(), clock)
    }

    fn build(
        sim: &Sim,
        outbox: OutboxConfig,
        token: &str,
        clock: std::sync::Arc<dyn clinic_desk_core::clock::Clock>,
    ) -> Workstation {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        store
            .set_setting("clinic.timezone", &zone_where_it_is_midday())
            .unwrap();
        let (sender, engine) = engine_on(sim, &store, outbox, token, clock);
        Workstation {
            dir,
            store,
            sender,
            engine,
        }
    }

    /// A new engine on this workstation's database, as after the app restarted.
    pub fn restarted_engine(&self, sim: &Sim) -> Engine {
        let token = sim.handle.auth_token.clone();
        engine_on(
            sim,
            &self.store,
            fast_outbox(),
            &token,
            std::sync::Arc::new(SystemClock),
        )
        .1
    }
}

fn engine_on(
    sim: &Sim,
    store: &Store,
    outbox: OutboxConfig,
    token: &str,
    clock: std::sync::Arc<dyn clinic_desk_core::clock::Clock>,
) -> (Sender, Engine) {
    let mut client_config = ClientConfig::new(
        sim.handle.base_url.clone(),
        sim.handle.account_sid.clone(),
        Auth::Token(Secret::new(token)),
    );
    client_config.timeout = Duration::from_secs(5);
    let client = TwilioClient::new(client_config).unwrap();
    let sender = Sender {
        from: Some(sim.clinic()),
        messaging_service_sid: None,
    };
    let (events, _) = tokio::sync::broadcast::channel(1024);
    let engine = clinic_desk_core::workstation::assemble_with_clock(
        store,
        client,
        sender.clone(),
        Some(sim.clinic()),
        outbox,
        events,
        clock,
    );
    (sender, engine)
}

impl Workstation {
    pub fn queue(&self, to: &str, body: &str) -> OutboxItem {
        queue_text(
            &self.store,
            &self.sender,
            &SystemClock,
            &TextRequest::new(to, body, OutboxKind::Manual, "front desk"),
        )
        .expect("queue text")
    }

    pub async fn cycle(&self) -> clinic_desk_core::sync::CycleReport {
        self.engine.run_cycle(false).await.expect("sync cycle")
    }
}

/// A patient's text as Twilio lists it, numbered `n` (its SID and, in ms, its time), for tests
/// that write straight into the store.
/// `reply` with its own body.
pub fn reply_saying(n: u32, from: &str, body: &str) -> MessageRecord {
    MessageRecord {
        body: body.to_string(),
        ..reply(n, from)
    }
}

pub fn reply(n: u32, from: &str) -> MessageRecord {
    MessageRecord {
        sid: format!("SM{n:032x}"),
        direction: Direction::Inbound,
        from: from.to_string(),
        to: "+15555550100".to_string(),
        body: "Is there parking?".into(),
        status: MessageStatus::Received,
        error_code: None,
        error_message: None,
        num_segments: Some(1),
        price: None,
        price_unit: None,
        created_at: 1_700_000_000_000 + i64::from(n),
        sent_at: None,
    }
}
