//! The store against real SQLite files on disk.

mod support;

use std::time::Duration;

use clinic_desk_core::compliance::keywords::Keywords;
use clinic_desk_core::patients::{add_patient, NewPatient};
use clinic_desk_core::store::messages::{IngestMode, MessageRecord};
use clinic_desk_core::store::{ConstraintKind, OpenOptions, Store, StoreError, LATEST_VERSION};
use clinic_desk_core::{Error, ErrorCode};
use rusqlite::Connection;
use support::{reply, reply_saying};

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

/// A patient's text to the clinic number, the `n`th of the test.
#[test]
fn the_unread_total_counts_replies_until_their_conversation_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    assert_eq!(store.unread_total().unwrap(), 0);
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

#[test]
fn the_thread_index_is_only_set_aside_while_no_text_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    store
        .ingest(
            &[reply(1, "+14155550101")],
            IngestMode::Live,
            &Keywords::default(),
        )
        .unwrap();
    assert!(!store.defer_thread_index_if_empty().unwrap());
    let kept: i64 = Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'messages_thread'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1);
}

/// A page mixing several conversations: each reads in the order its texts were sent (the list's
/// order settling a tie within the same second), and new replies are announced in the order
/// they arrived.
#[test]
fn a_batch_keeps_each_conversations_order_and_announces_replies_as_they_arrived() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let (ana, ben) = ("+14155550101", "+14155550102");
    let text = |n: u32, from: &str, created: u32, body: &str| MessageRecord {
        body: body.to_string(),
        created_at: 1_700_000_000_000 + i64::from(created) * 1000,
        ..reply(n, from)
    };
    // As the list gives them: newest first. Ana's "second" and "third" share a second.
    let page = [
        text(1, ana, 9, "fourth"),
        text(2, ben, 8, "ben later"),
        text(3, ana, 7, "third"),
        text(4, ana, 7, "second"),
        text(5, ben, 6, "ben first"),
        text(6, ana, 5, "first"),
    ];
    let report = store
        .ingest(&page, IngestMode::Live, &Keywords::default())
        .unwrap();

    let bodies = |phone: &str| -> Vec<String> {
        store
            .thread_messages(phone)
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect()
    };
    assert_eq!(bodies(ana), ["first", "second", "third", "fourth"]);
    assert_eq!(bodies(ben), ["ben first", "ben later"]);
    let announced: Vec<&str> = report
        .new_inbound
        .iter()
        .map(|reply| reply.body.as_str())
        .collect();
    assert_eq!(
        announced,
        [
            "first",
            "ben first",
            "second",
            "third",
            "ben later",
            "fourth"
        ]
    );
}

/// A database written by version 1 (the schema before the messages table was rebuilt twice).
fn version_1_database(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0001_initial.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn
}

/// Each text's id, SID, outbox row, read mark and pending action.
type StoredText = (i64, String, Option<i64>, Option<i64>, Option<String>);

