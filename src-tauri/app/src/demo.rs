//! Demo mode: with no Twilio account, the app runs against the bundled simulator on loopback with
//! a sample clinic, so a new user sees texts flow both ways without a Twilio account.
//!
//! Demo data lives in its own database file, recreated at every start, so it never mixes with a
//! clinic's records. The simulator's credentials are saved like real ones (encrypted, key in a
//! demo key file: nothing secret is at stake). A small responder plays the patients: a few
//! seconds after a text reaches one of them, they answer.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use clinic_desk_core::credentials::{self, KeyPolicy, KeyStore, TwilioCredentials};
use clinic_desk_core::paths::DEMO_DB_FILE;
use clinic_desk_core::store::patients::{LineType, PatientRecord};
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::Store;
use serde_json::{json, Value};
use twilio_sim::{SimConfig, SimHandle};

/// The sample clinic's patients, in the order of the simulator's seeded patient numbers.
const PATIENTS: [(&str, &str); 9] = [
    ("Ana", "Rivera"),
    ("Ben", "Okafor"),
    ("Chloe", "Nguyen"),
    ("Dmitri", "Volkov"),
    ("Esther", "Cohen"),
    ("Farah", "Haddad"),
    ("Gus", "Lindqvist"),
    ("Hana", "Sato"),
    ("Ivan", "Petrov"),
];

/// The demo patient whose number turns out to be a landline: texts to them end undelivered
/// (Twilio 30006), so a failed text and its reason can be seen.
const LANDLINE_PATIENT: usize = 8;

/// What each demo patient answers (same order as `PATIENTS`), one per text received, the last
/// repeated: confirmations, questions, a reschedule request, a HELP, a STOP and an opt-out in
/// plain words, so every path of the product can be seen working.
const REPLIES: [&[&str]; 9] = [
    &["C", "Thank you!"],
    &["Is there parking at the clinic?", "Great, thanks"],
    &["See you then 👍"],
    &["R"],
    &["HELP", "Thanks"],
    &["please stop texting me"],
    &["STOP"],
    &["Can I come 15 minutes later?", "OK"],
    &[],
];

const DEMO_CLINIC_NAME: &str = "Lakeside Family Clinic";

