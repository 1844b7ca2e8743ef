//! The compliance commands as scripts use them: `optouts`, `consent`, `audit` and `settings`,
//! through the real binary on a real database file (and the Twilio simulator over real HTTP for
//! opt-outs), with their JSON shapes and failing exit codes.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};
use support::{cli, connect_as, json_of, new_db, run, Sim};

const TOKEN: &str = "sim-token-5ecret-c0ffee";
const ANA: &str = "+14155550134";
const BEN: &str = "+14155550199";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn audit_rows(db: &Path) -> Vec<(String, String, String, String)> {
    rusqlite::Connection::open(db)
        .unwrap()
        .prepare("SELECT actor, action, subject, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn is_rfc3339_utc(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[test]
fn settings_list_get_and_set_keep_their_json_shape() {
    let (_dir, db) = new_db();
    let list = json_of(&run(&db, &["--json", "settings", "list"]));
    let list = list.as_array().unwrap();
    assert!(list.len() >= 5);
    for key in [
        "clinic.timezone",
        "clinic.region",
        "sending_window.start",
        "sending_window.end",
        "clinic.name",
        "clinic.phone",
    ] {
        let entry = list.iter().find(|e| e["key"] == key).unwrap();
        for field in ["value", "default", "description"] {
            assert!(entry[field].is_string(), "{key}.{field}: {entry}");
        }
        assert_eq!(entry["isDefault"], true, "{entry}");
    }

    let set = json_of(&run(
        &db,
        &[
            "--json",
            "settings",
            "set",
            "clinic.timezone",
            "america/chicago",
        ],
    ));
    assert_eq!(
        set,
        json!({"key": "clinic.timezone", "value": "America/Chicago"})
    );
    let got = json_of(&run(&db, &["--json", "settings", "get", "clinic.timezone"]));
    assert_eq!(
        got,
        json!({"key": "clinic.timezone", "value": "America/Chicago"})
    );
    let text = run(&db, &["settings", "get", "clinic.timezone"]);
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).trim(),
        "America/Chicago"
    );

    // A value that looks like a flag is still a value (and refused as a price).
    let out = run(
        &db,
        &["settings", "set", "messages.price_per_segment", "-1"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("decimal"), "{}", stderr(&out));

    let rows = audit_rows(&db);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "cli:desk1");
    assert_eq!(rows[0].1, "settings.changed");
}

