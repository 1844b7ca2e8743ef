//! Shared harness for the integration tests: a simulator on a free port and a small HTTP client
//! that speaks both Twilio's API (form bodies, Basic auth) and the control API (JSON).

#![allow(dead_code)]

use std::collections::HashSet;

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use twilio_sim::{SimConfig, SimHandle};

pub const PATIENT: &str = "+15551230000";
pub const KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
pub const KEY_SECRET: &str = "key-secret";
pub const SERVICE_SID: &str = "MG0123456789abcdef0123456789abcdef";

pub struct TestSim {
    pub handle: SimHandle,
    pub http: Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl TestSim {
    pub async fn start() -> Self {
        Self::start_with(SimConfig {
            seed: Some(7),
            api_keys: vec![format!("{KEY_SID}:{KEY_SECRET}").parse().unwrap()],
            messaging_services: vec![SERVICE_SID.to_string()],
            numbers: vec!["+15555550100".into(), "+15555550101".into()],
            ..SimConfig::default()
        })
        .await
    }

    pub async fn start_with(config: SimConfig) -> Self {
        let handle = twilio_sim::spawn(config).await.expect("simulator starts");
        let http = Client::builder().build().unwrap();
        TestSim { handle, http }
    }

    pub fn number(&self) -> &str {
        &self.handle.numbers[0]
    }

    pub fn account_path(&self) -> String {
        format!("/2010-04-01/Accounts/{}", self.handle.account_sid)
    }

    pub fn messages_path(&self) -> String {
        format!("{}/Messages.json", self.account_path())
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request completes");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
        }
    }

    pub fn request(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.http
            .request(
                method,
                format!("{}{}", self.handle.base_url, path_and_query),
            )
            .basic_auth(&self.handle.account_sid, Some(&self.handle.auth_token))
    }

    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.send(self.request(Method::GET, path_and_query)).await
    }

    pub async fn get_as(&self, path_and_query: &str, user: &str, password: &str) -> Reply {
        let request = self
            .http
            .get(format!("{}{}", self.handle.base_url, path_and_query))
            .basic_auth(user, Some(password));
        self.send(request).await
    }

    pub async fn create(&self, form: &[(&str, &str)]) -> Reply {
        let request = self.request(Method::POST, &self.messages_path()).form(form);
        self.send(request).await
    }

    pub async fn send_text(&self, to: &str, body: &str) -> Reply {
        let from = self.number().to_string();
        self.create(&[("To", to), ("From", &from), ("Body", body)])
            .await
    }

    pub async fn control(&self, method: Method, path: &str, body: Value) -> Reply {
        let request = self
            .http
            .request(method, format!("{}{}", self.handle.base_url, path))
            .json(&body);
        self.send(request).await
    }

    pub async fn post_control(&self, path: &str, body: Value) -> Reply {
        let reply = self.control(Method::POST, path, body).await;
        assert!(
            reply.status.is_success(),
            "{path}: {} {}",
            reply.status,
            reply.json
        );
        reply
    }

    pub async fn ground_truth(&self) -> Vec<Value> {
        let reply = self.get("/_sim/messages").await;
        reply.json["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Follows next_page_uri from `first` to the end; returns every message in order.
    pub async fn list_all(&self, first: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut next = Some(first.to_string());
        while let Some(uri) = next {
            let reply = self.get(&uri).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.json);
            all.extend(
                reply.json["messages"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            next = reply.json["next_page_uri"].as_str().map(str::to_string);
        }
        all
    }
}

pub fn sids(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["sid"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub fn assert_unique(sids: &[String]) -> HashSet<String> {
    let set: HashSet<_> = sids.iter().cloned().collect();
    assert_eq!(set.len(), sids.len(), "duplicate SIDs in listing");
    set
}

pub fn assert_twilio_error(reply: &Reply, http: u16, code: u64) {
    assert_eq!(reply.status.as_u16(), http, "{}", reply.json);
    assert_eq!(reply.json["code"], code, "{}", reply.json);
    assert_eq!(reply.json["status"], http);
    assert_eq!(
        reply.json["more_info"],
        format!("https://www.twilio.com/docs/errors/{code}")
    );
    assert!(reply.json["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
