//! The store against real SQLite files on disk.

use std::time::Duration;

use clinic_desk_core::patients::{add_patient, NewPatient};
use clinic_desk_core::store::{ConstraintKind, OpenOptions, Store, StoreError, LATEST_VERSION};
use clinic_desk_core::{Error, ErrorCode};
use rusqlite::Connection;

fn new_patient(first: &str, phone: &str) -> NewPatient {
    NewPatient {
        first_name: first.to_string(),
        last_name: "Rivera".to_string(),
        phone: phone.to_string(),
        preferred_language: None,
        time_zone: None,
    }
}

#[test]
fn fresh_database_is_migrated_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/clinic.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);

    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in [
        "appointments",
        "audit_log",
        "consent_events",
        "credentials",
        "messages",
        "opt_events",
        "outbox",
        "patient_phones",
        "patients",
        "settings",
        "sync_cursors",
        "threads",
    ] {
        assert!(tables.contains(&table.to_string()), "missing table {table}");
    }
}

#[test]
fn data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        add_patient(&store, &new_patient("Ana", "(415) 555-0134")).unwrap();
        store.set_setting("clinic.region", "US").unwrap();
    }
    let store = Store::open(&path).unwrap();
    let patients = store.list_patients().unwrap();
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0].first_name, "Ana");
    assert_eq!(patients[0].phones[0].e164, "+14155550134");
    assert_eq!(
        store.setting("clinic.region").unwrap().as_deref(),
        Some("US")
    );
}

#[test]
fn newer_database_is_refused_with_both_versions_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    Store::open(&path).unwrap();
    let future = LATEST_VERSION + 3;
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", future)
        .unwrap();

    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, future);
            assert_eq!(*supported, LATEST_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("newer Clinic Desk"), "{message}");
    assert!(message.contains("update Clinic Desk"), "{message}");
    assert_eq!(Error::from(err).code(), ErrorCode::DatabaseTooNew);
    // Refusing must not have touched the file.
    let version: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, future);
}

#[test]
fn duplicate_phone_is_a_typed_conflict_and_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    add_patient(&store, &new_patient("Ana", "4155550134")).unwrap();
    let err = add_patient(&store, &new_patient("Ben", "+1 (415) 555-0134")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("+14155550134"), "{err}");
    // The transaction rolled back: no half-written patient without a phone.
    assert_eq!(store.list_patients().unwrap().len(), 1);
}

#[test]
fn schema_constraints_surface_as_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    Store::open(&path).unwrap();
    // Foreign keys are enforced on the store's connection: go through a store-shaped write.
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let fk = conn
        .execute(
            "INSERT INTO patient_phones (patient_id, e164, created_at) VALUES (999, '+14155550134', 0)",
            [],
        )
        .unwrap_err();
    let check = conn
        .execute(
            "INSERT INTO patients (first_name, created_at, updated_at) VALUES ('   ', 0, 0)",
            [],
        )
        .unwrap_err();
    let as_store = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, m) => (f.extended_code, m),
        other => panic!("{other:?}"),
    };
    assert_eq!(as_store(fk).0, rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    assert_eq!(as_store(check).0, rusqlite::ffi::SQLITE_CONSTRAINT_CHECK);

    // And through the store's own API, a rule broken inside the schema is a typed error.
    let store = Store::open(&path).unwrap();
    let err = store
        .insert_patient(&clinic_desk_core::store::patients::PatientRecord {
            first_name: "Ana".into(),
            last_name: String::new(),
            preferred_language: "en".into(),
            time_zone: None,
            phone_e164: "not-a-number".into(),
            line_type: clinic_desk_core::store::patients::LineType::Mobile,
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Constraint {
                kind: ConstraintKind::Check,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(store.list_patients().unwrap().is_empty());
}

#[test]
fn audit_log_rejects_edits_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, prev_hash, hash) VALUES (1, 'a', 'x', '', 'h1')",
        [],
    )
    .unwrap();
    assert!(conn
        .execute("UPDATE audit_log SET actor = 'b'", [])
        .is_err());
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn locked_database_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let store = Store::open_with(
        &path,
        &OpenOptions {
            busy_timeout: Duration::from_millis(50),
        },
    )
    .unwrap();
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let err = store
        .set_setting("clinic.name", "Harbor Clinic")
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("locked by another program"), "{message}");
    assert!(message.contains("c.sqlite3"), "{message}");
    assert_eq!(Error::from(err).code(), ErrorCode::DatabaseLocked);

    holder.execute_batch("ROLLBACK").unwrap();
    store.set_setting("clinic.name", "Harbor Clinic").unwrap();
}

#[test]
fn a_file_that_is_not_a_database_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite3");
    let junk = b"these are a receptionist's notes, not a database".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("not a Clinic Desk database"));
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

#[test]
fn patient_input_is_validated_with_actionable_messages() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let err = add_patient(&store, &new_patient("", "4155550134")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("first name"));

    let err = add_patient(&store, &new_patient("Ana", "12")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidNumber);

    let mut bad_zone = new_patient("Ana", "4155550134");
    bad_zone.time_zone = Some("Mars/Olympus".into());
    let err = add_patient(&store, &bad_zone).unwrap_err();
    assert!(err.to_string().contains("America/New_York"), "{err}");

    let mut good = new_patient("Ana <b>", "4155550134");
    good.time_zone = Some("America/Chicago".into());
    good.preferred_language = Some("es".into());
    let patient = add_patient(&store, &good).unwrap();
    assert_eq!(patient.first_name, "Ana <b>");
    assert_eq!(patient.time_zone.as_deref(), Some("America/Chicago"));
    assert_eq!(patient.preferred_language, "es");
    assert!(store.list_patients().unwrap().len() == 1);
}

#[test]
fn the_unread_total_counts_replies_until_their_conversation_is_read() {
    use clinic_desk_core::compliance::keywords::Keywords;
    use clinic_desk_core::store::messages::{IngestMode, MessageRecord};
    use clinic_desk_core::store::threads::Direction;
    use clinic_desk_core::twilio::MessageStatus;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    assert_eq!(store.unread_total().unwrap(), 0);
    let reply = |n: u32, from: &str| MessageRecord {
        sid: format!("SM{n:032x}"),
        direction: Direction::Inbound,
        from: from.to_string(),
        to: "+15555550100".to_string(),
        body: "Is there parking?".into(),
        status: MessageStatus::Received,
        error_code: None,
        error_message: None,
        num_segments: Some(1),
        price: None,
        price_unit: None,
        created_at: 1_700_000_000_000 + i64::from(n),
        sent_at: None,
    };
    let records = [
        reply(1, "+14155550101"),
        reply(2, "+14155550101"),
        reply(3, "+14155550102"),
    ];
    store
        .ingest(&records, IngestMode::Live, &Keywords::default())
        .unwrap();
    assert_eq!(store.unread_total().unwrap(), 3);
    store.mark_thread_read("+14155550101").unwrap();
    assert_eq!(store.unread_total().unwrap(), 1);
}
