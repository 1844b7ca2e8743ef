//! Twilio API surface over real HTTP: auth, account, numbers, create validation, fetch, JSON shape.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn account_fetch_needs_the_auth_token() {
    let sim = TestSim::start().await;
    let path = format!("{}.json", sim.account_path());
    let reply = sim.get(&path).await;
    assert_eq!(reply.status, 200);
    let account = &reply.json;
    assert_eq!(account["sid"], sim.handle.account_sid.as_str());
    assert_eq!(account["status"], "active");
    assert_eq!(account["type"], "Full");
    for field in [
        "auth_token",
        "date_created",
        "date_updated",
        "friendly_name",
        "owner_account_sid",
        "subresource_uris",
        "uri",
    ] {
        assert!(!account[field].is_null(), "{field}");
    }

    let with_key = sim.get_as(&path, KEY_SID, KEY_SECRET).await;
    assert_twilio_error(&with_key, 401, 20003);
    let wrong_password = sim.get_as(&path, &sim.handle.account_sid, "wrong").await;
    assert_twilio_error(&wrong_password, 401, 20003);
    assert!(wrong_password.headers.contains_key("www-authenticate"));
    let no_auth = sim
        .http
        .get(format!("{}{path}", sim.handle.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(no_auth.status(), 401);
}

#[tokio::test]
async fn api_key_can_send_and_list_but_wrong_account_cannot() {
    let sim = TestSim::start().await;
    let list = sim.messages_path();
    assert_eq!(sim.get_as(&list, KEY_SID, KEY_SECRET).await.status, 200);
    assert_twilio_error(&sim.get_as(&list, KEY_SID, "nope").await, 401, 20003);
    let other = "/2010-04-01/Accounts/ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/Messages.json";
    assert_twilio_error(&sim.get(other).await, 401, 20003);
    let sent = sim
        .http
        .post(format!("{}{list}", sim.handle.base_url))
        .basic_auth(KEY_SID, Some(KEY_SECRET))
        .form(&[("To", PATIENT), ("From", "+15555550100"), ("Body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
}

#[tokio::test]
async fn create_returns_twilio_message_json() {
    let sim = TestSim::start().await;
    let reply = sim
        .send_text(PATIENT, "Your appointment is on Monday at 9:15 AM.")
        .await;
    assert_eq!(reply.status, 201, "{}", reply.json);
    let m = &reply.json;
    let sid = m["sid"].as_str().unwrap();
    assert!(sid.starts_with("SM") && sid.len() == 34);
    assert_eq!(m["status"], "queued");
    assert_eq!(m["direction"], "outbound-api");
    assert_eq!(m["api_version"], "2010-04-01");
    assert_eq!(m["num_segments"], "1");
    assert_eq!(m["num_media"], "0");
    assert_eq!(m["price"], serde_json::Value::Null);
    assert_eq!(m["price_unit"], "USD");
    assert_eq!(m["date_sent"], serde_json::Value::Null);
    assert_eq!(m["error_code"], serde_json::Value::Null);
    assert!(m["date_created"].as_str().unwrap().ends_with(" +0000"));
    assert_eq!(
        m["uri"],
        format!("{}/Messages/{sid}.json", sim.account_path())
    );
    assert_eq!(
        m["subresource_uris"]["media"],
        format!("{}/Messages/{sid}/Media.json", sim.account_path())
    );
    assert_eq!(m.as_object().unwrap().len(), 20);

    let fetched = sim
        .get(&format!("{}/Messages/{sid}.json", sim.account_path()))
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json["sid"], sid);

    let long = "ł".repeat(71);
    let two_segments = sim.send_text(PATIENT, &long).await;
    assert_eq!(two_segments.json["num_segments"], "2");
}

#[tokio::test]
async fn messaging_service_starts_accepted() {
    let sim = TestSim::start().await;
    let reply = sim
        .create(&[
            ("To", PATIENT),
            ("MessagingServiceSid", SERVICE_SID),
            ("Body", "hi"),
        ])
        .await;
    assert_eq!(reply.status, 201, "{}", reply.json);
    assert_eq!(reply.json["status"], "accepted");
    assert_eq!(reply.json["messaging_service_sid"], SERVICE_SID);
    assert_eq!(reply.json["from"], "+15555550100");
    let unknown = sim
        .create(&[
            ("To", PATIENT),
            ("MessagingServiceSid", "MGffffffffffffffffffffffffffffffff"),
            ("Body", "hi"),
        ])
        .await;
    assert_eq!(unknown.status, 400);
}

#[tokio::test]
async fn smart_encoded_swaps_lookalikes() {
    let sim = TestSim::start().await;
    let from = sim.number().to_string();
    let reply = sim
        .create(&[
            ("To", PATIENT),
            ("From", &from),
            ("Body", "It’s “fine”"),
            ("SmartEncoded", "true"),
        ])
        .await;
    assert_eq!(reply.json["body"], "It's \"fine\"");
}

#[tokio::test]
async fn validation_codes() {
    let sim = TestSim::start().await;
    let from = sim.number().to_string();
    let cases: Vec<(Vec<(&str, &str)>, u64)> = vec![
        (vec![("From", &from), ("Body", "x")], 21604),
        (vec![("To", PATIENT), ("Body", "x")], 21603),
        (vec![("To", PATIENT), ("From", &from)], 21602),
        (
            vec![("To", PATIENT), ("From", &from), ("Body", "   ")],
            21602,
        ),
        (
            vec![("To", "5551230000"), ("From", &from), ("Body", "x")],
            21211,
        ),
        (
            vec![("To", "+1555abc"), ("From", &from), ("Body", "x")],
            21211,
        ),
        (
            vec![("To", PATIENT), ("From", "+15559999999"), ("Body", "x")],
            21606,
        ),
        (
            vec![("To", PATIENT), ("From", "not-a-number"), ("Body", "x")],
            21212,
        ),
        (
            vec![("To", "+15005550001"), ("From", &from), ("Body", "x")],
            21211,
        ),
        (
            vec![("To", "+15005550002"), ("From", &from), ("Body", "x")],
            21612,
        ),
        (
            vec![("To", "+15005550003"), ("From", &from), ("Body", "x")],
            21408,
        ),
        (
            vec![("To", "+15005550004"), ("From", &from), ("Body", "x")],
            21610,
        ),
        (
            vec![("To", "+15005550009"), ("From", &from), ("Body", "x")],
            21614,
        ),
    ];
    for (form, code) in cases {
        let reply = sim.create(&form).await;
        assert_twilio_error(&reply, 400, code);
    }
    let too_long = "a".repeat(1_601);
    assert_twilio_error(&sim.send_text(PATIENT, &too_long).await, 400, 21617);
    assert_eq!(sim.send_text(PATIENT, &"a".repeat(1_600)).await.status, 201);
    // Only the accepted text was stored: refusals leave nothing behind.
    assert_eq!(sim.ground_truth().await.len(), 1);
}

#[tokio::test]
async fn malformed_bodies_never_crash() {
    let sim = TestSim::start().await;
    let url = format!("{}{}", sim.handle.base_url, sim.messages_path());
    for body in [&b"%%%&&=="[..], &[0xff, 0xfe, b'=', 0x80], b"To", b"=&=&="] {
        let response = sim
            .http
            .post(&url)
            .basic_auth(&sim.handle.account_sid, Some(&sim.handle.auth_token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
    for path in [
        "/_sim/inbound",
        "/_sim/outcomes",
        "/_sim/faults",
        "/_sim/clock",
        "/_sim/seed",
    ] {
        let response = sim
            .http
            .post(format!("{}{path}", sim.handle.base_url))
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("JSON"), "{body}");
    }
    let wrong_shape = sim
        .control(
            Method::POST,
            "/_sim/clock",
            json!({"advance_seconds": "soon"}),
        )
        .await;
    assert_eq!(wrong_shape.status, 400);
    let negative = sim
        .control(Method::POST, "/_sim/clock", json!({"advance_seconds": -5}))
        .await;
    assert_eq!(negative.status, 400);
    let garbage_query = sim
        .get(&format!(
            "{}?PageSize=%ZZ&DateSent=%FF",
            sim.messages_path()
        ))
        .await;
    assert_eq!(garbage_query.status, 400);
}

#[tokio::test]
async fn fetch_unknown_is_20404() {
    let sim = TestSim::start().await;
    let path = format!(
        "{}/Messages/SM00000000000000000000000000000000.json",
        sim.account_path()
    );
    assert_twilio_error(&sim.get(&path).await, 404, 20404);
    assert_twilio_error(&sim.get("/2010-04-01/Nope.json").await, 404, 20404);
}

#[tokio::test]
async fn incoming_phone_numbers_filter() {
    let sim = TestSim::start().await;
    let base = format!("{}/IncomingPhoneNumbers.json", sim.account_path());
    let all = sim.get(&base).await;
    assert_eq!(all.status, 200);
    assert_eq!(
        all.json["incoming_phone_numbers"].as_array().unwrap().len(),
        2
    );
    let one = sim.get(&format!("{base}?PhoneNumber=%2B15555550101")).await;
    let numbers = one.json["incoming_phone_numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 1);
    assert_eq!(numbers[0]["phone_number"], "+15555550101");
    assert!(numbers[0]["sid"].as_str().unwrap().starts_with("PN"));
    assert_eq!(numbers[0]["capabilities"]["sms"], true);
    let none = sim.get(&format!("{base}?PhoneNumber=%2B19999999999")).await;
    assert_eq!(
        none.json["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(none.json["next_page_uri"], serde_json::Value::Null);
    let key = sim.get_as(&base, KEY_SID, KEY_SECRET).await;
    assert_eq!(key.status, 200);
}

#[tokio::test]
async fn health_and_reset() {
    let sim = TestSim::start().await;
    assert_eq!(sim.get("/_sim/health").await.status, 200);
    sim.send_text(PATIENT, "hi").await;
    assert_eq!(sim.ground_truth().await.len(), 1);
    sim.post_control("/_sim/reset", json!({})).await;
    assert!(sim.ground_truth().await.is_empty());
}