/// Demo clinic settings: a name and phone for the help text, the workstation's zone, and a
/// sending window covering the whole day so the demo can be tried at any hour.
const DEMO_SETTINGS: [(&str, &str); 4] = [
    ("clinic.name", DEMO_CLINIC_NAME),
    ("clinic.phone", "+15555550100"),
    ("sending_window.start", "00:00"),
    ("sending_window.end", "23:59"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo simulator could not start: {0}")]
    Simulator(String),
    #[error(transparent)]
    Core(#[from] clinic_desk_core::Error),
    #[error(transparent)]
    Store(#[from] clinic_desk_core::store::StoreError),
    #[error(transparent)]
    Credentials(#[from] clinic_desk_core::credentials::CredentialsError),
}

/// The running demo: dropping it stops the simulator.
pub struct Demo {
    _sim: SimHandle,
}

/// Starts the simulator, recreates the demo database with a sample clinic, and saves the
/// simulator's credentials into it. Returns the store and key store the app then runs on.
pub fn start(data_dir: &Path) -> Result<(Store, KeyStore, Demo), DemoError> {
    let db_path = data_dir.join(DEMO_DB_FILE);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let sim = tauri::async_runtime::block_on(async {
        let sim = twilio_sim::spawn(SimConfig {
            seed: Some(2026),
            ..SimConfig::default()
        })
        .await
        .map_err(|e| DemoError::Simulator(e.to_string()))?;
        control(
            &sim,
            "/_sim/seed",
            json!({
                "patients": PATIENTS.len(),
                "messages": 120,
                "days": 7,
                "first_names": PATIENTS.iter().map(|(first, _)| *first).collect::<Vec<_>>(),
                "clinic_name": DEMO_CLINIC_NAME,
            }),
        )
        .await?;
        control(
            &sim,
            "/_sim/outcomes",
            json!({
                "to": twilio_sim::seed::patient_number(LANDLINE_PATIENT as u32),
                "status": "undelivered",
                "error_code": 30006,
            }),
        )
        .await?;
        Ok::<_, DemoError>(sim)
    })?;

    let store = Store::open(&db_path)?;
    for (key, value) in DEMO_SETTINGS {
        store.set_setting(key, value)?;
    }
    store.set_setting(
        "clinic.timezone",
        clinic_desk_core::settings::system_timezone().name(),
    )?;
    for (index, (first, last)) in PATIENTS.iter().enumerate() {
        store.insert_patient(&PatientRecord {
            first_name: (*first).to_string(),
            last_name: (*last).to_string(),
            preferred_language: "en".to_string(),
            time_zone: None,
            phone_e164: twilio_sim::seed::patient_number(index as u32),
            line_type: LineType::Mobile,
        })?;
    }
    let keys = KeyStore::new(KeyPolicy::FileOnly {
        path: data_dir.join("clinic-desk-demo.key"),
    })
    .map_err(credentials::CredentialsError::from)?;
    credentials::save(
        &store,
        &keys,
        &TwilioCredentials {
            account_sid: sim.account_sid.clone(),
            auth: Auth::Token(Secret::new(sim.auth_token.clone())),
            from_number: Some(sim.numbers[0].clone()),
            messaging_service_sid: None,
            api_base: sim.base_url.clone(),
        },
    )?;
    let responder_base = sim.base_url.clone();
    let clinic = sim.numbers[0].clone();
    tauri::async_runtime::spawn(respond_to_texts(responder_base, clinic));
    Ok((store, keys, Demo { _sim: sim }))
}

async fn control(sim: &SimHandle, path: &str, body: Value) -> Result<Value, DemoError> {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sim.base_url))
        .json(&body)
        .send()
        .await
        .map_err(|e| DemoError::Simulator(e.to_string()))?;
    response
        .json()
        .await
        .map_err(|e| DemoError::Simulator(e.to_string()))
}

/// Plays the patients: each text from the clinic that reaches a demo patient gets an answer a
/// few seconds later, as a real patient's would.
async fn respond_to_texts(base_url: String, clinic: String) {
    let http = reqwest::Client::new();
    let mut answered: HashSet<String> = HashSet::new();
    let mut first_pass = true;
    let mut received: HashMap<String, usize> = HashMap::new();
    let patient_index: HashMap<String, usize> = (0..PATIENTS.len())
        .map(|i| (twilio_sim::seed::patient_number(i as u32), i))
        .collect();
    loop {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let Ok(response) = http.get(format!("{base_url}/_sim/messages")).send().await else {
            continue;
        };
        let Ok(all) = response.json::<Value>().await else {
            continue;
        };
        let Some(messages) = all["messages"].as_array() else {
            continue;
        };
        for message in messages {
            let (Some(sid), Some(to)) = (message["sid"].as_str(), message["to"].as_str()) else {
                continue;
            };
            if message["direction"] != "outbound-api" || !answered.insert(sid.to_string()) {
                continue;
            }
            // The seeded history is already answered; only new texts get replies.
            if first_pass {
                continue;
            }
            let Some(&index) = patient_index.get(to) else {
                continue;
            };
            // A text that never reached the phone gets no answer.
            if matches!(message["status"].as_str(), Some("undelivered" | "failed")) {
                continue;
            }
            let answers = REPLIES[index];
            let Some(last) = answers.len().checked_sub(1) else {
                continue;
            };
            let count = received.entry(to.to_string()).or_default();
            let body = answers[(*count).min(last)];
            *count += 1;
            let _ = http
                .post(format!("{base_url}/_sim/inbound"))
                .json(&json!({"from": to, "to": clinic, "body": body}))
                .send()
                .await;
        }
        first_pass = false;
    }
}
