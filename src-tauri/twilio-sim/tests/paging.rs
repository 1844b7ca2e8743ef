//! Listing: newest first, token paging that survives concurrent inserts, DateSent filters at day
//! granularity, Page without PageToken, and the visibility delay.

mod common;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate};
use common::*;
use serde_json::{json, Value};

fn sent_day(m: &Value) -> Option<NaiveDate> {
    let raw = m["date_sent"].as_str()?;
    DateTime::parse_from_rfc2822(raw)
        .ok()
        .map(|d| d.date_naive())
}

fn sent_instant(m: &Value) -> i64 {
    let raw = m["date_sent"]
        .as_str()
        .or(m["date_created"].as_str())
        .unwrap();
    DateTime::parse_from_rfc2822(raw).unwrap().timestamp()
}

#[tokio::test]
async fn newest_first_with_envelope() {
    let sim = TestSim::start().await;
    sim.post_control(
        "/_sim/seed",
        json!({"patients": 20, "messages": 120, "days": 3}),
    )
    .await;
    let first = sim
        .get(&format!("{}?PageSize=50", sim.messages_path()))
        .await;
    let env = &first.json;
    assert_eq!(env["page"], 0);
    assert_eq!(env["page_size"], 50);
    assert_eq!(env["start"], 0);
    assert_eq!(env["end"], 49);
    assert_eq!(env["previous_page_uri"], Value::Null);
    assert!(env["uri"]
        .as_str()
        .unwrap()
        .starts_with(&sim.messages_path()));
    assert_eq!(
        env["first_page_uri"],
        format!("{}?PageSize=50&Page=0", sim.messages_path())
    );
    let next = env["next_page_uri"].as_str().unwrap();
    assert!(next.contains("Page=1&PageToken=PA"), "{next}");
    let keys: HashSet<_> = env.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 9);

    let all = sim
        .list_all(&format!("{}?PageSize=50", sim.messages_path()))
        .await;
    assert_eq!(all.len(), 120);
    assert_unique(&sids(&all));
    let times: Vec<_> = all.iter().map(sent_instant).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "not newest first");

    let second = sim.get(next).await;
    assert_eq!(second.json["page"], 1);
    assert_eq!(second.json["start"], 50);
    let previous = second.json["previous_page_uri"].as_str().unwrap();
    let back = sim.get(previous).await;
    assert_eq!(
        sids(back.json["messages"].as_array().unwrap()),
        sids(env["messages"].as_array().unwrap())
    );
}

#[tokio::test]
async fn page_without_token_is_20001() {
    let sim = TestSim::start().await;
    let reply = sim.get(&format!("{}?Page=1", sim.messages_path())).await;
    assert_twilio_error(&reply, 400, 20001);
    let reply = sim
        .get(&format!("{}?PageSize=1001", sim.messages_path()))
        .await;
    assert_twilio_error(&reply, 400, 20001);
    let reply = sim
        .get(&format!("{}?PageToken=garbage", sim.messages_path()))
        .await;
    assert_twilio_error(&reply, 400, 20001);
}

