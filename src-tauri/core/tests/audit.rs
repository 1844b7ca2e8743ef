//! The hash-chained audit log against real SQLite files: a chain that verifies, every kind of
//! tampering found and named (with the append-only triggers dropped through a raw connection,
//! as someone with the file would), several writers on one file, and CSV exports filtered by
//! patient and by date in the clinic's zone.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use clinic_desk_core::compliance::audit::{self, AuditAction, AuditEntry, ChainProblem};
use clinic_desk_core::compliance::consent::{self, ConsentKind, ConsentMethod};
use clinic_desk_core::credentials::{self, KeyPolicy, KeyStore, TwilioCredentials};
use clinic_desk_core::settings;
use clinic_desk_core::store::optouts::{OptEvent, OptKind, OptSource};
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::{ErrorCode, Store};
use rusqlite::Connection;

const ANA: &str = "+14155550134";
const BEN: &str = "+14155550199";

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: Store,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.sqlite3");
        let store = Store::open(&path).unwrap();
        Fixture {
            _dir: dir,
            path,
            store,
        }
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap()
    }

    /// A raw connection without the append-only triggers: what someone editing the file sees.
    fn tamper(&self) -> Connection {
        let conn = Connection::open(&self.path).unwrap();
        conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            .unwrap();
        conn
    }

    fn rows(&self) -> Vec<(i64, String, String, String)> {
        Connection::open(&self.path)
            .unwrap()
            .prepare("SELECT seq, action, subject, detail FROM audit_log ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

fn entry(n: i64, subject: &str) -> AuditEntry {
    AuditEntry::new(
        1_700_000_000_000 + n,
        "front desk",
        AuditAction::TextQueued,
        subject,
        serde_json::json!({ "outbox_id": n, "segments": 1 }),
    )
}

fn with_rows(count: i64) -> Fixture {
    let f = Fixture::new();
    for n in 1..=count {
        assert_eq!(f.store.audit(&entry(n, ANA)).unwrap(), n);
    }
    f
}

fn broken(f: &Fixture) -> (ChainProblem, String) {
    let report = audit::verify(&f.store).unwrap();
    assert!(!report.ok, "{report:?}");
    (report.problem.unwrap(), report.message)
}

#[test]
fn an_untouched_chain_verifies_with_its_count_and_last_hash() {
    let f = Fixture::new();
    let empty = audit::verify(&f.store).unwrap();
    assert!(empty.ok);
    assert_eq!(empty.rows, 0);

    for n in 1..=5 {
        f.store.audit(&entry(n, ANA)).unwrap();
    }
    settings::set(&f.store, "clinic.name", "Harbor Clinic", "admin").unwrap();
    consent::record(
        &f.store,
        "(415) 555-0134",
        ConsentKind::Granted,
        ConsentMethod::Form,
        "front desk",
        "intake form",
    )
    .unwrap();

    let report = audit::verify(&f.store).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows, 7);
    assert_eq!(report.last_seq, Some(7));
    assert_eq!(report.last_hash.as_ref().map(String::len), Some(64));
    assert!(report.message.contains("intact"), "{}", report.message);

    let rows = f.rows();
    let actions: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(&actions[5..], ["settings.changed", "consent.granted"]);
}

#[test]
fn an_edited_detail_is_reported_at_its_row() {
    let f = with_rows(30);
    f.tamper()
        .execute(
            "UPDATE audit_log SET detail = '{\"outbox_id\":17,\"segments\":9}' WHERE seq = 17",
            [],
        )
        .unwrap();
    let (problem, message) = broken(&f);
    assert_eq!(problem, ChainProblem::Edited { seq: 17 });
    assert!(message.contains("row 17 was edited"), "{message}");
    assert_eq!(audit::verify(&f.store).unwrap().rows, 16);
}

#[test]
fn an_edited_actor_time_or_hash_is_an_edit_too() {
    for change in [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 5",
        "UPDATE audit_log SET at = at + 1 WHERE seq = 5",
        "UPDATE audit_log SET action = 'text.sent' WHERE seq = 5",
        "UPDATE audit_log SET subject = '+14155550199' WHERE seq = 5",
        "UPDATE audit_log SET hash = upper(hash) WHERE seq = 5",
    ] {
        let f = with_rows(8);
        f.tamper().execute(change, []).unwrap();
        assert_eq!(broken(&f).0, ChainProblem::Edited { seq: 5 }, "{change}");
    }
}

#[test]
fn a_deleted_middle_row_is_reported_missing() {
    let f = with_rows(30);
    f.tamper()
        .execute("DELETE FROM audit_log WHERE seq = 12", [])
        .unwrap();
    let (problem, message) = broken(&f);
    assert_eq!(
        problem,
        ChainProblem::Missing {
            first: 12,
            last: 12
        }
    );
    assert!(message.contains("row 12 is missing (deleted)"), "{message}");
}

#[test]
fn deleted_rows_are_found_at_the_start_and_after_renumbering() {
    let f = with_rows(10);
    f.tamper()
        .execute("DELETE FROM audit_log WHERE seq IN (1, 2)", [])
        .unwrap();
    let (problem, message) = broken(&f);
    assert_eq!(problem, ChainProblem::Missing { first: 1, last: 2 });
    assert!(message.contains("rows 1 to 2 are missing"), "{message}");

    // Closing the gap by renumbering the later rows hides the gap but not the broken link.
    let f = with_rows(10);
    let conn = f.tamper();
    conn.execute("DELETE FROM audit_log WHERE seq = 4", [])
        .unwrap();
    for seq in 5..=10 {
        conn.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq = ?1", [seq])
            .unwrap();
    }
    assert_eq!(broken(&f).0, ChainProblem::Missing { first: 4, last: 4 });
}

#[test]
fn swapped_rows_are_reported_out_of_order() {
    let f = with_rows(30);
    let conn = f.tamper();
    conn.execute_batch(
        "UPDATE audit_log SET seq = -1 WHERE seq = 20;
         UPDATE audit_log SET seq = 20 WHERE seq = 21;
         UPDATE audit_log SET seq = 21 WHERE seq = -1;",
    )
    .unwrap();
    let (problem, message) = broken(&f);
    assert_eq!(
        problem,
        ChainProblem::OutOfOrder {
            first: 20,
            second: 21
        }
    );
    assert!(
        message.contains("rows 20 and 21 are out of order"),
        "{message}"
    );
}

#[test]
fn writers_on_two_handles_and_threads_keep_one_chain() {
    let f = Fixture::new();
    let other = Store::open(&f.path).unwrap();
    for n in 0..10 {
        f.store.audit(&entry(n, ANA)).unwrap();
        other.audit(&entry(n, BEN)).unwrap();
    }
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = f.path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                for n in 0..25 {
                    store.audit(&entry(t * 100 + n, ANA)).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let report = audit::verify(&f.store).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows, 120);
    let seqs: Vec<i64> = f.rows().iter().map(|r| r.0).collect();
    assert_eq!(seqs, (1..=120).collect::<Vec<_>>());
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn an_export_for_one_patient_holds_nothing_about_another() {
    let f = Fixture::new();
    for (phone, sid) in [(ANA, "SM_ana"), (BEN, "SM_ben")] {
        f.store
            .record_opt_event(&OptEvent {
                phone: phone.to_string(),
                kind: OptKind::OptOut,
                source: OptSource::Keyword,
                keyword: Some("STOP".to_string()),
                message_sid: Some(sid.to_string()),
                at: 1_700_000_000_000,
                actor: "patient".to_string(),
            })
            .unwrap();
        consent::record(
            &f.store,
            phone,
            ConsentKind::Revoked,
            ConsentMethod::Verbal,
            "front desk",
            "",
        )
        .unwrap();
        f.store.audit(&entry(1, phone)).unwrap();
    }
    settings::set(&f.store, "clinic.name", "Harbor Clinic", "admin").unwrap();

    let file = f.dir().join("ana.csv");
    let count =
        audit::export(&f.store, &file, None, None, Some("(415) 555-0134"), "admin").unwrap();
    assert_eq!(count, 3);
    let (header, rows) = read_csv(&file);
    assert_eq!(
        header,
        ["seq", "at", "actor", "action", "subject", "detail", "hash"]
    );
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r[4] == ANA), "{rows:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("0199") && !text.contains("SM_ben"), "{text}");
    assert!(rows[0][1].ends_with('Z'), "{}", rows[0][1]);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&rows[0][1]).is_ok(),
        "{}",
        rows[0][1]
    );
    assert!(!f.dir().join("ana.csv.partial").exists());

    // The export is itself on the record, about that patient, with its filter and count.
    let last = f.rows().pop().unwrap();
    assert_eq!(last.1, "audit.exported");
    assert_eq!(last.2, ANA);
    let detail: serde_json::Value = serde_json::from_str(&last.3).unwrap();
    assert_eq!(detail["rows"], 3);
    assert_eq!(detail["phone"], ANA);

    let all = audit::export(
        &f.store,
        &f.dir().join("all.csv"),
        None,
        None,
        None,
        "admin",
    )
    .unwrap();
    assert_eq!(all, 8);
    assert!(audit::verify(&f.store).unwrap().ok);
}

