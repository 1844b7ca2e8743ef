//! The three Save & Test steps against Twilio, and the plain words for what each one found.
//!
//! Each function asks Twilio one thing and turns the answer (or the failure) into a
//! [`TestStep`]. The order and the skipping rules belong to the parent module.

use crate::credentials::TwilioCredentials;
use crate::twilio::types::Account;
use crate::twilio::{Auth, CreateMessage, TwilioClient, TwilioError};

use super::report::{AccountInfo, StepKind, StepProblem, TestStep};

/// What the test text says: it names the app so the admin knows where it came from.
pub const TEST_TEXT_BODY: &str =
    "Clinic Desk test text: Twilio is set up and this phone can receive the clinic's texts. \
     No reply needed.";

/// What step 1 found out by reading the Account.
pub(super) enum AccountCheck {
    Done(TestStep, Option<AccountInfo>),
    /// A standard API key may not read the Account: the next request proves the key instead.
    NeedsProof,
}

pub(super) async fn account(client: &TwilioClient, creds: &TwilioCredentials) -> AccountCheck {
    match client.fetch_account().await {
        Ok(account) => {
            let info = AccountInfo {
                status: account.status.clone(),
                account_type: account.kind.clone(),
            };
            AccountCheck::Done(account_step(&account), Some(info))
        }
        Err(TwilioError::Auth) if matches!(creds.auth, Auth::ApiKey { .. }) => {
            AccountCheck::NeedsProof
        }
        Err(err) => AccountCheck::Done(failure(StepKind::Credentials, &err, creds), None),
    }
}

fn account_step(account: &Account) -> TestStep {
    let kind = StepKind::Credentials;
    let trial = account.kind.as_deref() == Some("Trial");
    match account.status.as_deref().unwrap_or("active") {
        "active" => {
            let what = if trial {
                "a trial account: it can text only numbers verified in the Twilio Console"
            } else {
                "a full account"
            };
            TestStep::pass(
                kind,
                format!("Twilio accepted the credentials; the account is active, {what}"),
            )
        }
        "suspended" => TestStep::fail(
            kind,
            StepProblem::AccountSuspended,
            "the Twilio account is suspended: Twilio sends no texts from it until it is \
             reactivated; check the account's balance and any email from Twilio in the Twilio \
             Console, then test again",
            None,
        ),
        "closed" => TestStep::fail(
            kind,
            StepProblem::AccountClosed,
            "the Twilio account is closed: a closed account can never send texts again; enter \
             the credentials of an active account",
            None,
        ),
        other => TestStep::fail(
            kind,
            StepProblem::Twilio,
            format!(
                "the Twilio account's status is \"{other}\", not active, so it cannot send \
                 texts; check the account in the Twilio Console"
            ),
            None,
        ),
    }
}

/// Step 1 for an API key once another request has answered: any answer but 401 proves it.
pub(super) fn key_proven(creds: &TwilioCredentials, refusal: Option<&TwilioError>) -> TestStep {
    match refusal {
        Some(err) => failure(StepKind::Credentials, err, creds),
        None => TestStep::pass(
            StepKind::Credentials,
            "Twilio accepted the API key; a standard API key may not read the account's status \
             or type, so they are not shown",
        ),
    }
}

/// One sender check: the clinic number, or the Messaging Service.
pub(super) enum SenderPart {
    Pass(String),
    Fail(StepProblem, String),
    /// Twilio did not answer the question (refused the credentials, unreachable, …).
    Error(TwilioError),
}

pub(super) async fn sender_parts(
    client: &TwilioClient,
    creds: &TwilioCredentials,
) -> Vec<SenderPart> {
    let mut parts = Vec::new();
    if let Some(number) = non_empty(&creds.from_number) {
        parts.push(match client.owns_number(number).await {
            Ok(true) => SenderPart::Pass(format!("{number} belongs to this Twilio account")),
            Ok(false) => SenderPart::Fail(
                StepProblem::NumberNotOnAccount,
                format!(
                    "number not on this account: {number} is not one of this Twilio account's \
                     phone numbers; check it in the Twilio Console (Phone Numbers, Active \
                     numbers) and enter it in international format"
                ),
            ),
            Err(err) => SenderPart::Error(err),
        });
    }
    if let Some(sid) = non_empty(&creds.messaging_service_sid) {
        parts.push(match client.fetch_messaging_service(sid).await {
            Ok(service) => SenderPart::Pass(match service.friendly_name {
                Some(name) if !name.trim().is_empty() => {
                    format!("the Messaging Service {sid} (\"{name}\") is on this account")
                }
                _ => format!("the Messaging Service {sid} is on this account"),
            }),
            Err(TwilioError::NotFound) => SenderPart::Fail(
                StepProblem::ServiceNotFound,
                format!(
                    "Messaging Service not on this account: Twilio has no Messaging Service \
                     {sid} on this account; copy its SID again from the Twilio Console \
                     (Messaging, Services)"
                ),
            ),
            Err(err) => SenderPart::Error(err),
        });
    }
    parts
}

/// The request error that stops an API key from being proven, if any.
pub(super) fn key_refusal(parts: &[SenderPart]) -> Option<&TwilioError> {
    parts.iter().find_map(|part| match part {
        SenderPart::Error(err @ TwilioError::Auth) => Some(err),
        SenderPart::Error(err) if is_unreachable(err) => Some(err),
        _ => None,
    })
}

