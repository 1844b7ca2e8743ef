//! Serving a large history: seed 50,000 messages, then read all of them through the list API in
//! pages of 1,000 by following `next_page_uri`, as the app's reconciliation pass does.
//!
//! Prints the seeding time and, over several runs, the median time to serve the whole history,
//! pages per second and the per-page latency. Run with `cargo bench -p twilio-sim`; set
//! `LIST_HISTORY_MESSAGES` / `LIST_HISTORY_RUNS` to change the size.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tower::ServiceExt;
use twilio_sim::SimConfig;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn percentile(mut values: Vec<Duration>, p: f64) -> Duration {
    values.sort();
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[index]
}

#[tokio::main]
async fn main() {
    let messages = env_or("LIST_HISTORY_MESSAGES", 50_000);
    let runs = env_or("LIST_HISTORY_RUNS", 7);
    let sim = twilio_sim::spawn(SimConfig {
        seed: Some(1),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let http = reqwest::Client::new();

    let started = Instant::now();
    let seeded: Value = http
        .post(format!("{}/_sim/seed", sim.base_url))
        .json(&json!({"patients": 500, "messages": messages, "days": 60}))
        .send()
        .await
        .expect("seed request")
        .json()
        .await
        .expect("seed reply");
    let seed_time = started.elapsed();
    assert_eq!(seeded["created"], messages);
    println!("list_history: seeded {messages} messages in {seed_time:.1?}");

    let first = format!(
        "/2010-04-01/Accounts/{}/Messages.json?PageSize=1000",
        sim.account_sid
    );
    let mut totals = Vec::new();
    let mut page_times = Vec::new();
    let mut pages_per_run = 0;
    for _ in 0..runs {
        let run_started = Instant::now();
        let mut next = Some(first.clone());
        let mut seen = 0;
        let mut pages = 0;
        while let Some(uri) = next {
            let page_started = Instant::now();
            let page: Value = http
                .get(format!("{}{uri}", sim.base_url))
                .basic_auth(&sim.account_sid, Some(&sim.auth_token))
                .send()
                .await
                .expect("page request")
                .json()
                .await
                .expect("page JSON");
            page_times.push(page_started.elapsed());
            seen += page["messages"].as_array().map_or(0, Vec::len);
            pages += 1;
            next = page["next_page_uri"].as_str().map(str::to_string);
        }
        assert_eq!(seen, messages, "every message listed once");
        pages_per_run = pages;
        totals.push(run_started.elapsed());
    }

    let total = median(totals.clone());
    println!("list_history: {messages} messages in {pages_per_run} pages of 1000, {runs} runs");
    println!(
        "list_history: whole history median {total:.1?} (min {:.1?}, max {:.1?})",
        totals.iter().min().copied().unwrap_or_default(),
        totals.iter().max().copied().unwrap_or_default()
    );
    println!(
        "list_history: {:.0} pages/s, {:.0} messages/s",
        pages_per_run as f64 / total.as_secs_f64(),
        messages as f64 / total.as_secs_f64()
    );
    println!(
        "list_history: per page (client-side, incl. JSON decode) p50 {:.2?}, p99 {:.2?}",
        percentile(page_times.clone(), 0.5),
        percentile(page_times, 0.99)
    );

    // The server's share alone: the router called in-process, no socket, no client-side decode.
    let router = twilio_sim::router(sim.sim.clone());
    let auth = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{}:{}", sim.account_sid, sim.auth_token)
        )
    );
    let mut server_times = Vec::new();
    for _ in 0..runs {
        let mut next = Some(first.clone());
        while let Some(uri) = next {
            let request = axum::http::Request::get(&uri)
                .header("authorization", &auth)
                .body(axum::body::Body::empty())
                .expect("request");
            let started = Instant::now();
            let response = router.clone().oneshot(request).await.expect("response");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            server_times.push(started.elapsed());
            let page: Value = serde_json::from_slice(&body).expect("page JSON");
            next = page["next_page_uri"].as_str().map(str::to_string);
        }
    }
    println!(
        "list_history: per page (server only, routing + JSON rendering) p50 {:.2?}, p99 {:.2?}",
        percentile(server_times.clone(), 0.5),
        percentile(server_times, 0.99)
    );
    sim.shutdown().await;
}
