//! Save & Test from the command line: `credentials test` (the saved account) and `credentials set
//! --test` (new credentials, saved only when the test passes). The report goes to stdout, as JSON
//! with `--json`; the exit code is 1 when a step failed, even if `--offline-save` saved anyway.

use std::process::ExitCode;

use clinic_desk_core::credentials::{KeyStore, TwilioCredentials};
use clinic_desk_core::setup_check::{self, StepKind, StepOutcome, TestReport};
use clinic_desk_core::{Result, Store};

use crate::commands::messaging::runtime;
use crate::output::Output;

/// Runs the steps against the saved credentials; nothing is changed.
pub fn test_saved(
    store: &Store,
    keys: &KeyStore,
    to: Option<&str>,
    actor: &str,
    out: &Output,
) -> Result<ExitCode> {
    let report = runtime()?.block_on(setup_check::test_saved(store, keys, to, actor))?;
    Ok(print(&report, out))
}

/// Tests `creds` and saves them only when the test passes (or, with `offline_save`, when Twilio
/// was only out of reach).
pub fn save_and_test(
    store: &Store,
    keys: &KeyStore,
    creds: &TwilioCredentials,
    to: Option<&str>,
    offline_save: bool,
    actor: &str,
    out: &Output,
) -> Result<ExitCode> {
    let report = runtime()?.block_on(setup_check::save_and_test(
        store,
        keys,
        creds,
        to,
        actor,
        offline_save,
    ))?;
    if report.saved {
        if let Some(warning) = keys.warning() {
            eprintln!("warning: {warning}");
        }
    }
    Ok(print(&report, out))
}

fn print(report: &TestReport, out: &Output) -> ExitCode {
    if let Some(warning) = &report.warning {
        eprintln!("warning: {warning}");
    }
    if out.is_json() {
        out.emit(report, String::new);
    } else {
        out.emit(report, || lines(report));
        if !report.passed {
            out.error_message(&report.summary);
        }
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One line per step, then the outcome when it went well (a failure's summary goes to stderr).
fn lines(report: &TestReport) -> String {
    let mut text: Vec<String> = report
        .steps
        .iter()
        .map(|step| {
            let mark = match step.outcome {
                StepOutcome::Pass => "pass",
                StepOutcome::Fail => "FAIL",
                StepOutcome::Skipped => "skip",
            };
            let name = match step.kind {
                StepKind::Credentials => "credentials",
                StepKind::Sender => "sender",
                StepKind::TestText => "test text",
            };
            format!("[{mark}] {name}: {}", step.reason)
        })
        .collect();
    if report.passed {
        text.push(report.summary.clone());
    }
    text.join("\n")
}