#[tokio::test]
async fn paging_is_stable_under_concurrent_inserts() {
    let sim = TestSim::start().await;
    sim.post_control(
        "/_sim/seed",
        json!({"patients": 50, "messages": 3000, "days": 2}),
    )
    .await;
    let before: HashSet<String> = sids(&sim.ground_truth().await).into_iter().collect();

    let writer = {
        let http = sim.http.clone();
        let url = format!("{}{}", sim.handle.base_url, sim.messages_path());
        let inbound_url = format!("{}/_sim/inbound", sim.handle.base_url);
        let (sid, token) = (
            sim.handle.account_sid.clone(),
            sim.handle.auth_token.clone(),
        );
        tokio::spawn(async move {
            for i in 0..150 {
                let to = format!("+1555300{i:04}");
                let sent = http
                    .post(&url)
                    .basic_auth(&sid, Some(&token))
                    .form(&[
                        ("To", to.as_str()),
                        ("From", "+15555550100"),
                        ("Body", "concurrent"),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(sent.status(), 201);
                let received = http
                    .post(&inbound_url)
                    .json(&json!({"from": to, "body": "reply"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(received.status(), 200);
                tokio::task::yield_now().await;
            }
        })
    };

    let listed = sim
        .list_all(&format!("{}?PageSize=100", sim.messages_path()))
        .await;
    writer.await.unwrap();
    let listed = assert_unique(&sids(&listed));
    let missing: Vec<_> = before.difference(&listed).collect();
    assert!(missing.is_empty(), "{} messages skipped", missing.len());
}

#[tokio::test]
async fn date_sent_filters_are_day_granular() {
    let sim = TestSim::start().await;
    sim.post_control(
        "/_sim/seed",
        json!({"patients": 30, "messages": 1500, "days": 6}),
    )
    .await;
    let truth = sim.ground_truth().await;
    let mut days: Vec<NaiveDate> = truth.iter().filter_map(sent_day).collect();
    days.sort();
    days.dedup();
    assert!(days.len() >= 5);
    let day = days[days.len() / 2];
    let expect = |keep: &dyn Fn(NaiveDate) -> bool| -> HashSet<String> {
        truth
            .iter()
            .filter(|m| sent_day(m).is_some_and(keep))
            .map(|m| m["sid"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |query: String| {
        let path = format!("{}?PageSize=1000&{query}", sim.messages_path());
        let sim = &sim;
        async move { assert_unique(&sids(&sim.list_all(&path).await)) }
    };

    let on_day = list(format!("DateSent={day}")).await;
    assert_eq!(on_day, expect(&|d| d == day));
    assert!(!on_day.is_empty());
    // A full datetime is truncated to its day.
    assert_eq!(list(format!("DateSent={day}T15:04:05Z")).await, on_day);
    assert_eq!(
        list(format!("DateSent>={day}")).await,
        expect(&|d| d >= day)
    );
    assert_eq!(
        list(format!("DateSent%3E={day}T23:59:59Z")).await,
        expect(&|d| d >= day)
    );
    assert_eq!(
        list(format!("DateSent<={day}")).await,
        expect(&|d| d <= day)
    );
    let next = days[days.len() / 2 + 1];
    assert_eq!(
        list(format!("DateSent>={day}&DateSent<={next}")).await,
        expect(&|d| d == day || d == next)
    );
    let bad = sim
        .get(&format!("{}?DateSent=someday", sim.messages_path()))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn to_and_from_filters() {
    let sim = TestSim::start().await;
    sim.post_control(
        "/_sim/seed",
        json!({"patients": 5, "messages": 300, "days": 2}),
    )
    .await;
    let patient = "+12015550103";
    let to = sim
        .list_all(&format!(
            "{}?To=%2B12015550103&PageSize=7",
            sim.messages_path()
        ))
        .await;
    assert!(!to.is_empty());
    assert!(to.iter().all(|m| m["to"] == patient));
    let from = sim
        .list_all(&format!("{}?From=%2B12015550103", sim.messages_path()))
        .await;
    assert!(!from.is_empty());
    assert!(from
        .iter()
        .all(|m| m["from"] == patient && m["direction"] == "inbound"));
    let truth = sim.ground_truth().await;
    let involved = truth
        .iter()
        .filter(|m| m["to"] == patient || m["from"] == patient)
        .count();
    assert_eq!(to.len() + from.len(), involved);
}

#[tokio::test]
async fn visibility_delay_hides_new_messages_from_lists_only() {
    let sim = TestSim::start().await;
    sim.post_control("/_sim/visibility", json!({"delay_seconds": 120}))
        .await;
    let created = sim.send_text(PATIENT, "late").await;
    let sid = created.json["sid"].as_str().unwrap().to_string();
    let inbound = sim
        .post_control(
            "/_sim/inbound",
            json!({"from": PATIENT, "to": "+15555550100", "body": "hello"}),
        )
        .await;
    assert_eq!(inbound.json["status"], "received");
    let listed = sim.list_all(&sim.messages_path()).await;
    assert!(listed.is_empty());
    let fetched = sim
        .get(&format!("{}/Messages/{sid}.json", sim.account_path()))
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(sim.ground_truth().await.len(), 2);
    sim.post_control("/_sim/clock", json!({"advance_seconds": 121}))
        .await;
    let listed = sim.list_all(&sim.messages_path()).await;
    assert_eq!(listed.len(), 2);
}

#[tokio::test]
async fn seeded_texts_greet_each_patient_by_their_own_name_from_the_named_clinic() {
    let sim = TestSim::start().await;
    let names = ["Ana", "Ben", "Chloe"];
    sim.post_control(
        "/_sim/seed",
        json!({"patients": 3, "messages": 200, "days": 3, "first_names": names,
               "clinic_name": "Lakeside Family Clinic"}),
    )
    .await;
    let all = sim
        .list_all(&format!("{}?PageSize=100", sim.messages_path()))
        .await;
    let mut greeted = 0;
    for message in &all {
        let body = message["body"].as_str().unwrap();
        assert!(!body.contains("Riverside"), "{body}");
        let Some(rest) = body.strip_prefix("Hi ") else {
            continue;
        };
        let name = rest.split([',', '!', ' ']).next().unwrap();
        let to = message["to"].as_str().unwrap();
        let index = (0..3u32)
            .find(|i| twilio_sim::seed::patient_number(*i) == to)
            .unwrap_or_else(|| panic!("greeting to an unknown number: {message}"));
        assert_eq!(name, names[index as usize], "{body} to {to}");
        greeted += 1;
    }
    assert!(greeted > 5, "only {greeted} greetings in 200 texts");
}
