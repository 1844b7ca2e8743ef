//! Save & Test: proves Twilio credentials work before they replace the saved ones.
//!
//! The shape of every field is checked first (an Account SID is "AC" and 32 hex digits), so a
//! typo never reaches Twilio. Then, in order: (1) Twilio accepts the credentials and the account
//! is active, trial or full (a suspended or closed account fails); (2) the clinic number belongs
//! to the account (IncomingPhoneNumbers) or the Messaging Service exists; (3) optionally a test
//! text goes to a number the admin gives. A standard API key may not read the Account, so for a
//! key step 1 is proven by step 2's request instead. A step after a failed one is skipped.
//!
//! Nothing is saved unless every step that ran passed, except that an admin may explicitly save
//! while Twilio is out of reach (`offline_save`) when being offline is the only failure; the
//! report then carries a warning. Saving goes through [`credentials::save_as`] (encrypted and
//! audited there); a test text is audited here. The secret never enters the report: reasons are
//! our own words around SIDs, numbers and Twilio's codes, and are scrubbed of it regardless.

mod report;
mod steps;

pub use report::{AccountInfo, StepKind, StepOutcome, StepProblem, TestReport, TestStep};
pub use steps::TEST_TEXT_BODY;

use serde_json::json;

use crate::composer::phone;
use crate::credentials::{self, KeyStore, TwilioCredentials};
use crate::error::{Error, Result};
use crate::settings;
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::{now_ms, Store};
use crate::twilio::{Auth, TwilioClient};

use steps::AccountCheck;

/// Tests `creds` and saves them when every step that ran passed (or, with `offline_save`, when
/// the only failure was Twilio being out of reach). `test_to` is typed as staff type numbers (the
/// clinic's region fills in the country). A malformed field is an `Err` before any request; a
/// failed step is a report with `saved: false`.
pub async fn save_and_test(
    store: &Store,
    keys: &KeyStore,
    creds: &TwilioCredentials,
    test_to: Option<&str>,
    actor: &str,
    offline_save: bool,
) -> Result<TestReport> {
    creds.validate()?;
    let to = normalise_test_number(store, test_to)?;
    let mut report = check(creds, to.as_deref()).await?;
    audit_test_text(store, &report, to.as_deref(), actor)?;

    if report.passed {
        credentials::save_as(store, keys, creds, actor)?;
        report.saved = true;
        report.summary = "every check passed; the Twilio account is saved".to_string();
    } else if offline_save && report.only_offline() {
        credentials::save_as(store, keys, creds, actor)?;
        report.saved = true;
        let warning = "saved without a full test because Twilio could not be reached; run Save \
                       & Test again when this computer is online";
        report.warning = Some(warning.to_string());
        report.summary = warning.to_string();
    } else {
        // Built from the steps' reasons, which `check` has already scrubbed.
        report.summary = format!("not saved: {}", failure_words(&report));
    }
    tracing::info!(
        account_sid = %creds.account_sid,
        passed = report.passed,
        saved = report.saved,
        "Save & Test finished"
    );
    Ok(report)
}

/// Runs the steps against the saved credentials without changing them.
pub async fn test_saved(
    store: &Store,
    keys: &KeyStore,
    test_to: Option<&str>,
    actor: &str,
) -> Result<TestReport> {
    let creds = credentials::load(store, keys)?.ok_or(Error::NotConfigured)?;
    let to = normalise_test_number(store, test_to)?;
    let report = check(&creds, to.as_deref()).await?;
    audit_test_text(store, &report, to.as_deref(), actor)?;
    Ok(report)
}

/// The steps alone: no store, nothing saved or audited. `test_to` must already be E.164.
pub async fn check(creds: &TwilioCredentials, test_to: Option<&str>) -> Result<TestReport> {
    creds.validate()?;
    let client = TwilioClient::new(creds.client_config())?;
    let mut account = None;

    let (credentials_step, sender_step) = match steps::account(&client, creds).await {
        AccountCheck::Done(step, info) => {
            account = info;
            let sender = if step.passed() {
                let parts = steps::sender_parts(&client, creds).await;
                steps::sender_step(creds, &parts)
            } else {
                skipped_after_failure(StepKind::Sender)
            };
            (step, sender)
        }
        AccountCheck::NeedsProof => {
            let parts = steps::sender_parts(&client, creds).await;
            match steps::key_refusal(&parts) {
                Some(refusal) => (
                    steps::key_proven(creds, Some(refusal)),
                    skipped_after_failure(StepKind::Sender),
                ),
                None => (
                    steps::key_proven(creds, None),
                    steps::sender_step(creds, &parts),
                ),
            }
        }
    };

    let mut test_message_sid = None;
    let text_step = match test_to {
        None => TestStep::skipped(
            StepKind::TestText,
            "no test text: no number was given to send one to",
        ),
        Some(_) if !(credentials_step.passed() && sender_step.passed()) => {
            skipped_after_failure(StepKind::TestText)
        }
        Some(to) => {
            let (step, sid) = steps::test_text(&client, creds, to).await;
            test_message_sid = sid;
            step
        }
    };

    let steps = vec![credentials_step, sender_step, text_step];
    let passed = !steps.iter().any(TestStep::failed);
    let offline = steps
        .iter()
        .any(|s| s.problem == Some(StepProblem::Offline));
    let mut report = TestReport {
        account_sid: creds.account_sid.clone(),
        sender: steps::non_empty(&creds.from_number)
            .or(steps::non_empty(&creds.messaging_service_sid))
            .unwrap_or_default()
            .to_string(),
        account,
        steps,
        passed,
        offline,
        saved: false,
        warning: None,
        test_message_sid,
        summary: String::new(),
    };
    report.summary = if passed {
        "every check passed".to_string()
    } else {
        failure_words(&report)
    };
    scrub(&mut report, creds);
    Ok(report)
}

fn skipped_after_failure(kind: StepKind) -> TestStep {
    TestStep::skipped(kind, "not run because an earlier step failed")
}

fn failure_words(report: &TestReport) -> String {
    report
        .first_failure()
        .map(|step| step.reason.clone())
        .unwrap_or_else(|| "a check failed".to_string())
}

fn normalise_test_number(store: &Store, test_to: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = test_to.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let region = settings::clinic_region(store)?;
    Ok(Some(phone::normalize(raw, &region)?))
}

/// A test text is a real text to a real phone, so it goes into the audit log like any other.
fn audit_test_text(
    store: &Store,
    report: &TestReport,
    to: Option<&str>,
    actor: &str,
) -> Result<()> {
    let (Some(sid), Some(to)) = (&report.test_message_sid, to) else {
        return Ok(());
    };
    store.audit(&AuditEntry::new(
        now_ms(),
        actor,
        AuditAction::TextSent,
        to,
        json!({ "sid": sid, "purpose": "setup_test", "sender": report.sender }),
    ))?;
    Ok(())
}

/// Defence in depth: whatever words reached the report, the secret does not leave in them.
fn scrub(report: &mut TestReport, creds: &TwilioCredentials) {
    let secret = match &creds.auth {
        Auth::Token(secret) | Auth::ApiKey { secret, .. } => secret.expose(),
    };
    // Twilio's secrets are 32 characters; masking a very short value would mangle the words.
    if secret.chars().count() < 8 {
        return;
    }
    let mask = |text: &mut String| {
        if text.contains(secret) {
            *text = text.replace(secret, "••••");
        }
    };
    for step in &mut report.steps {
        mask(&mut step.reason);
    }
    mask(&mut report.summary);
    if let Some(warning) = &mut report.warning {
        mask(warning);
    }
}
