//! `credentials set --test` and `credentials test` against the Twilio simulator over real HTTP:
//! exit codes, the JSON report, nothing saved on failure, saving offline on request, and the
//! token in no output.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{credentials_set_args, run_with_stdin, Sim};

const TOKEN: &str = "sim-token-5ecret-f00dface0123456789";
const ADMIN_PHONE: &str = "+14155550134";

/// The binary with `stdin` piped in, checking the token shows in neither output stream.
fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    let out = run_with_stdin(db, args, stdin);
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(TOKEN),
            "the token was printed"
        );
    }
    out
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("the report is JSON on stdout")
}

fn outcomes(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap().to_string())
        .collect()
}

fn saved(db: &Path) -> Value {
    let out = run(db, &["--json", "credentials", "show"], "");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn set_with_test_saves_only_what_passes() {
    let sim = Sim::start(TOKEN, 5);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let h = &sim.handle;

    let mut args = vec!["--json"];
    args.extend(credentials_set_args(
        &h.account_sid,
        &h.numbers[0],
        &h.base_url,
    ));
    args.extend(["--test"]);
    let wrong = run(&db, &args, "not-the-token-0000000000000000\n");
    assert_eq!(wrong.status.code(), Some(1));
    let r = report(&wrong);
    assert_eq!(outcomes(&r), ["fail", "skipped", "skipped"]);
    assert_eq!(r["steps"][0]["kind"], "credentials");
    assert_eq!(r["steps"][0]["problem"], "wrong_credentials");
    assert_eq!(r["steps"][0]["twilioCode"], 20003);
    assert_eq!(r["saved"], false);
    assert_eq!(saved(&db), Value::Null, "nothing saved");

    args.extend(["--test-to", "(415) 555-0134"]);
    let good = run(&db, &args, &format!("{TOKEN}\n"));
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let r = report(&good);
    assert_eq!(outcomes(&r), ["pass", "pass", "pass"]);
    assert_eq!(r["passed"], true);
    assert_eq!(r["saved"], true);
    assert_eq!(r["account"]["status"], "active");
    assert!(r["testMessageSid"].as_str().unwrap().starts_with("SM"));
    assert_eq!(saved(&db)["accountSid"], h.account_sid.as_str());

    let tested = run(
        &db,
        &["--json", "credentials", "test", "--to", ADMIN_PHONE],
        "",
    );
    assert!(tested.status.success());
    assert_eq!(report(&tested)["passed"], true);
    assert_eq!(report(&tested)["saved"], false);

    // The flags only mean something with --test.
    let mut plain = credentials_set_args(&h.account_sid, &h.numbers[0], &h.base_url);
    plain.extend(["--test-to", ADMIN_PHONE]);
    assert_eq!(
        run(&db, &plain, &format!("{TOKEN}\n")).status.code(),
        Some(2)
    );
}

#[test]
fn test_reports_a_number_not_on_the_account_in_plain_words() {
    let sim = Sim::start(TOKEN, 5);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let h = &sim.handle;
    // A plain save checks shapes only, as before.
    let out = run(
        &db,
        &credentials_set_args(&h.account_sid, "+15555550199", &h.base_url),
        &format!("{TOKEN}\n"),
    );
    assert!(out.status.success());

    let out = run(&db, &["credentials", "test"], "");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[pass] credentials: Twilio accepted the credentials"));
    assert!(
        stdout.contains("[FAIL] sender: number not on this account: +15555550199"),
        "{stdout}"
    );
    assert!(stdout.contains("[skip] test text: no test text"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: number not on this account"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &dir.path().join("empty.sqlite3"),
        &["credentials", "test"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("credentials set"));
}

#[test]
fn offline_save_keeps_the_credentials_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let account = "AC0123456789abcdef0123456789abcdef";
    let mut args = vec!["--json"];
    args.extend(credentials_set_args(account, "+15555550100", &closed));
    args.push("--test");

    let out = run(&db, &args, &format!("{TOKEN}\n"));
    assert_eq!(out.status.code(), Some(1));
    let r = report(&out);
    assert_eq!(r["offline"], true);
    assert_eq!(r["steps"][0]["problem"], "offline");
    assert_eq!(r["saved"], false);
    assert_eq!(saved(&db), Value::Null);

    args.push("--offline-save");
    let out = run(&db, &args, &format!("{TOKEN}\n"));
    assert_eq!(out.status.code(), Some(1), "a step still failed");
    let r = report(&out);
    assert_eq!(r["saved"], true);
    assert!(r["warning"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: saved without a full test"));
    assert_eq!(saved(&db)["accountSid"], account);
}
