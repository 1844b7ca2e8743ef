//! Engine benchmarks with figures printed (median of several runs), in release mode:
//! `cargo bench -p clinic-desk-core --bench engine`.
//!
//! - ingest: Twilio messages written to SQLite in back-fill batches of 10,000 (texts/s);
//! - catch-up: a fresh workstation back-fills a 50,000-message history from the simulator;
//! - reply latency: a chat is open, a patient replies, until the engine announces it;
//! - idle cost: list requests per idle cycle.

use std::time::{Duration, Instant};

use clinic_desk_core::compliance::keywords::Keywords;
use clinic_desk_core::events::CoreEvent;
use clinic_desk_core::outbox::{OutboxConfig, Sender};
use clinic_desk_core::store::messages::{IngestMode, MessageRecord};
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::sync::{Engine, SyncCommand};
use clinic_desk_core::twilio::{Auth, ClientConfig, MessageStatus, Secret, TwilioClient};
use clinic_desk_core::{workstation, Store};

/// The allocator the app and the CLI ship with, so the figures are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A SID that looks like Twilio's: 32 hex digits that follow no order, so each text lands at a
/// random place in the SID index, as it does in a real back-fill (counting up would make every
/// insert an append, which flatters the figure).
fn twilio_like_sid(i: u64) -> String {
    // splitmix64: a fixed, well-spread mix of the counter.
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    format!("SM{:016x}{:016x}", mix(2 * i), mix(2 * i + 1))
}

/// Texts/s written in back-fill batches of 10,000, the texts spread over `numbers` patients.
fn ingest_rate(numbers: usize) -> f64 {
    let total: usize = std::env::var("BENCH_INGEST_TOTAL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let records: Vec<MessageRecord> = (0..total)
        .map(|i| {
            let patient = format!("+1415555{:04}", i % numbers);
            let inbound = i % 2 == 0;
            MessageRecord {
                sid: twilio_like_sid(i as u64),
                direction: if inbound {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
                from: if inbound {
                    patient.clone()
                } else {
                    "+15555550100".into()
                },
                to: if inbound {
                    "+15555550100".into()
                } else {
                    patient
                },
                body: format!("Message number {i} about an appointment on Tuesday"),
                status: if inbound {
                    MessageStatus::Received
                } else {
                    MessageStatus::Delivered
                },
                error_code: None,
                error_message: None,
                num_segments: Some(1),
                price: Some("-0.00790".into()),
                price_unit: Some("USD".into()),
                created_at: 1_700_000_000_000 + i as i64 * 1000,
                sent_at: Some(1_700_000_000_000 + i as i64 * 1000),
            }
        })
        .collect();
    let mut rates = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("bench.sqlite3")).unwrap();
        let start = Instant::now();
        // Back-fill writes batches of 10,000 (see `sync::poller`).
        for page in records.chunks(10_000) {
            store
                .ingest(
                    page,
                    IngestMode::Backfill { unread_after: 0 },
                    &Keywords::default(),
                )
                .unwrap();
        }
        rates.push(total as f64 / start.elapsed().as_secs_f64());
    }
    median(rates)
}

struct Bench {
    sim: twilio_sim::SimHandle,
    http: reqwest::Client,
}