#[test]
fn a_date_range_is_whole_days_in_the_clinic_zone() {
    let f = Fixture::new();
    settings::set(&f.store, "clinic.timezone", "America/New_York", "admin").unwrap();
    let at = |y, mo, d, h, mi| {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp_millis()
    };
    // New York is UTC-5 in early March (DST started on 8 March 2020).
    let times = [
        ("before", at(2020, 3, 1, 4, 59)), // 28 Feb 23:59 local
        ("first", at(2020, 3, 1, 5, 0)),   // 1 Mar 00:00 local
        ("last", at(2020, 3, 3, 4, 59)),   // 2 Mar 23:59 local
        ("after", at(2020, 3, 3, 5, 0)),   // 3 Mar 00:00 local
    ];
    for (label, ms) in times {
        f.store
            .audit(&AuditEntry::new(
                ms,
                "front desk",
                AuditAction::TextSent,
                ANA,
                serde_json::json!({ "label": label }),
            ))
            .unwrap();
    }
    let day = |d| NaiveDate::from_ymd_opt(2020, 3, d).unwrap();
    let file = f.dir().join("march.csv");
    let count = audit::export(&f.store, &file, Some(day(1)), Some(day(2)), None, "admin").unwrap();
    assert_eq!(count, 2);
    let (_, rows) = read_csv(&file);
    let labels: Vec<String> = rows
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r[5]).unwrap()["label"].to_string())
        .collect();
    assert_eq!(labels, ["\"first\"", "\"last\""]);

    let only_from = audit::export(&f.store, &file, Some(day(3)), None, None, "admin").unwrap();
    // The "after" row and the export rows written since (all stamped now, after March 2020).
    assert!(only_from >= 1);
    let (_, rows) = read_csv(&file);
    assert!(rows.iter().all(|r| !r[5].contains("first")));

    let err =
        audit::export(&f.store, &file, Some(day(3)), Some(day(1)), None, "admin").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("after the end date"), "{err}");
}

