//! Save & Test against the Twilio simulator over real HTTP, with a real SQLite file and key file:
//! good credentials, a wrong token, a number or Messaging Service not on the account, suspended
//! and closed accounts, a trial account texting an unverified number, Twilio out of reach (with
//! and without saving offline), API keys, and the secret kept out of every report and error.

use std::net::TcpListener;
use std::ops::ControlFlow;

use clinic_desk_core::credentials::{self, KeyPolicy, KeyStore, TwilioCredentials};
use clinic_desk_core::crypto::KEY_FILE_NAME;
use clinic_desk_core::setup_check::{
    self, StepKind, StepOutcome, StepProblem, TestReport, TEST_TEXT_BODY,
};
use clinic_desk_core::store::audit::AuditFilter;
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::{Error, ErrorCode, Store};
use twilio_sim::{AccountStatus, AccountType, SimConfig, SimHandle};

const TOKEN: &str = "sim-token-5ecret-0123456789abcdef";
const KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";
const KEY_SECRET: &str = "key-5ecret-fedcba9876543210fedcba";
const SERVICE: &str = "MG0123456789abcdef0123456789abcdef";
const ADMIN_PHONE: &str = "+14155550134";
const ACTOR: &str = "admin desk";

struct Desk {
    _dir: tempfile::TempDir,
    store: Store,
    keys: KeyStore,
}

impl Desk {
    /// Save & Test on this desk's database and key store, as the test admin.
    async fn save_and_test(
        &self,
        creds: &TwilioCredentials,
        test_to: Option<&str>,
        offline_save: bool,
    ) -> Result<TestReport, Error> {
        setup_check::save_and_test(&self.store, &self.keys, creds, test_to, ACTOR, offline_save)
            .await
    }
}

fn new_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let keys = KeyStore::new(KeyPolicy::FileOnly {
        path: dir.path().join(KEY_FILE_NAME),
    })
    .unwrap();
    Desk {
        _dir: dir,
        store,
        keys,
    }
}

async fn sim(change: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut config = SimConfig {
        seed: Some(3),
        auth_token: TOKEN.to_string(),
        api_keys: vec![format!("{KEY_SID}:{KEY_SECRET}").parse().unwrap()],
        messaging_services: vec![SERVICE.to_string()],
        ..SimConfig::default()
    };
    change(&mut config);
    twilio_sim::spawn(config).await.expect("simulator starts")
}

fn token_creds(sim: &SimHandle, token: &str) -> TwilioCredentials {
    TwilioCredentials {
        account_sid: sim.account_sid.clone(),
        auth: Auth::Token(Secret::new(token)),
        from_number: Some(sim.numbers[0].clone()),
        messaging_service_sid: None,
        api_base: sim.base_url.clone(),
    }
}

fn key_creds(sim: &SimHandle, secret: &str) -> TwilioCredentials {
    TwilioCredentials {
        auth: Auth::ApiKey {
            key_sid: KEY_SID.to_string(),
            secret: Secret::new(secret),
        },
        ..token_creds(sim, TOKEN)
    }
}

fn outcomes(report: &TestReport) -> Vec<StepOutcome> {
    report.steps.iter().map(|s| s.outcome).collect()
}

fn step(report: &TestReport, kind: StepKind) -> &setup_check::TestStep {
    report.step(kind).expect("every step is reported")
}

