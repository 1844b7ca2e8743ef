//! The CLI as a script sees it: real binary, real database file, exit codes and JSON.

mod support;

use support::{json_of, run};

#[test]
fn init_creates_the_database_and_reports_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let json = json_of(&run(&db, &["--json", "init"]));
    assert_eq!(
        json["schema_version"],
        clinic_desk_core::store::LATEST_VERSION
    );
    assert!(db.exists());
}

#[test]
fn patients_add_then_list_round_trips_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let added = json_of(&run(
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

    let listed = json_of(&run(&db, &["patients", "list", "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["firstName"], "Ana");

    let text = run(&db, &["patients", "list"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("+14155550134"));
}

#[test]
fn errors_are_one_actionable_line_with_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let out = run(
        &db,
        &["patients", "add", "--first-name", "Ana", "--phone", "12"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("\"12\""), "{stderr}");

    let out = run(
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
    json_of(&run(&db, &["--json", "init"]));
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let out = run(&db, &["doctor"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("newer Clinic Desk"), "{stderr}");
}

#[test]
fn doctor_reports_schema_keyring_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let json = json_of(&run(&db, &["doctor", "--json"]));
    assert_eq!(json["schema_version"], json["supported_schema_version"]);
    assert!(json["db_path"]
        .as_str()
        .unwrap()
        .ends_with("clinic.sqlite3"));
    assert!(json["keyring"]["available"].is_boolean());
    assert!(json["account"].is_null());
}