#[test]
fn an_export_to_an_unwritable_place_says_so_and_records_nothing() {
    let f = with_rows(3);
    let file = f.dir().join("no-such-folder/out.csv");
    let err = audit::export(&f.store, &file, None, None, None, "admin").unwrap_err();
    assert!(err.to_string().contains("cannot write"), "{err}");
    assert_eq!(f.rows().len(), 3);
}

#[test]
fn opt_events_are_audited_once_per_recorded_event() {
    let f = Fixture::new();
    let event = OptEvent {
        phone: ANA.to_string(),
        kind: OptKind::OptOut,
        source: OptSource::Keyword,
        keyword: Some("STOP".to_string()),
        message_sid: Some("SM1".to_string()),
        at: 1_700_000_000_000,
        actor: "patient".to_string(),
    };
    assert!(f.store.record_opt_event(&event).unwrap());
    assert!(!f.store.record_opt_event(&event).unwrap());
    f.store
        .record_opt_event(&OptEvent {
            kind: OptKind::OptIn,
            keyword: Some("START".to_string()),
            message_sid: Some("SM2".to_string()),
            ..event.clone()
        })
        .unwrap();
    let rows = f.rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, "opt_out.recorded");
    assert_eq!(rows[0].2, ANA);
    let detail: serde_json::Value = serde_json::from_str(&rows[0].3).unwrap();
    assert_eq!(detail["keyword"], "STOP");
    assert_eq!(detail["sid"], "SM1");
    assert_eq!(detail["source"], "keyword");
    assert_eq!(rows[1].1, "opt_in.recorded");
}

#[test]
fn credential_changes_are_audited_without_any_part_of_the_secret() {
    let f = Fixture::new();
    let keys = KeyStore::new(KeyPolicy::FileOnly {
        path: f.dir().join("clinic-desk.key"),
    })
    .unwrap();
    let token = "tok_5ecret_abcdef0123456789";
    let creds = TwilioCredentials {
        account_sid: "AC0123456789abcdef0123456789abcdef".to_string(),
        auth: Auth::Token(Secret::new(token)),
        from_number: Some("+15551234567".to_string()),
        messaging_service_sid: None,
        api_base: "https://api.twilio.com".to_string(),
    };
    credentials::save_as(&f.store, &keys, &creds, "admin").unwrap();
    credentials::save_as(&f.store, &keys, &creds, "admin").unwrap();
    assert!(credentials::delete_as(&f.store, "admin").unwrap());
    assert!(!credentials::delete_as(&f.store, "admin").unwrap());

    let rows = f.rows();
    let changes: Vec<String> = rows
        .iter()
        .map(|r| {
            assert_eq!(r.1, "credentials.changed");
            let detail: serde_json::Value = serde_json::from_str(&r.3).unwrap();
            detail["change"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(changes, ["saved", "rotated", "deleted"]);
    let detail: serde_json::Value = serde_json::from_str(&rows[0].3).unwrap();
    assert_eq!(detail["account_sid"], creds.account_sid);
    assert_eq!(detail["auth_kind"], "auth_token");
    for row in &rows {
        assert!(!row.3.contains(token), "{}", row.3);
        assert!(
            !row.3.contains("5ecret") && !row.3.contains('•'),
            "{}",
            row.3
        );
    }
}

#[test]
fn every_action_has_a_stable_dotted_name() {
    for action in AuditAction::ALL {
        let name = action.as_str();
        assert!(name.contains('.'), "{name}");
        assert_eq!(AuditAction::parse(name), Some(*action));
    }
    assert_eq!(AuditAction::parse("text.deleted"), None);
}