#[test]
fn an_unknown_key_or_bad_value_fails_with_what_is_valid() {
    let (_dir, db) = new_db();
    let out = run(&db, &["settings", "set", "clinic.colour", "blue"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(message.starts_with("error: "), "{message}");
    for key in [
        "clinic.timezone",
        "clinic.region",
        "sending_window.start",
        "clinic.phone",
    ] {
        assert!(message.contains(key), "{message}");
    }
    let out = run(&db, &["--json", "settings", "get", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["code"], "InvalidInput");
    assert!(error["message"].as_str().unwrap().contains("clinic.name"));

    for (key, value, hint) in [
        ("sending_window.start", "9am", "HH:MM"),
        ("sending_window.end", "07:00", "end after it starts"),
        ("clinic.timezone", "Eastern", "IANA"),
        ("clinic.region", "USA", "two-letter"),
    ] {
        let out = run(&db, &["settings", "set", key, value]);
        assert_eq!(out.status.code(), Some(1), "{key} = {value}");
        assert!(stderr(&out).contains(hint), "{key}: {}", stderr(&out));
    }
    assert!(audit_rows(&db).is_empty());
}

#[test]
fn the_actor_comes_from_the_flag_the_environment_or_the_user() {
    let (_dir, db) = new_db();
    json_of(&run(
        &db,
        &[
            "--json",
            "--actor",
            "admin desk",
            "settings",
            "set",
            "clinic.name",
            "Harbor Clinic",
        ],
    ));
    let out = cli(&db)
        .env("CLINIC_DESK_ACTOR", "workstation-3")
        .args(["--json", "settings", "set", "clinic.region", "ca"])
        .output()
        .unwrap();
    json_of(&out);
    let out = cli(&db)
        .env_remove("USER")
        .args(["--json", "settings", "set", "clinic.region", "us"])
        .output()
        .unwrap();
    json_of(&out);
    let actors: Vec<String> = audit_rows(&db).into_iter().map(|r| r.0).collect();
    assert_eq!(actors, ["admin desk", "workstation-3", "cli"]);
}

#[test]
fn consent_add_and_list_keep_their_json_shape() {
    let (_dir, db) = new_db();
    let added = json_of(&run(
        &db,
        &[
            "--json",
            "consent",
            "add",
            "--phone",
            "(415) 555-0134",
            "--kind",
            "granted",
            "--method",
            "form",
            "--note",
            "intake form",
        ],
    ));
    assert_eq!(added["phone"], ANA);
    assert_eq!(added["kind"], "granted");
    assert_eq!(added["method"], "form");
    assert_eq!(added["note"], "intake form");
    assert_eq!(added["actor"], "cli:desk1");
    assert!(added["id"].is_i64());
    assert!(is_rfc3339_utc(&added["at"]), "{added}");

    json_of(&run(
        &db,
        &[
            "--json", "consent", "add", "--phone", BEN, "--kind", "revoked", "--method", "verbal",
        ],
    ));
    let all = json_of(&run(&db, &["--json", "consent", "list"]));
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["phone"], BEN, "newest first");
    let ana = json_of(&run(
        &db,
        &["--json", "consent", "list", "--phone", "4155550134"],
    ));
    assert_eq!(ana.as_array().unwrap().len(), 1);
    assert_eq!(ana[0]["id"], added["id"]);

    let out = run(
        &db,
        &[
            "consent", "add", "--phone", ANA, "--kind", "maybe", "--method", "form",
        ],
    );
    assert!(!out.status.success());
    let out = run(
        &db,
        &[
            "--json", "consent", "add", "--phone", "12", "--kind", "granted", "--method", "text",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["code"], "InvalidNumber");

    let actions: Vec<String> = audit_rows(&db).into_iter().map(|r| r.1).collect();
    assert_eq!(actions, ["consent.granted", "consent.revoked"]);
}

#[test]
fn audit_verify_passes_then_names_the_edited_row_with_exit_code_1() {
    let (_dir, db) = new_db();
    for name in ["One", "Two", "Three", "Four"] {
        json_of(&run(
            &db,
            &["settings", "set", "clinic.name", name, "--json"],
        ));
    }
    let report = json_of(&run(&db, &["--json", "audit", "verify"]));
    assert_eq!(report["ok"], true);
    assert_eq!(report["rows"], 4);
    assert_eq!(report["lastSeq"], 4);
    let text = run(&db, &["audit", "verify"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("intact"));

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = replace(detail, 'Two', 'Zwei') WHERE seq = 2;",
    )
    .unwrap();
    let out = run(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("row 2 was edited"),
        "{}",
        stderr(&out)
    );
    let out = run(&db, &["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["problem"], json!({"kind": "edited", "seq": 2}));
    assert!(report["message"]
        .as_str()
        .unwrap()
        .contains("row 2 was edited"));
}

#[test]
fn audit_export_writes_the_filtered_csv_and_logs_itself() {
    let (dir, db) = new_db();
    for phone in [ANA, BEN] {
        json_of(&run(
            &db,
            &[
                "consent", "add", "--phone", phone, "--kind", "granted", "--method", "text",
                "--json",
            ],
        ));
    }
    let file = dir.path().join("ana.csv");
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(2)).to_string();
    let to = (today + chrono::Duration::days(2)).to_string();
    let result = json_of(&run(
        &db,
        &[
            "--json",
            "audit",
            "export",
            file.to_str().unwrap(),
            "--from",
            &from,
            "--to",
            &to,
            "--phone",
            "415-555-0134",
        ],
    ));
    assert_eq!(result["rows"], 1);
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("seq,at,actor,action,subject,detail,hash")
    );
    let row = lines.next().unwrap();
    assert!(
        row.contains(ANA) && row.contains("consent.granted"),
        "{row}"
    );
    assert!(!csv.contains("0199"), "{csv}");
    assert_eq!(lines.next(), None);

    // Outside the range: nothing, but the export is still logged.
    let old = json_of(&run(
        &db,
        &[
            "--json",
            "audit",
            "export",
            file.to_str().unwrap(),
            "--to",
            "2020-01-01",
        ],
    ));
    assert_eq!(old["rows"], 0);
    let actions: Vec<String> = audit_rows(&db).into_iter().map(|r| r.1).collect();
    assert_eq!(actions.iter().filter(|a| *a == "audit.exported").count(), 2);

    let out = run(
        &db,
        &[
            "audit",
            "export",
            file.to_str().unwrap(),
            "--from",
            "March 1",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
    let out = run(
        &db,
        &[
            "audit",
            "export",
            file.to_str().unwrap(),
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("after the end date"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn optouts_lists_the_latest_state_per_number_from_real_replies() {
    let sim = Sim::start(TOKEN, 7);
    let (_dir, db) = new_db();
    connect_as("admin", &sim, &db, TOKEN);
    assert_eq!(json_of(&run(&db, &["--json", "optouts"])), json!([]));

    sim.inbound(ANA, "Stop!");
    sim.inbound(BEN, "STOP");
    json_of(&run(&db, &["--json", "sync", "--once"]));
    sim.inbound(ANA, " start ");
    json_of(&run(&db, &["--json", "sync", "--once"]));

    let list = json_of(&run(&db, &["--json", "optouts"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let of = |phone: &str| list.iter().find(|e| e["phone"] == phone).unwrap().clone();
    let ben = of(BEN);
    assert_eq!(ben["state"], "opted_out");
    assert_eq!(ben["keyword"], "STOP");
    assert!(ben["sid"].as_str().unwrap().starts_with("SM"), "{ben}");
    assert!(is_rfc3339_utc(&ben["at"]), "{ben}");
    let ana = of(ANA);
    assert_eq!(ana["state"], "opted_in");
    assert_eq!(ana["keyword"], "START");
    let mut fields: Vec<&str> = ben
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["at", "keyword", "phone", "sid", "state"]);

    let text = run(&db, &["optouts"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains(BEN));

    // The credentials save and every opt event are on the record, and the record is intact.
    let rows = audit_rows(&db);
    assert_eq!(rows[0].0, "admin");
    assert_eq!(rows[0].1, "credentials.changed");
    assert!(!rows[0].3.contains("5ecret"), "{}", rows[0].3);
    let recorded: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.1.ends_with(".recorded"))
        .map(|r| (r.1.as_str(), r.2.as_str()))
        .collect();
    assert_eq!(recorded.len(), 3, "{rows:?}");
    assert!(recorded.contains(&("opt_in.recorded", ANA)));
    assert_eq!(
        json_of(&run(&db, &["--json", "audit", "verify"]))["ok"],
        true
    );
}
