//! Every fault action, seen from a plain HTTP client.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;

async fn set_fault(sim: &TestSim, rule: serde_json::Value) {
    sim.post_control("/_sim/faults", json!({"rules": [rule]}))
        .await;
}

fn create_request(sim: &TestSim) -> reqwest::RequestBuilder {
    sim.request(Method::POST, &sim.messages_path()).form(&[
        ("To", PATIENT),
        ("From", "+15555550100"),
        ("Body", "fault test"),
    ])
}

#[tokio::test]
async fn too_many_requests_with_retry_after() {
    let sim = TestSim::start().await;
    set_fault(&sim, json!({"method": "POST", "path": "/Messages\\.json$", "action": "429", "count": 1, "retry_after": 7})).await;
    let limited = sim
        .create(&[("To", PATIENT), ("From", "+15555550100"), ("Body", "x")])
        .await;
    assert_twilio_error(&limited, 429, 20429);
    assert_eq!(limited.headers["retry-after"], "7");
    // Count spent: the next request goes through, and the refused one was not stored.
    let ok = sim
        .create(&[("To", PATIENT), ("From", "+15555550100"), ("Body", "x")])
        .await;
    assert_eq!(ok.status, 201);
    assert_eq!(sim.ground_truth().await.len(), 1);
}

#[tokio::test]
async fn server_error_and_method_filter() {
    let sim = TestSim::start().await;
    set_fault(&sim, json!({"method": "GET", "action": "500"})).await;
    let failed = sim.get(&sim.messages_path()).await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.json["code"], 20500);
    assert_eq!(
        sim.send_text(PATIENT, "POST is unaffected").await.status,
        201
    );
    // The control API is never faulted, so faults can always be cleared.
    let cleared = sim.control(Method::DELETE, "/_sim/faults", json!({})).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(sim.get(&sim.messages_path()).await.status, 200);
}

#[tokio::test]
async fn reset_is_a_connection_error_and_stores_nothing() {
    let sim = TestSim::start().await;
    set_fault(
        &sim,
        json!({"method": "POST", "action": "reset", "count": 1}),
    )
    .await;
    let error = create_request(&sim)
        .send()
        .await
        .expect_err("connection must fail");
    assert!(!error.is_status(), "{error:?}");
    assert!(sim.ground_truth().await.is_empty());
    assert_eq!(create_request(&sim).send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn drop_after_commit_is_an_error_but_the_message_exists() {
    let sim = TestSim::start().await;
    set_fault(
        &sim,
        json!({"path": "Messages", "action": "drop_response_after_commit", "count": 1}),
    )
    .await;
    let error = create_request(&sim)
        .send()
        .await
        .expect_err("response must be lost");
    assert!(!error.is_status(), "{error:?}");
    let truth = sim.ground_truth().await;
    assert_eq!(truth.len(), 1);
    assert_eq!(truth[0]["body"], "fault test");
}

#[tokio::test]
async fn delay_then_normal_processing() {
    let sim = TestSim::start().await;
    set_fault(
        &sim,
        json!({"action": "delay", "delay_ms": 300, "count": 1}),
    )
    .await;
    let started = Instant::now();
    let reply = sim.get(&sim.messages_path()).await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    sim.get(&sim.messages_path()).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn probability_zero_never_fires_and_rules_are_listed() {
    let sim = TestSim::start().await;
    set_fault(&sim, json!({"action": "500", "probability": 0.0})).await;
    for _ in 0..20 {
        assert_eq!(sim.get(&sim.messages_path()).await.status, 200);
    }
    let listed = sim.get("/_sim/faults").await;
    assert_eq!(listed.json["rules"][0]["action"], "500");
    let bad = sim
        .control(
            Method::POST,
            "/_sim/faults",
            json!({"rules": [{"action": "500", "path": "("}]}),
        )
        .await;
    assert_eq!(bad.status, 400);
}