fn audit_actions(store: &Store) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    store
        .scan_audit(&AuditFilter::default(), |row| {
            rows.push((row.action, row.detail));
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

/// The report as the UI and `--json` see it, and as a log line would print it.
fn assert_no_secret(report: &TestReport) {
    let json = serde_json::to_string(report).unwrap();
    let debug = format!("{report:?}");
    for secret in [TOKEN, KEY_SECRET] {
        assert!(!json.contains(secret), "secret in JSON: {json}");
        assert!(!debug.contains(secret), "secret in Debug: {debug}");
    }
}

fn assert_nothing_saved(desk: &Desk) {
    assert!(credentials::load(&desk.store, &desk.keys)
        .unwrap()
        .is_none());
    assert!(
        !audit_actions(&desk.store)
            .iter()
            .any(|(action, _)| action == "credentials.changed"),
        "no credentials change was audited"
    );
}

async fn sim_messages(sim: &SimHandle) -> Vec<serde_json::Value> {
    let value: serde_json::Value = reqwest::get(format!("{}/_sim/messages", sim.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    value["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn good_credentials_pass_every_step_and_are_saved() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let creds = token_creds(&sim, TOKEN);
    let report = desk
        .save_and_test(&creds, Some("(415) 555-0134"), false)
        .await
        .unwrap();

    assert_eq!(outcomes(&report), vec![StepOutcome::Pass; 3], "{report:#?}");
    assert!(report.passed && report.saved && !report.offline);
    assert_eq!(report.warning, None);
    let account = report.account.as_ref().unwrap();
    assert_eq!(account.status.as_deref(), Some("active"));
    assert_eq!(account.account_type.as_deref(), Some("Full"));
    assert!(step(&report, StepKind::Credentials)
        .reason
        .contains("active, a full account"));
    assert!(step(&report, StepKind::Sender)
        .reason
        .contains("+15555550100 belongs to this Twilio account"));
    assert_no_secret(&report);

    let saved = credentials::load(&desk.store, &desk.keys).unwrap().unwrap();
    assert_eq!(saved.account_sid, sim.account_sid);
    match saved.auth {
        Auth::Token(token) => assert_eq!(token.expose(), TOKEN),
        other => panic!("unexpected {other:?}"),
    }

    let sent = sim_messages(&sim).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], ADMIN_PHONE);
    assert_eq!(sent[0]["body"], TEST_TEXT_BODY);
    assert_eq!(
        report.test_message_sid.as_deref(),
        sent[0]["sid"].as_str(),
        "the report names the text Twilio created"
    );

    let audit = audit_actions(&desk.store);
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, vec!["text.sent", "credentials.changed"]);
    assert!(audit[0].1.contains("setup_test"));
}

#[tokio::test]
async fn a_wrong_token_fails_step_one_and_nothing_is_saved() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let wrong = "wrong-token-00000000000000000000";
    let report = desk
        .save_and_test(&token_creds(&sim, wrong), Some(ADMIN_PHONE), false)
        .await
        .unwrap();

    assert_eq!(
        outcomes(&report),
        vec![
            StepOutcome::Fail,
            StepOutcome::Skipped,
            StepOutcome::Skipped
        ]
    );
    let first = step(&report, StepKind::Credentials);
    assert_eq!(first.problem, Some(StepProblem::WrongCredentials));
    assert_eq!(first.twilio_code, Some(20003));
    assert!(
        first.reason.starts_with("wrong token: "),
        "{}",
        first.reason
    );
    assert!(!report.passed && !report.saved);
    assert!(report.summary.starts_with("not saved: wrong token"));
    assert!(!first.reason.contains(wrong) && !report.summary.contains(wrong));
    assert_nothing_saved(&desk);
    assert!(sim_messages(&sim).await.is_empty(), "no test text was sent");
}

#[tokio::test]
async fn a_number_not_on_the_account_fails_step_two() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let mut creds = token_creds(&sim, TOKEN);
    creds.from_number = Some("+15555550199".to_string());
    let report = desk
        .save_and_test(&creds, Some(ADMIN_PHONE), false)
        .await
        .unwrap();

    assert_eq!(
        outcomes(&report),
        vec![StepOutcome::Pass, StepOutcome::Fail, StepOutcome::Skipped]
    );
    let sender = step(&report, StepKind::Sender);
    assert_eq!(sender.problem, Some(StepProblem::NumberNotOnAccount));
    assert!(
        sender
            .reason
            .starts_with("number not on this account: +15555550199"),
        "{}",
        sender.reason
    );
    assert_nothing_saved(&desk);
    assert!(sim_messages(&sim).await.is_empty());
}

