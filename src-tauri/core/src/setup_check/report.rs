//! What Save & Test hands back: one entry per step, each passed, failed or skipped with a reason
//! in plain words, and what became of the credentials. It crosses IPC and the CLI's `--json`, so
//! it holds no secret: reasons are our own words, Twilio's codes, numbers and SIDs.

use serde::Serialize;
use ts_rs::TS;

/// The steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Twilio accepts the credentials; the account's status and type.
    Credentials,
    /// The clinic number belongs to the account, or the Messaging Service exists.
    Sender,
    /// A test text to a number the admin gave.
    TestText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Pass,
    Fail,
    Skipped,
}

/// Why a step failed, for the UI to branch on; the step's reason says it in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepProblem {
    /// Twilio refused the token or key (20003).
    WrongCredentials,
    AccountSuspended,
    AccountClosed,
    NumberNotOnAccount,
    ServiceNotFound,
    /// A trial account may text only verified numbers (21608).
    TrialUnverified,
    /// The test number cannot be texted (opted out, invalid, landline, region not enabled).
    RecipientRefused,
    /// Twilio could not be reached, or did not answer.
    Offline,
    /// Any other refusal or failure on Twilio's side.
    Twilio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    pub kind: StepKind,
    pub outcome: StepOutcome,
    /// What happened and, on failure, what to do.
    pub reason: String,
    pub problem: Option<StepProblem>,
    /// Twilio's error code, when Twilio gave one.
    pub twilio_code: Option<i64>,
}

impl TestStep {
    pub(super) fn pass(kind: StepKind, reason: impl Into<String>) -> Self {
        TestStep {
            kind,
            outcome: StepOutcome::Pass,
            reason: reason.into(),
            problem: None,
            twilio_code: None,
        }
    }

    pub(super) fn fail(
        kind: StepKind,
        problem: StepProblem,
        reason: impl Into<String>,
        twilio_code: Option<i64>,
    ) -> Self {
        TestStep {
            kind,
            outcome: StepOutcome::Fail,
            reason: reason.into(),
            problem: Some(problem),
            twilio_code,
        }
    }

    pub(super) fn skipped(kind: StepKind, reason: impl Into<String>) -> Self {
        TestStep {
            kind,
            outcome: StepOutcome::Skipped,
            reason: reason.into(),
            problem: None,
            twilio_code: None,
        }
    }

    pub fn passed(&self) -> bool {
        self.outcome == StepOutcome::Pass
    }

    pub fn failed(&self) -> bool {
        self.outcome == StepOutcome::Fail
    }
}

/// The account as Twilio reported it; absent when a standard API key may not read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// `active`, `suspended` or `closed`.
    pub status: Option<String>,
    /// `Trial` or `Full`.
    pub account_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    pub account_sid: String,
    /// The clinic number, or the Messaging Service SID when there is no number.
    pub sender: String,
    pub account: Option<AccountInfo>,
    pub steps: Vec<TestStep>,
    /// No step that ran failed.
    pub passed: bool,
    /// A step failed because Twilio could not be reached.
    pub offline: bool,
    /// The credentials were saved (encrypted) by this run.
    pub saved: bool,
    /// Set when the credentials were saved without a full test.
    pub warning: Option<String>,
    /// The test text's SID, when one was sent.
    pub test_message_sid: Option<String>,
    /// One line for the person at the desk.
    pub summary: String,
}

impl TestReport {
    /// True when something failed and every failure was Twilio being out of reach.
    pub fn only_offline(&self) -> bool {
        let mut failures = self.steps.iter().filter(|s| s.failed()).peekable();
        failures.peek().is_some() && failures.all(|s| s.problem == Some(StepProblem::Offline))
    }

    pub fn first_failure(&self) -> Option<&TestStep> {
        self.steps.iter().find(|s| s.failed())
    }

    pub fn step(&self, kind: StepKind) -> Option<&TestStep> {
        self.steps.iter().find(|s| s.kind == kind)
    }
}
