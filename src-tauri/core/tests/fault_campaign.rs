//! A randomized fault campaign: many seeded runs in which the simulator rate-limits, fails,
//! resets, delays and drops answers after committing, while replies keep arriving. At the end of
//! each run, checked against the simulator's ground truth: no reply lost, no text sent twice,
//! every text sent, every status final and equal to Twilio's; no text to a number after its
//! STOP, and no automated text to a patient in their quiet hours.
//!
//! `CAMPAIGN_RUNS` sets the number of runs (default 50, as in CI); `CAMPAIGN_SEED` the first seed.

mod support;

use std::collections::{HashMap, HashSet};

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::{queue_text, queue_text_once, TextRequest};
use clinic_desk_core::store::outbox::{OutboxKind, OutboxState};
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
/// Texts STOP partway through each run.
const STOPPER: &str = "+16175550123";
/// Lives in a zone where it is night now: automated texts to them must wait.
const NIGHT_OWL: &str = "+17185550145";
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

/// Gives the patient a fixed-offset zone in which it is about 02:00 now.
fn put_patient_in_the_night(ws: &Workstation, phone: &str) {
    use chrono::Timelike;
    let hour = chrono::Utc::now().hour() as i32;
    // Etc/GMT+N is N hours behind UTC; N runs from -14 to +12, which covers every local hour.
    let offset = (-14..=12)
        .find(|n: &i32| (hour - n).rem_euclid(24) == 2)
        .expect("an Etc zone for every hour");
    let zone = if offset >= 0 {
        format!("Etc/GMT+{offset}")
    } else {
        format!("Etc/GMT-{}", -offset)
    };
    let conn = rusqlite::Connection::open(ws.store.path()).unwrap();
    conn.execute(
        "INSERT INTO patients (first_name, time_zone, created_at, updated_at) \
         VALUES ('Night', ?1, 0, 0)",
        [zone],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO patient_phones (patient_id, e164, created_at) VALUES (?1, ?2, 0)",
        rusqlite::params![conn.last_insert_rowid(), phone],
    )
    .unwrap();
}

fn queue_reminder(ws: &Workstation, to: &str, body: &str) {
    queue_text_once(
        &ws.store,
        &ws.sender,
        &SystemClock,
        &TextRequest::new(to, body, OutboxKind::Reminder, "system").once(body.to_string()),
    )
    .expect("queue reminder");
}

async fn one_run(seed: u64) -> Result<(), String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let sim = Sim::start(seed).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(random_rules(&mut rng)).await;

    put_patient_in_the_night(&ws, NIGHT_OWL);
    let stop_step = rng.random_range(2..10);
    let mut stop_sid = None;

    let mut queued = Vec::new();
    let mut replies = Vec::new();
    for step in 0..12 {
        if rng.random_bool(0.6) {
            let to = PATIENTS[rng.random_range(0..PATIENTS.len())];
            let body = format!("run {seed} text {step}");
            // The first text to a number carries the opt-out footer: Twilio sees the stored body.
            let item = ws.queue(to, &body);
            queued.push((to, item.body));
        }
        if rng.random_bool(0.3) {
            queue_reminder(&ws, NIGHT_OWL, &format!("run {seed} reminder {step}"));
        }
        if step < stop_step || rng.random_bool(0.5) {
            // Refused once the STOP is known; before that, queued and then blocked or refused.
            let _ = queue_text(
                &ws.store,
                &ws.sender,
                &SystemClock,
                &TextRequest::new(
                    STOPPER,
                    &format!("run {seed} to stopper {step}"),
                    OutboxKind::Manual,
                    "front desk",
                ),
            );
        }
        if step == stop_step {
            stop_sid = Some(sim.reply(STOPPER, "STOP").await);
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
    // A cycle sends after it polls: one more, after Twilio has moved on, reads the statuses of
    // whatever the last one sent.
    ws.engine.run_cycle(true).await.map_err(|e| e.to_string())?;
    sim.advance(120).await;
    ws.engine.run_cycle(true).await.map_err(|e| e.to_string())?;

    let truth = sim.all_messages().await;
    // Nothing reached a patient in their quiet hours: the reminders are all still held.
    if let Some(m) = truth.iter().find(|m| m["to"] == NIGHT_OWL) {
        return Err(format!(
            "seed {seed}: automated text sent in quiet hours: {}",
            m["body"]
        ));
    }
    if ws
        .store
        .thread_messages(NIGHT_OWL)
        .unwrap()
        .iter()
        .any(|m| m.local_state != Some(OutboxState::Held))
    {
        return Err(format!("seed {seed}: a night-time reminder is not held"));
    }
    // Nothing reached the number after its STOP, and the store knows it opted out.
    let stop_at = truth
        .iter()
        .find(|m| m["sid"].as_str() == stop_sid.as_deref())
        .and_then(|m| m["date_created"].as_str().map(str::to_string))
        .ok_or_else(|| format!("seed {seed}: the STOP is not in the simulator"))?;
    let stop_at = chrono::DateTime::parse_from_rfc2822(&stop_at).map_err(|e| e.to_string())?;
    for m in truth.iter().filter(|m| m["to"] == STOPPER) {
        let at = m["date_created"]
            .as_str()
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .ok_or_else(|| format!("seed {seed}: unreadable date"))?;
        if at > stop_at {
            return Err(format!(
                "seed {seed}: texted {STOPPER} after STOP: {}",
                m["body"]
            ));
        }
    }
    if !ws.store.is_opted_out(STOPPER).unwrap() {
        return Err(format!("seed {seed}: the STOP was not recorded"));
    }
    if ws.store.thread_messages(STOPPER).unwrap().iter().any(|m| {
        matches!(
            m.local_state,
            Some(OutboxState::Queued | OutboxState::Sending)
        )
    }) {
        return Err(format!(
            "seed {seed}: a text to the opted-out number is still pending"
        ));
    }
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
