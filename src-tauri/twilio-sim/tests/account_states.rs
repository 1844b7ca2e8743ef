//! What Save & Test reads, over real HTTP: account status and type, a suspended or closed
//! account refusing sends, a Trial account limited to verified numbers, and the Messaging API's
//! Service fetch.

mod common;

use common::*;
use twilio_sim::{AccountStatus, AccountType, SimConfig};

const VERIFIED: &str = "+14155550134";

fn with(change: impl FnOnce(&mut SimConfig)) -> SimConfig {
    let mut config = SimConfig {
        seed: Some(11),
        api_keys: vec![format!("{KEY_SID}:{KEY_SECRET}").parse().unwrap()],
        messaging_services: vec![SERVICE_SID.to_string()],
        ..SimConfig::default()
    };
    change(&mut config);
    config
}

#[tokio::test]
async fn a_suspended_account_reads_but_refuses_every_send() {
    let sim = TestSim::start_with(with(|c| c.account_status = AccountStatus::Suspended)).await;
    let account = sim.get(&format!("{}.json", sim.account_path())).await;
    assert_eq!(account.status, 200);
    assert_eq!(account.json["status"], "suspended");

    let numbers = sim
        .get(&format!("{}/IncomingPhoneNumbers.json", sim.account_path()))
        .await;
    assert_eq!(numbers.status, 200);
    assert_eq!(
        numbers.json["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let sent = sim.send_text(PATIENT, "hello").await;
    assert_twilio_error(&sent, 401, 20005);
    assert!(sim.ground_truth().await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_closed_account_has_released_its_numbers() {
    let sim = TestSim::start_with(with(|c| c.account_status = AccountStatus::Closed)).await;
    let account = sim.get(&format!("{}.json", sim.account_path())).await;
    assert_eq!(account.json["status"], "closed");
    let numbers = sim
        .get(&format!(
            "{}/IncomingPhoneNumbers.json?PhoneNumber=%2B15555550100",
            sim.account_path()
        ))
        .await;
    assert_eq!(numbers.status, 200);
    assert!(numbers.json["incoming_phone_numbers"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_twilio_error(&sim.send_text(PATIENT, "hello").await, 401, 20005);
}

#[tokio::test]
async fn a_trial_account_texts_only_verified_numbers() {
    let sim = TestSim::start_with(with(|c| {
        c.account_type = AccountType::Trial;
        c.verified_numbers = vec![VERIFIED.to_string()];
    }))
    .await;
    let account = sim.get(&format!("{}.json", sim.account_path())).await;
    assert_eq!(account.json["type"], "Trial");
    assert_eq!(account.json["status"], "active");

    let refused = sim.send_text(PATIENT, "hello").await;
    assert_twilio_error(&refused, 400, 21608);
    assert!(refused.json["message"]
        .as_str()
        .unwrap()
        .contains("unverified"));
    assert!(sim.ground_truth().await.is_empty());

    let sent = sim.send_text(VERIFIED, "hello").await;
    assert_eq!(sent.status, 201, "{}", sent.json);
}

#[tokio::test]
async fn messaging_services_are_fetched_with_a_token_or_a_key() {
    let sim = TestSim::start_with(with(|_| {})).await;
    let path = format!("/v1/Services/{SERVICE_SID}");
    let reply = sim.get(&path).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let service = &reply.json;
    assert_eq!(service["sid"], SERVICE_SID);
    assert_eq!(service["account_sid"], sim.handle.account_sid.as_str());
    assert_eq!(
        service["url"],
        format!("{}/v1/Services/{SERVICE_SID}", sim.handle.base_url)
    );
    assert!(service["date_created"].as_str().unwrap().ends_with('Z'));
    assert!(service["links"]["phone_numbers"].is_string());

    let with_key = sim.get_as(&path, KEY_SID, KEY_SECRET).await;
    assert_eq!(with_key.status, 200);
    assert_twilio_error(&sim.get_as(&path, KEY_SID, "wrong").await, 401, 20003);

    let unknown = sim
        .get("/v1/Services/MGffffffffffffffffffffffffffffffff")
        .await;
    assert_twilio_error(&unknown, 404, 20404);
}