#[tokio::test]
async fn a_messaging_service_is_checked_through_the_messaging_api() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let mut creds = token_creds(&sim, TOKEN);
    creds.from_number = None;
    creds.messaging_service_sid = Some(SERVICE.to_string());
    let report = desk
        .save_and_test(&creds, Some(ADMIN_PHONE), false)
        .await
        .unwrap();
    assert_eq!(outcomes(&report), vec![StepOutcome::Pass; 3], "{report:#?}");
    assert_eq!(report.sender, SERVICE);
    assert!(step(&report, StepKind::Sender).reason.contains(SERVICE));
    assert!(report.saved);
    let sent = sim_messages(&sim).await;
    assert_eq!(sent[0]["messaging_service_sid"], SERVICE);

    let other = new_desk();
    creds.messaging_service_sid = Some("MGffffffffffffffffffffffffffffffff".to_string());
    let report = other.save_and_test(&creds, None, false).await.unwrap();
    let sender = step(&report, StepKind::Sender);
    assert_eq!(sender.problem, Some(StepProblem::ServiceNotFound));
    assert!(sender
        .reason
        .starts_with("Messaging Service not on this account"));
    assert_nothing_saved(&other);
}

#[tokio::test]
async fn a_suspended_or_closed_account_fails_step_one() {
    for (status, problem, words) in [
        (
            AccountStatus::Suspended,
            StepProblem::AccountSuspended,
            "the Twilio account is suspended: ",
        ),
        (
            AccountStatus::Closed,
            StepProblem::AccountClosed,
            "the Twilio account is closed: ",
        ),
    ] {
        let sim = sim(|c| c.account_status = status).await;
        let desk = new_desk();
        let report = desk
            .save_and_test(&token_creds(&sim, TOKEN), Some(ADMIN_PHONE), true)
            .await
            .unwrap();
        let first = step(&report, StepKind::Credentials);
        assert_eq!(first.problem, Some(problem));
        assert!(first.reason.starts_with(words), "{}", first.reason);
        assert_eq!(
            outcomes(&report)[1..],
            [StepOutcome::Skipped, StepOutcome::Skipped]
        );
        assert!(
            !report.saved,
            "offline_save does not save an account that is not active"
        );
        assert_nothing_saved(&desk);
        assert!(sim_messages(&sim).await.is_empty());
    }
}

#[tokio::test]
async fn a_trial_account_may_text_only_verified_numbers() {
    let sim = sim(|c| {
        c.account_type = AccountType::Trial;
        c.verified_numbers = vec![ADMIN_PHONE.to_string()];
    })
    .await;
    let desk = new_desk();
    let creds = token_creds(&sim, TOKEN);
    let report = desk
        .save_and_test(&creds, Some("+14155550135"), true)
        .await
        .unwrap();
    assert_eq!(
        outcomes(&report),
        vec![StepOutcome::Pass, StepOutcome::Pass, StepOutcome::Fail]
    );
    assert!(step(&report, StepKind::Credentials)
        .reason
        .contains("a trial account: it can text only numbers verified"));
    let text = step(&report, StepKind::TestText);
    assert_eq!(text.problem, Some(StepProblem::TrialUnverified));
    assert_eq!(text.twilio_code, Some(21608));
    assert!(
        text.reason.starts_with("trial account: ") && text.reason.contains("+14155550135"),
        "{}",
        text.reason
    );
    assert!(!report.saved, "a trial refusal is not being offline");
    assert_nothing_saved(&desk);

    let report = desk
        .save_and_test(&creds, Some(ADMIN_PHONE), false)
        .await
        .unwrap();
    assert!(report.passed && report.saved, "{report:#?}");
    assert_eq!(
        report.account.unwrap().account_type.as_deref(),
        Some("Trial")
    );
}

/// A port that was just free and is closed again: connecting is refused at once.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn offline_fails_unless_the_admin_saves_offline() {
    let desk = new_desk();
    let creds = TwilioCredentials {
        account_sid: "AC0123456789abcdef0123456789abcdef".to_string(),
        auth: Auth::Token(Secret::new(TOKEN)),
        from_number: Some("+15555550100".to_string()),
        messaging_service_sid: None,
        api_base: closed_port(),
    };
    let report = desk
        .save_and_test(&creds, Some(ADMIN_PHONE), false)
        .await
        .unwrap();
    let first = step(&report, StepKind::Credentials);
    assert_eq!(first.problem, Some(StepProblem::Offline));
    assert!(
        first.reason.starts_with("offline: cannot reach Twilio"),
        "{}",
        first.reason
    );
    assert!(report.offline && !report.passed && !report.saved);
    assert_eq!(report.warning, None);
    assert_nothing_saved(&desk);
    assert_no_secret(&report);

    let report = desk
        .save_and_test(&creds, Some(ADMIN_PHONE), true)
        .await
        .unwrap();
    assert!(report.offline && !report.passed && report.saved);
    let warning = report.warning.as_deref().unwrap();
    assert!(warning.contains("could not be reached"), "{warning}");
    assert_eq!(report.summary, warning);
    let saved = credentials::load(&desk.store, &desk.keys).unwrap().unwrap();
    assert_eq!(saved.api_base, creds.api_base);
}