impl Bench {
    async fn start() -> Bench {
        let sim = twilio_sim::spawn(twilio_sim::SimConfig {
            seed: Some(1),
            ..twilio_sim::SimConfig::default()
        })
        .await
        .unwrap();
        Bench {
            sim,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, body: serde_json::Value) {
        self.http
            .post(format!("{}{path}", self.sim.base_url))
            .json(&body)
            .send()
            .await
            .unwrap();
    }

    fn engine(&self, store: &Store, events: tokio::sync::broadcast::Sender<CoreEvent>) -> Engine {
        let client = TwilioClient::new(ClientConfig::new(
            self.sim.base_url.clone(),
            self.sim.account_sid.clone(),
            Auth::Token(Secret::new(self.sim.auth_token.clone())),
        ))
        .unwrap();
        let clinic = self.sim.numbers[0].clone();
        let sender = Sender {
            from: Some(clinic.clone()),
            messaging_service_sid: None,
        };
        workstation::assemble(
            store,
            client,
            sender,
            Some(clinic),
            OutboxConfig::default(),
            events,
        )
    }
}

async fn catch_up(bench: &Bench) -> (f64, usize) {
    let mut seconds = Vec::new();
    let mut count = 0;
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
        let (events, _) = tokio::sync::broadcast::channel(4096);
        let engine = bench.engine(&store, events);
        let start = Instant::now();
        engine.run_cycle(false).await.unwrap();
        seconds.push(start.elapsed().as_secs_f64());
        count = store.message_count().unwrap() as usize;
    }
    (median(seconds), count)
}

async fn reply_latency(bench: &Bench, samples: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let (events, _) = tokio::sync::broadcast::channel(4096);
    let engine = bench.engine(&store, events);
    engine.run_cycle(false).await.unwrap();
    let handle = engine.spawn();
    handle.send(SyncCommand::ChatOpen(true)).await;
    let mut receiver = handle.subscribe();
    let mut latencies = Vec::new();
    for i in 0..samples {
        // Replies land at arbitrary moments of the poll interval.
        tokio::time::sleep(Duration::from_millis(150 + (i as u64 * 397) % 900)).await;
        let body = format!("latency probe {i}");
        let sent = Instant::now();
        bench
            .post(
                "/_sim/inbound",
                serde_json::json!({"from": "+14155550134", "to": bench.sim.numbers[0], "body": body}),
            )
            .await;
        loop {
            match receiver.recv().await {
                Ok(CoreEvent::NewReply(reply)) if reply.body == body => break,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("{e}"),
            }
        }
        latencies.push(sent.elapsed().as_secs_f64());
    }
    handle.stop(Duration::from_secs(2)).await;
    (percentile(&latencies, 0.5), percentile(&latencies, 0.95))
}

async fn idle_requests(bench: &Bench) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let (events, _) = tokio::sync::broadcast::channel(4096);
    let engine = bench.engine(&store, events);
    engine.run_cycle(true).await.unwrap();
    let mut requests = Vec::new();
    for _ in 0..5 {
        requests.push(engine.run_cycle(false).await.unwrap().poll.requests as f64);
    }
    median(requests)
}

fn main() {
    // `cargo test` also runs benches once in debug mode: keep that quick.
    if std::env::args().any(|a| a == "--test") || cfg!(debug_assertions) {
        println!("engine benchmarks: run with `cargo bench -p clinic-desk-core --bench engine`");
        return;
    }
    // A clinic's history: 2,000 patients (as in the catch-up below). Harder: every batch of
    // 10,000 texts touches 5,000 threads (and creates 5,000 contacts in the first).
    println!(
        "ingest into SQLite, 2,000 patients: {:.0} texts/s (median of 5 runs of 100,000)",
        ingest_rate(2_000)
    );
    println!(
        "ingest into SQLite, 5,000 numbers in every batch of 10,000: {:.0} texts/s (median of 5 runs of 100,000)",
        ingest_rate(5_000)
    );
    if std::env::var_os("BENCH_INGEST_ONLY").is_some() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let bench = Bench::start().await;
        bench
            .post("/_sim/seed", serde_json::json!({"patients": 2000, "messages": 50000}))
            .await;
        let (seconds, count) = catch_up(&bench).await;
        println!(
            "catch-up of {count} texts from the simulator: {seconds:.2} s ({:.0} texts/s, median of 3)",
            count as f64 / seconds
        );
        println!("idle cost: {} list requests per idle cycle", idle_requests(&bench).await);
        let (p50, p95) = reply_latency(&bench, 40).await;
        println!("reply latency with a chat open: p50 {p50:.2} s, p95 {p95:.2} s (40 replies)");
    });
}
