//! `admin set-passphrase | check` as a script uses them: passphrases on standard input, exit
//! codes, JSON, the lockout holding across processes, and every attempt in the audit log.

mod support;

use std::path::Path;
use std::process::Output;

use support::{err_json, feed, json_of};

const PASSPHRASE: &str = "blue heron at the river";

/// The binary as the script actor, with `stdin` piped in.
fn as_script(db: &Path, args: &[&str], stdin: &str) -> Output {
    feed(
        support::cli(db).args(["--actor", "script"]).args(args),
        stdin,
    )
}

fn audit_actions(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT action, actor FROM audit_log WHERE action LIKE 'admin.%' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn set_then_check_reads_passphrases_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");

    let short = as_script(&db, &["--json", "admin", "set-passphrase"], "short\n");
    let err = err_json(&short);
    assert_eq!(err["code"], "InvalidInput");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("at least 10 characters"));

    let set = json_of(&as_script(
        &db,
        &["--json", "admin", "set-passphrase"],
        &format!("{PASSPHRASE}\n"),
    ));
    assert_eq!(
        set,
        serde_json::json!({"passphraseSet": true, "change": "set"})
    );

    // A passphrase typed on a terminal that sends CRLF still matches.
    let session = json_of(&as_script(
        &db,
        &["--json", "admin", "check"],
        &format!("{PASSPHRASE}\r\n"),
    ));
    assert_eq!(session["actor"], "script");
    assert!(session["unlockedAt"].as_i64().unwrap() > 0);

    let text = as_script(&db, &["admin", "check"], PASSPHRASE);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("admin passphrase accepted"));

    let wrong = as_script(
        &db,
        &["--json", "admin", "check"],
        "blue heron at the lake\n",
    );
    let err = err_json(&wrong);
    assert_eq!(err["code"], "AdminRequired");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("4 more wrong tries"));
    assert!(!String::from_utf8_lossy(&wrong.stderr).contains("lake"));

    let empty = as_script(&db, &["admin", "check"], "");
    assert_eq!(empty.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&empty.stderr);
    assert!(
        stderr.starts_with("error: no admin passphrase on standard input"),
        "{stderr}"
    );

    // There is no way to pass it as an argument.
    let argv = as_script(&db, &["admin", "check", PASSPHRASE], "");
    assert_eq!(
        argv.status.code(),
        Some(2),
        "clap refuses the extra argument"
    );
}

#[test]
fn changing_the_passphrase_needs_the_current_one_on_the_second_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    json_of(&as_script(
        &db,
        &["--json", "admin", "set-passphrase"],
        &format!("{PASSPHRASE}\n"),
    ));
    let next = "green kettle on the stove";

    let missing = as_script(&db, &["admin", "set-passphrase"], &format!("{next}\n"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("current admin passphrase"));

    let changed = json_of(&as_script(
        &db,
        &["--json", "admin", "set-passphrase"],
        &format!("{next}\n{PASSPHRASE}\n"),
    ));
    assert_eq!(changed["change"], "changed");
    assert_eq!(
        as_script(&db, &["admin", "check"], &format!("{PASSPHRASE}\n"))
            .status
            .code(),
        Some(1)
    );
    assert!(as_script(&db, &["admin", "check"], &format!("{next}\n"))
        .status
        .success());
}

#[test]
fn five_wrong_checks_lock_out_later_processes_and_every_attempt_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    json_of(&as_script(
        &db,
        &["--json", "admin", "set-passphrase"],
        &format!("{PASSPHRASE}\n"),
    ));
    for _ in 0..4 {
        let err = err_json(&as_script(
            &db,
            &["--json", "admin", "check"],
            "guess guess guess\n",
        ));
        assert_eq!(err["code"], "AdminRequired");
    }
    let err = err_json(&as_script(
        &db,
        &["--json", "admin", "check"],
        "guess guess guess\n",
    ));
    assert_eq!(err["code"], "LockedOut");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .ends_with("try again in 5 minutes"));

    // A new process, the right passphrase: still locked.
    let err = err_json(&as_script(
        &db,
        &["--json", "admin", "check"],
        &format!("{PASSPHRASE}\n"),
    ));
    assert_eq!(err["code"], "LockedOut");

    let audit = audit_actions(&db);
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "admin.passphrase_set",
            "admin.failed",
            "admin.failed",
            "admin.failed",
            "admin.failed",
            "admin.failed",
            "admin.locked_out",
        ]
    );
    assert!(audit.iter().all(|(_, actor)| actor == "script"));

    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes
        .windows(PASSPHRASE.len())
        .any(|w| w == PASSPHRASE.as_bytes()));
}
