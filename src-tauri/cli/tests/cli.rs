//! The CLI as a script sees it: real binary, real database file, exit codes and JSON.

use std::path::Path;
use std::process::{Command, Output};

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clinic-desk-cli"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HOME", db.parent().unwrap())
        .env("XDG_DATA_HOME", db.parent().unwrap().join("xdg"))
        .output()
        .expect("run clinic-desk-cli")
}

fn stdout_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn init_creates_the_database_and_reports_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let json = stdout_json(&cli(&db, &["--json", "init"]));
    assert_eq!(json["schema_version"], 1);
    assert!(db.exists());
}

#[test]
fn patients_add_then_list_round_trips_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let added = stdout_json(&cli(
        &db,
        &[
            "--json",
            "patients",
            "add",
            "--first-name",
            "Ana",
            "--last-name",
            "Rivera",
            "--phone",
            "(415) 555-0134",
            "--language",
            "es",
        ],
    ));
    assert_eq!(added["phones"][0]["e164"], "+14155550134");
    assert_eq!(added["preferredLanguage"], "es");

    let listed = stdout_json(&cli(&db, &["patients", "list", "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["firstName"], "Ana");

    let text = cli(&db, &["patients", "list"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("+14155550134"));
}

#[test]
fn errors_are_one_actionable_line_with_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let out = cli(
        &db,
        &["patients", "add", "--first-name", "Ana", "--phone", "12"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("\"12\""), "{stderr}");

    let out = cli(
        &db,
        &[
            "--json",
            "patients",
            "add",
            "--first-name",
            "Ana",
            "--phone",
            "12",
        ],
    );
    assert!(!out.status.success());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "InvalidNumber");
}

#[test]
fn a_newer_database_is_refused_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    stdout_json(&cli(&db, &["--json", "init"]));
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let out = cli(&db, &["doctor"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("newer Clinic Desk"), "{stderr}");
}

#[test]
fn doctor_reports_schema_keyring_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let json = stdout_json(&cli(&db, &["doctor", "--json"]));
    assert_eq!(json["schema_version"], json["supported_schema_version"]);
    assert!(json["db_path"]
        .as_str()
        .unwrap()
        .ends_with("clinic.sqlite3"));
    assert!(json["keyring"]["available"].is_boolean());
    assert!(json["account"].is_null());
}