/// `pending_action` is the SQL reading a text's pending action: a column of messages up to
/// version 2, a row of pending_actions since.
fn stored_texts(conn: &Connection, pending_action: &str) -> Vec<StoredText> {
    conn.prepare(&format!(
        "SELECT id, sid, outbox_id, read_at, {pending_action} FROM messages ORDER BY id"
    ))
    .unwrap()
    .query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn upgrading_from_version_1_keeps_every_text_its_id_and_the_flags_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    let conn = version_1_database(&path);
    conn.execute_batch(
        "INSERT INTO outbox (id, to_number, from_number, body, kind, state, next_attempt_at, \
                             created_by, created_at, updated_at) \
         VALUES (7, '+14155550134', '+15555550100', 'See you Tuesday', 'manual', 'submitted', 0, \
                 'front desk', 1, 1);
         INSERT INTO messages (id, sid, outbox_id, direction, from_number, to_number, thread_phone, \
                               body, status, created_at, updated_at) \
         VALUES (40, 'SM00000000000000000000000000000040', 7, 'outbound', '+15555550100', \
                 '+14155550134', '+14155550134', 'See you Tuesday', 'sent', 1000, 1000);
         INSERT INTO messages (id, sid, direction, from_number, to_number, thread_phone, body, \
                               status, created_at, updated_at, read_at, pending_action) \
         VALUES (41, 'SM00000000000000000000000000000041', 'inbound', '+14155550134', \
                 '+15555550100', '+14155550134', 'please stop texting me', 'received', 2000, \
                 2000, 2500, 'plain_words_opt_out');
         INSERT INTO staff_flags (phone, message_id, reason, created_at) \
         VALUES ('+14155550134', 41, 'plain_words_opt_out', 2000);
         INSERT INTO patients (id, first_name, created_at, updated_at) VALUES (3, 'Ana', 1, 1);
         INSERT INTO patient_phones (id, patient_id, e164, line_type, created_at) \
         VALUES (5, 3, '+14155550134', 'mobile', 1);",
    )
    .unwrap();
    let phones = |conn: &Connection| -> (i64, i64, String, String) {
        conn.query_row(
            "SELECT id, patient_id, e164, line_type FROM patient_phones",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    };
    let phones_before = phones(&conn);
    let before = stored_texts(&conn, "pending_action");
    drop(conn);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    // The unfinished text is still found through the rebuilt index, by the store's own query.
    assert_eq!(
        store.unfinished_outbound_sids(0).unwrap(),
        vec![("SM00000000000000000000000000000040".to_string(), 1000)]
    );
    drop(store);

    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let after = stored_texts(
        &conn,
        "(SELECT action FROM pending_actions WHERE message_id = messages.id)",
    );
    assert_eq!(after, before);
    assert_eq!(phones(&conn), phones_before);
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0);
    // The flag still points at its text, and the rebuilt table still refuses what it refused.
    let flagged_body: String = conn
        .query_row(
            "SELECT m.body FROM staff_flags f JOIN messages m ON m.id = f.message_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(flagged_body, "please stop texting me");
    let bad_action = conn.execute(
        "INSERT INTO pending_actions (message_id, action) VALUES (40, 'shout')",
        [],
    );
    assert!(bad_action.is_err(), "an unknown pending action is refused");
    let orphan_action = conn.execute(
        "INSERT INTO pending_actions (message_id, action) VALUES (99, 'help')",
        [],
    );
    assert!(orphan_action.is_err(), "a pending action needs its text");
    let bad_line = conn.execute(
        "INSERT INTO patient_phones (patient_id, e164, line_type, created_at) \
         VALUES (3, '+14155550135', 'pager', 1)",
        [],
    );
    assert!(bad_line.is_err(), "an unknown line type is refused");
    conn.execute("DELETE FROM patients WHERE id = 3", [])
        .unwrap();
    assert_eq!(
        conn.query_row("SELECT count(*) FROM patient_phones", [], |r| r
            .get::<_, i64>(0))
            .unwrap(),
        0,
        "a patient's numbers go with the patient"
    );
    let deleted_parent = conn.execute("DELETE FROM messages WHERE id = 41", []);
    assert!(deleted_parent.is_err(), "staff_flags still guards its text");
    let leftovers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE '%\\_v_' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftovers, 0);
}