#[tokio::test]
async fn an_api_key_is_proven_by_the_ownership_check() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let report = desk
        .save_and_test(&key_creds(&sim, KEY_SECRET), Some(ADMIN_PHONE), false)
        .await
        .unwrap();
    assert_eq!(outcomes(&report), vec![StepOutcome::Pass; 3], "{report:#?}");
    assert_eq!(
        report.account, None,
        "a standard key cannot read the account"
    );
    assert!(step(&report, StepKind::Credentials)
        .reason
        .contains("Twilio accepted the API key"));
    assert!(report.saved);
    assert_no_secret(&report);
    match credentials::load(&desk.store, &desk.keys)
        .unwrap()
        .unwrap()
        .auth
    {
        Auth::ApiKey { key_sid, secret } => {
            assert_eq!(key_sid, KEY_SID);
            assert_eq!(secret.expose(), KEY_SECRET);
        }
        other => panic!("unexpected {other:?}"),
    }

    let other = new_desk();
    let wrong = "key-wrong-000000000000000000000000";
    let report = other
        .save_and_test(&key_creds(&sim, wrong), None, false)
        .await
        .unwrap();
    let first = step(&report, StepKind::Credentials);
    assert_eq!(first.problem, Some(StepProblem::WrongCredentials));
    assert!(
        first.reason.starts_with("wrong API key: "),
        "{}",
        first.reason
    );
    assert_eq!(
        step(&report, StepKind::Sender).outcome,
        StepOutcome::Skipped
    );
    assert!(!serde_json::to_string(&report).unwrap().contains(wrong));
    assert_nothing_saved(&other);
}

#[tokio::test]
async fn a_malformed_sid_is_refused_before_any_request() {
    // A listener that is never served: a request would sit in its backlog.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let desk = new_desk();
    let creds = TwilioCredentials {
        account_sid: "AC123".to_string(),
        auth: Auth::Token(Secret::new(TOKEN)),
        from_number: Some("+15555550100".to_string()),
        messaging_service_sid: None,
        api_base: format!("http://{}", listener.local_addr().unwrap()),
    };
    let err = desk.save_and_test(&creds, None, true).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("Account SID"), "{err}");
    assert!(!err.to_string().contains(TOKEN));
    assert!(
        listener.accept().is_err(),
        "no connection was made to the API address"
    );
    assert_nothing_saved(&desk);

    let sim = sim(|_| {}).await;
    let err = desk
        .save_and_test(&token_creds(&sim, TOKEN), Some("12"), false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidNumber);
    assert_nothing_saved(&desk);
}

#[tokio::test]
async fn saved_credentials_are_tested_in_place() {
    let sim = sim(|_| {}).await;
    let desk = new_desk();
    let err = setup_check::test_saved(&desk.store, &desk.keys, None, ACTOR)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotConfigured), "{err:?}");

    credentials::save(&desk.store, &desk.keys, &token_creds(&sim, TOKEN)).unwrap();
    let report = setup_check::test_saved(&desk.store, &desk.keys, Some(ADMIN_PHONE), ACTOR)
        .await
        .unwrap();
    assert!(report.passed && !report.saved, "{report:#?}");
    assert_eq!(report.summary, "every check passed");
    assert_no_secret(&report);

    // Twilio out of reach afterwards: the saved row is left as it was.
    let mut moved = token_creds(&sim, TOKEN);
    moved.api_base = closed_port();
    credentials::save(&desk.store, &desk.keys, &moved).unwrap();
    let report = setup_check::test_saved(&desk.store, &desk.keys, None, ACTOR)
        .await
        .unwrap();
    assert!(report.offline && !report.passed);
    assert_eq!(
        credentials::load(&desk.store, &desk.keys)
            .unwrap()
            .unwrap()
            .api_base,
        moved.api_base
    );
}
