//! Status lifecycle on the simulator clock, planned outcomes, and Advanced Opt-Out.

mod common;

use common::*;
use serde_json::{json, Value};

async fn status_after(sim: &TestSim, sid: &str) -> Value {
    sim.get(&format!("{}/Messages/{sid}.json", sim.account_path()))
        .await
        .json
}

#[tokio::test]
async fn default_lifecycle_on_an_advanced_clock() {
    let sim = TestSim::start().await;
    // Real time also moves the clock: start far from any transition boundary.
    let created = sim.send_text(PATIENT, "hello").await.json;
    let sid = created["sid"].as_str().unwrap();
    assert_eq!(created["status"], "queued");
    sim.post_control("/_sim/clock", json!({"advance_seconds": 1.5}))
        .await;
    let sending = status_after(&sim, sid).await;
    assert_eq!(sending["status"], "sending");
    assert!(sending["date_sent"].is_string());
    sim.post_control("/_sim/clock", json!({"advance_seconds": 1.0}))
        .await;
    let sent = status_after(&sim, sid).await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["price"], "-0.00790");
    sim.post_control("/_sim/clock", json!({"advance_seconds": 60}))
        .await;
    let delivered = status_after(&sim, sid).await;
    assert_eq!(delivered["status"], "delivered");
    // date_updated is the moment of the last transition, not the time of reading.
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc2822(v.as_str().unwrap()).unwrap();
    let age = parse(&delivered["date_updated"]) - parse(&created["date_created"]);
    assert!((3..=5).contains(&age.num_seconds()), "{age}");
}

#[tokio::test]
async fn planned_outcomes() {
    let sim = TestSim::start().await;
    let cases = [
        (
            "+15551110001",
            json!({"status": "undelivered", "error_code": 30003}),
            "undelivered",
            Some(30003),
        ),
        (
            "+15551110002",
            json!({"status": "undelivered", "error_code": 30006}),
            "undelivered",
            Some(30006),
        ),
        (
            "+15551110003",
            json!({"status": "failed", "error_code": 30007}),
            "failed",
            Some(30007),
        ),
        ("+15551110004", json!({"status": "sent"}), "sent", None),
        (
            "+15551110005",
            json!({"status": "delivered"}),
            "delivered",
            None,
        ),
    ];
    let mut sids = Vec::new();
    for (to, plan, _, _) in &cases {
        let mut plan = plan.clone();
        plan["to"] = json!(to);
        sim.post_control("/_sim/outcomes", plan).await;
        sids.push(
            sim.send_text(to, "hi").await.json["sid"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    sim.post_control("/_sim/clock", json!({"advance_seconds": 30}))
        .await;
    for ((_, _, status, code), sid) in cases.iter().zip(&sids) {
        let m = status_after(&sim, sid).await;
        assert_eq!(m["status"], *status, "{m}");
        assert_eq!(m["error_code"].as_u64(), code.map(|c: u64| c), "{m}");
        assert_eq!(m["error_message"].is_string(), code.is_some());
    }

    sim.post_control(
        "/_sim/outcomes",
        json!({"to": "+15551110009", "status": "failed", "error_code": 21614}),
    )
    .await;
    assert_twilio_error(&sim.send_text("+15551110009", "hi").await, 400, 21614);
    sim.post_control(
        "/_sim/outcomes",
        json!({"to": "+15551110010", "status": "rejected", "error_code": 21211}),
    )
    .await;
    assert_twilio_error(&sim.send_text("+15551110010", "hi").await, 400, 21211);
    let bad = sim
        .control(
            reqwest::Method::POST,
            "/_sim/outcomes",
            json!({"to": "+1555", "status": "lost"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn stop_blocks_and_start_allows() {
    let sim = TestSim::start().await;
    assert_eq!(sim.send_text(PATIENT, "first").await.status, 201);
    let stop = sim
        .post_control(
            "/_sim/inbound",
            json!({"from": PATIENT, "to": "+15555550100", "body": "  Stop! "}),
        )
        .await;
    assert_eq!(stop.json["direction"], "inbound");
    assert_eq!(stop.json["body"], "  Stop! ");
    assert_twilio_error(&sim.send_text(PATIENT, "after stop").await, 400, 21610);
    // The opt-out is per clinic number.
    let other = sim
        .create(&[
            ("To", PATIENT),
            ("From", "+15555550101"),
            ("Body", "other line"),
        ])
        .await;
    assert_eq!(other.status, 201);
    sim.post_control(
        "/_sim/inbound",
        json!({"from": PATIENT, "to": "+15555550100", "body": "start"}),
    )
    .await;
    assert_eq!(sim.send_text(PATIENT, "welcome back").await.status, 201);
    for word in [
        "CANCEL",
        "unsubscribe",
        "quit.",
        "End",
        "revoke",
        "optout",
        "stopall",
    ] {
        sim.post_control("/_sim/inbound", json!({"from": PATIENT, "body": word}))
            .await;
        assert_twilio_error(&sim.send_text(PATIENT, "x").await, 400, 21610);
        sim.post_control("/_sim/inbound", json!({"from": PATIENT, "body": "UNSTOP"}))
            .await;
    }
    // Plain words are not a keyword.
    sim.post_control(
        "/_sim/inbound",
        json!({"from": PATIENT, "body": "please stop texting me"}),
    )
    .await;
    assert_eq!(sim.send_text(PATIENT, "still allowed").await.status, 201);
}

#[tokio::test]
async fn help_gets_an_automatic_reply() {
    let sim = TestSim::start().await;
    sim.post_control("/_sim/inbound", json!({"from": PATIENT, "body": "help"}))
        .await;
    let truth = sim.ground_truth().await;
    assert_eq!(truth.len(), 2);
    assert_eq!(truth[0]["direction"], "inbound");
    assert_eq!(truth[1]["direction"], "outbound-reply");
    assert_eq!(truth[1]["to"], PATIENT);
    assert_eq!(truth[1]["from"], "+15555550100");
    let bad = sim
        .control(
            reqwest::Method::POST,
            "/_sim/inbound",
            json!({"from": PATIENT, "to": "+19999999999", "body": "x"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}