pub(super) fn sender_step(creds: &TwilioCredentials, parts: &[SenderPart]) -> TestStep {
    let kind = StepKind::Sender;
    if let Some(err) = parts.iter().find_map(|p| match p {
        SenderPart::Error(err) => Some(err),
        _ => None,
    }) {
        return failure(kind, err, creds);
    }
    let failures: Vec<(StepProblem, &str)> = parts
        .iter()
        .filter_map(|p| match p {
            SenderPart::Fail(problem, reason) => Some((*problem, reason.as_str())),
            _ => None,
        })
        .collect();
    if let Some((problem, _)) = failures.first() {
        let reasons: Vec<&str> = failures.iter().map(|(_, r)| *r).collect();
        return TestStep::fail(kind, *problem, reasons.join("; "), None);
    }
    let reasons: Vec<&str> = parts
        .iter()
        .filter_map(|p| match p {
            SenderPart::Pass(reason) => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    TestStep::pass(kind, reasons.join("; "))
}

/// Step 3: sends the test text; returns the step and the text's SID when it was sent.
pub(super) async fn test_text(
    client: &TwilioClient,
    creds: &TwilioCredentials,
    to: &str,
) -> (TestStep, Option<String>) {
    let kind = StepKind::TestText;
    let message = CreateMessage {
        to,
        from: non_empty(&creds.from_number),
        messaging_service_sid: non_empty(&creds.messaging_service_sid),
        body: TEST_TEXT_BODY,
    };
    let err = match client.create_message(&message).await {
        Ok(sent) => {
            let step = TestStep::pass(
                kind,
                format!(
                    "Twilio accepted the test text to {to} (SID {}); check that it arrived on \
                     that phone",
                    sent.sid
                ),
            );
            return (step, Some(sent.sid));
        }
        Err(err) => err,
    };
    let code = err.code();
    let step = match &err {
        TwilioError::Rejected { code: 21608, .. } => TestStep::fail(
            kind,
            StepProblem::TrialUnverified,
            format!(
                "trial account: Twilio lets a trial account text only numbers verified in the \
                 Twilio Console, and {to} is not one; verify it there (Phone Numbers, Verified \
                 Caller IDs) or upgrade the account, then test again"
            ),
            code,
        ),
        TwilioError::OptedOut => TestStep::fail(
            kind,
            StepProblem::RecipientRefused,
            format!(
                "{to} has opted out of texts from this number (replied STOP); text START to \
                 the clinic number from that phone, or test with another number"
            ),
            code,
        ),
        TwilioError::InvalidNumber
        | TwilioError::NotMobile
        | TwilioError::NotReachable
        | TwilioError::RegionNotEnabled => TestStep::fail(
            kind,
            StepProblem::RecipientRefused,
            format!("Twilio cannot text {to}: {err}; test with another number"),
            code,
        ),
        // The first two steps passed, so the credentials themselves work: a refusal to send
        // means the account or the key may not send.
        TwilioError::Auth => TestStep::fail(
            kind,
            StepProblem::WrongCredentials,
            "Twilio refused to send with these credentials: the account may be suspended or \
             closed, or the API key may not send texts; check the account and the key in the \
             Twilio Console",
            code,
        ),
        TwilioError::NoResponse { detail } => TestStep::fail(
            kind,
            StepProblem::Offline,
            format!(
                "offline: no answer from Twilio ({detail}), so the test text may or may not \
                 have been sent; check that phone, and test again once the connection is steady"
            ),
            None,
        ),
        _ => failure(kind, &err, creds),
    };
    (step, None)
}

fn is_unreachable(err: &TwilioError) -> bool {
    matches!(
        err,
        TwilioError::Offline { .. } | TwilioError::NoResponse { .. }
    )
}

/// A step that failed because a request failed, in plain words.
pub(super) fn failure(kind: StepKind, err: &TwilioError, creds: &TwilioCredentials) -> TestStep {
    let code = err.code();
    match err {
        TwilioError::Auth => {
            let reason = match &creds.auth {
                Auth::Token(_) => format!(
                    "wrong token: Twilio refused Account SID {} with this Auth Token (error \
                     20003); copy both again from the Twilio Console (Account info) and test \
                     again",
                    creds.account_sid
                ),
                Auth::ApiKey { key_sid, .. } => format!(
                    "wrong API key: Twilio refused API Key {key_sid} with this secret for \
                     account {} (error 20003); check that the key belongs to this account and \
                     copy its secret again (Twilio shows it only when the key is made)",
                    creds.account_sid
                ),
            };
            TestStep::fail(kind, StepProblem::WrongCredentials, reason, code)
        }
        TwilioError::Offline { detail } | TwilioError::NoResponse { detail } => TestStep::fail(
            kind,
            StepProblem::Offline,
            format!(
                "offline: cannot reach Twilio at {} ({detail}); check this computer's internet \
                 connection and test again, or save without testing",
                creds.api_base
            ),
            None,
        ),
        TwilioError::NotFound => TestStep::fail(
            kind,
            StepProblem::WrongCredentials,
            format!(
                "Twilio does not know account {} (error 20404); copy the Account SID again from \
                 the Twilio Console",
                creds.account_sid
            ),
            code,
        ),
        TwilioError::RateLimited { .. } => TestStep::fail(
            kind,
            StepProblem::Twilio,
            "Twilio is busy (too many requests at once); wait a minute and test again",
            code,
        ),
        TwilioError::Server { status } => TestStep::fail(
            kind,
            StepProblem::Twilio,
            format!("Twilio had a server error (HTTP {status}); test again in a few minutes"),
            code,
        ),
        TwilioError::Malformed { detail } => TestStep::fail(
            kind,
            StepProblem::Twilio,
            format!(
                "the answer from {} could not be read as Twilio's ({detail}); check the API \
                 address and test again",
                creds.api_base
            ),
            code,
        ),
        other => TestStep::fail(kind, StepProblem::Twilio, other.to_string(), code),
    }
}

pub(super) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