/// SQLite fills a temporary b-tree for `IN (three or more values)` each time a statement runs;
/// in a CHECK or a partial index's predicate that is once per row stored. A back-fill stores a
/// text for every message, a pending action for every answer and a contact for every new number,
/// and the temporary b-trees cost about a third of its time.
#[test]
fn what_a_back_fill_stores_fills_no_temporary_btree() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let opcodes_of = |table: &str, columns: &[&str], upsert: &str| -> Vec<String> {
        let places: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        conn.prepare(&format!(
            "EXPLAIN INSERT INTO {table} ({}) VALUES ({}) {upsert}",
            columns.join(", "),
            places.join(", ")
        ))
        .unwrap()
        .query_map(
            rusqlite::params_from_iter(std::iter::repeat_n(rusqlite::types::Null, columns.len())),
            |r| r.get::<_, String>(1),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let inserts = [
        opcodes_of(
            "messages",
            &[
                "sid",
                "outbox_id",
                "direction",
                "from_number",
                "to_number",
                "thread_phone",
                "body",
                "status",
                "error_code",
                "error_message",
                "num_segments",
                "price",
                "price_unit",
                "created_at",
                "sent_at",
                "updated_at",
                "read_at",
            ],
            "ON CONFLICT (sid) DO NOTHING",
        ),
        opcodes_of("pending_actions", &["message_id", "action"], ""),
        opcodes_of(
            "patient_phones",
            &[
                "patient_id",
                "e164",
                "line_type",
                "is_primary",
                "created_at",
            ],
            "",
        ),
    ];
    for opcodes in inserts {
        assert!(opcodes.iter().any(|op| op == "Insert"), "{opcodes:?}");
        assert!(
            !opcodes.iter().any(|op| op == "OpenEphemeral"),
            "{opcodes:?}"
        );
    }
}

#[test]
fn unfinished_texts_are_found_through_their_partial_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            clinic_desk_core::store::messages::UNFINISHED_OUTBOUND_SQL
        ))
        .unwrap()
        .query_map([0], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|step| step.contains("messages_unfinished")),
        "{plan:#?}"
    );
}

/// Version 1's patients table defaults a language of 'en'; a contact created for an unknown
/// number must still have no preference, so its texts follow the clinic's language.
#[test]
fn a_number_first_seen_after_upgrading_from_version_1_follows_the_clinics_language() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    drop(version_1_database(&path));
    let store = Store::open(&path).unwrap();
    store
        .ingest(
            &[reply(1, "+14155550177")],
            IngestMode::Live,
            &Keywords::default(),
        )
        .unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let language: String = conn
        .query_row(
            "SELECT p.preferred_language FROM patients p \
             JOIN patient_phones ph ON ph.patient_id = p.id WHERE ph.e164 = '+14155550177'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(language, "");
}

/// A back-fill reads newest first: a batch of older texts must leave each conversation's latest
/// text in place while still counting the replies recent enough to be unread.
#[test]
fn older_back_fill_batches_keep_the_latest_text_and_count_unread_replies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let text = reply_saying;
    let backfill = IngestMode::Backfill {
        unread_after: reply(40, "").created_at,
    };
    let keywords = Keywords::default();
    let summary = |phone: &str| {
        let thread = store
            .list_threads()
            .unwrap()
            .into_iter()
            .find(|t| t.phone == phone)
            .unwrap();
        (thread.last_body, thread.last_at, thread.unread)
    };
    let ana = "+14155550101";
    let ben = "+14155550102";

    store
        .ingest(&[text(50, ana, "Newest")], backfill, &keywords)
        .unwrap();
    store
        .ingest(
            &[text(45, ana, "Older, unread"), text(10, ana, "Old")],
            backfill,
            &keywords,
        )
        .unwrap();
    let newest_at = reply(50, ana).created_at;
    assert_eq!(summary(ana), ("Newest".to_string(), newest_at, 2));

    // Only texts older than the summary and none unread: nothing in it changes.
    store
        .ingest(
            &[text(5, ana, "Oldest"), text(4, ben, "Ben's only text")],
            backfill,
            &keywords,
        )
        .unwrap();
    assert_eq!(summary(ana), ("Newest".to_string(), newest_at, 2));
    assert_eq!(
        summary(ben),
        ("Ben's only text".to_string(), reply(4, ben).created_at, 0)
    );

    // A newer reply still moves the conversation forward.
    store
        .ingest(&[text(60, ana, "Latest")], IngestMode::Live, &keywords)
        .unwrap();
    assert_eq!(
        summary(ana),
        ("Latest".to_string(), reply(60, ana).created_at, 3)
    );
    assert_eq!(store.unread_total().unwrap(), 3);
}

