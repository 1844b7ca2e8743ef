//! A randomized fault campaign: many seeded runs in which the simulator rate-limits, fails,
//! resets, delays and drops answers after committing, while replies keep arriving. At the end of
//! each run, checked against the simulator's ground truth: no reply lost, no text sent twice,
//! every text sent, every status final and equal to Twilio's.
//!
//! `CAMPAIGN_RUNS` sets the number of runs (default 50, as in CI); `CAMPAIGN_SEED` the first seed.

mod support;

use std::collections::{HashMap, HashSet};

use clinic_desk_core::twilio::MessageStatus;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use support::{fast_outbox, Sim, Workstation};

const PATIENTS: [&str; 4] = [
    "+14155550134",
    "+14155550188",
    "+12125550147",
    "+13105550162",
];
const ACTIONS: [&str; 5] = ["429", "500", "reset", "delay", "drop_response_after_commit"];

fn random_rules(rng: &mut rand::rngs::StdRng) -> Value {
    let mut rules = Vec::new();
    for (method, path) in [
        ("POST", "/Messages.json$"),
        ("GET", "/Messages.json"),
        ("GET", "/Messages/SM"),
    ] {
        let action = ACTIONS[rng.random_range(0..ACTIONS.len())];
        rules.push(json!({
            "method": method,
            "path": path,
            "action": action,
            "probability": rng.random_range(0.1..0.45),
            "retry_after": 0,
            "delay_ms": rng.random_range(5..40),
        }));
    }
    Value::Array(rules)
}

async fn one_run(seed: u64) -> Result<(), String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let sim = Sim::start(seed).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(random_rules(&mut rng)).await;

    let mut queued = Vec::new();
    let mut replies = Vec::new();
    for step in 0..12 {
        if rng.random_bool(0.6) {
            let to = PATIENTS[rng.random_range(0..PATIENTS.len())];
            let body = format!("run {seed} text {step}");
            ws.queue(to, &body);
            queued.push((to, body));
        }
        if rng.random_bool(0.6) {
            let from = PATIENTS[rng.random_range(0..PATIENTS.len())];
            replies.push(sim.reply(from, &format!("run {seed} reply {step}")).await);
        }
        // Errors are expected while faults are on; the next cycle picks up where this stopped.
        let _ = ws.engine.run_cycle(rng.random_bool(0.3)).await;
        if rng.random_bool(0.3) {
            sim.advance(rng.random_range(1..10)).await;
        }
    }

    // Faults off: the workstation must converge.
    sim.clear_faults().await;
    sim.advance(120).await;
    for round in 0..6 {
        let report = ws
            .engine
            .run_cycle(round % 2 == 0)
            .await
            .map_err(|e| format!("seed {seed}: clean cycle failed: {e}"))?;
        if report.outbox.in_doubt == 0 && ws.store.outbox_pending_count().unwrap() == 0 {
            sim.advance(120).await;
        }
    }
    ws.engine.run_cycle(true).await.map_err(|e| e.to_string())?;

    let truth = sim.all_messages().await;
    // No text sent twice, none lost.
    for (to, body) in &queued {
        let copies = truth
            .iter()
            .filter(|m| m["body"] == *body && m["to"] == *to)
            .count();
        if copies != 1 {
            return Err(format!(
                "seed {seed}: {body:?} reached Twilio {copies} times"
            ));
        }
    }
    // No reply lost.
    for sid in &replies {
        if !ws.store.has_sid(sid).unwrap() {
            return Err(format!("seed {seed}: reply {sid} never arrived"));
        }
    }
    // Statuses final and equal to Twilio's.
    let twilio_status: HashMap<&str, &str> = truth
        .iter()
        .filter_map(|m| Some((m["sid"].as_str()?, m["status"].as_str()?)))
        .collect();
    let mut seen = HashSet::new();
    for phone in PATIENTS {
        for message in ws.store.thread_messages(phone).unwrap() {
            let sid = message
                .sid
                .clone()
                .ok_or_else(|| format!("seed {seed}: a text to {phone} never got a SID"))?;
            if !seen.insert(sid.clone()) {
                return Err(format!("seed {seed}: {sid} stored twice"));
            }
            let expected = twilio_status.get(sid.as_str()).copied().unwrap_or("?");
            if message.status.as_str() != expected || !message.status.is_final() {
                return Err(format!(
                    "seed {seed}: {sid} is {:?} here, {expected} at Twilio",
                    message.status
                ));
            }
            if message.status == MessageStatus::Unknown {
                return Err(format!("seed {seed}: {sid} has an unknown status"));
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_fault_campaign_loses_nothing_and_sends_nothing_twice() {
    let runs: u64 = std::env::var("CAMPAIGN_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let first: u64 = std::env::var("CAMPAIGN_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut failures = Vec::new();
    for seed in first..first + runs {
        if let Err(failure) = one_run(seed).await {
            failures.push(failure);
        }
    }
    println!("fault campaign: {} runs, {} failed", runs, failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}