/// A conversation left without a patient (its row removed outside the app) is linked again,
/// to a contact stub, by the next text on it, and its summary still moves forward.
#[test]
fn a_conversation_without_a_patient_is_linked_again_by_its_next_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let keywords = Keywords::default();
    let ana = "+14155550101";
    store
        .ingest(&[reply(1, ana)], IngestMode::Live, &keywords)
        .unwrap();
    Connection::open(store.path())
        .unwrap()
        .execute("UPDATE threads SET patient_id = NULL", [])
        .unwrap();

    let newer = reply_saying(2, ana, "Running late");
    store.ingest(&[newer], IngestMode::Live, &keywords).unwrap();
    let thread = store.list_threads().unwrap().remove(0);
    assert!(thread.patient_id.is_some());
    assert_eq!(thread.last_body, "Running late");
    assert_eq!(thread.last_at, reply(2, ana).created_at);
    assert_eq!(thread.unread, 2);
}

/// A text from a sender that is not a phone number (an alphanumeric sender ID, a short code) is
/// stored in a thread of its own, without a contact, rather than failing its whole batch.
#[test]
fn a_sender_that_is_not_a_phone_number_gets_one_thread_and_no_contact() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let keywords = Keywords::default();
    let sender = "Dr \"Ana\" \\ Clinic \u{e9}";
    let text = |n: u32, body: &str| reply_saying(n, sender, body);
    store
        .ingest(&[text(1, "first")], IngestMode::Live, &keywords)
        .unwrap();
    store
        .ingest(&[text(2, "second")], IngestMode::Live, &keywords)
        .unwrap();
    let threads = store.list_threads().unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].phone, sender);
    assert_eq!(threads[0].last_body, "second");
    assert_eq!(threads[0].unread, 2);
    assert_eq!(threads[0].patient_id, None);
    assert!(store.list_patients().unwrap().is_empty());
}

/// A store in a new folder holding 5,000 texts of 200 patients, written the way a back-fill
/// writes them (no fsync at commit); with the folder, the database's path, and the file's size
/// while the back-fill is still in the WAL.
fn back_filled_store() -> (tempfile::TempDir, std::path::PathBuf, Store, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    let store = Store::open(&path).unwrap();
    let records: Vec<MessageRecord> = (0..5_000)
        .map(|n| reply(n, &format!("+1415555{:04}", n % 200)))
        .collect();
    let backfill = IngestMode::Backfill {
        unread_after: i64::MAX,
    };
    store
        .ingest(&records, backfill, &Keywords::default())
        .unwrap();
    let before = file_len(&path);
    (dir, path, store, before)
}

fn file_len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Waits, up to 30 s, until the file at `path` holds at least `len` bytes.
fn wait_for_file_to_reach(path: &std::path::Path, len: u64) {
    let waited_since = std::time::Instant::now();
    while file_len(path) < len {
        assert!(
            waited_since.elapsed() < Duration::from_secs(30),
            "{} stayed at {} bytes",
            path.display(),
            file_len(path)
        );
        std::thread::yield_now();
    }
}

/// A back-fill's texts sit in the WAL until a checkpoint copies them into the database file;
/// the store does that on a thread of its own when asked, while it stays open and usable.
#[test]
fn a_back_fill_is_copied_into_the_database_file_behind_the_writer() {
    let (dir, path, store, before) = back_filled_store();
    assert!(
        file_len(&dir.path().join("clinic.sqlite3-wal")) > 1_000_000,
        "the back-fill is in the WAL"
    );

    store.checkpoint_behind();
    wait_for_file_to_reach(&path, before + 1_000_000);
    // The store kept working meanwhile and afterwards.
    assert_eq!(store.list_threads().unwrap().len(), 200);
}

/// Closing waits for a checkpoint in progress rather than racing it: the close's own checkpoint
/// then finishes the job and removes the WAL, and nothing written is lost.
#[test]
fn closing_the_store_during_a_background_checkpoint_leaves_everything_in_the_file() {
    let (dir, path, store, before) = back_filled_store();
    store.checkpoint_behind();
    // Closed once the checkpoint has begun copying.
    wait_for_file_to_reach(&path, before + 1);
    drop(store);

    assert!(!dir.path().join("clinic.sqlite3-wal").exists());
    let conn = Connection::open(&path).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 5_000);
}
