//! Consent records and the opt-out listing against a real SQLite file.

use clinic_desk_core::compliance::consent::{self, ConsentKind, ConsentMethod};
use clinic_desk_core::store::optouts::{OptEvent, OptKind, OptSource, OptStatus};
use clinic_desk_core::{settings, ErrorCode, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn consent_is_recorded_per_number_and_listed_newest_first() {
    let (_dir, store) = store();
    let granted = consent::record(
        &store,
        "(415) 555-0134",
        ConsentKind::Granted,
        ConsentMethod::Form,
        "front desk",
        "  signed intake form ",
    )
    .unwrap();
    assert_eq!(granted.phone, "+14155550134");
    assert_eq!(granted.note, "signed intake form");
    assert_eq!(granted.actor, "front desk");
    consent::record(
        &store,
        "+1 415 555 0199",
        ConsentKind::Granted,
        ConsentMethod::Verbal,
        "front desk",
        "",
    )
    .unwrap();
    let revoked = consent::record(
        &store,
        "415.555.0134",
        ConsentKind::Revoked,
        ConsentMethod::Text,
        "cli:desk2",
        "asked by text",
    )
    .unwrap();

    let ana = consent::list(&store, Some("4155550134")).unwrap();
    assert_eq!(ana.len(), 2);
    assert_eq!(ana[0], revoked);
    assert_eq!(ana[1], granted);
    assert_eq!(consent::list(&store, None).unwrap().len(), 3);

    let json = serde_json::to_value(&revoked).unwrap();
    assert_eq!(json["kind"], "revoked");
    assert_eq!(json["method"], "text");
    assert_eq!(json["phone"], "+14155550134");
    assert!(json["at"].is_i64());
}

#[test]
fn consent_events_are_audited_without_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    let store = Store::open(&path).unwrap();
    let event = consent::record(
        &store,
        "4155550134",
        ConsentKind::Revoked,
        ConsentMethod::Verbal,
        "front desk",
        "said so at the desk after her visit",
    )
    .unwrap();
    let (action, subject, detail): (String, String, String) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(action, "consent.revoked");
    assert_eq!(subject, "+14155550134");
    assert!(!detail.contains("visit"), "{detail}");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["consent_id"], event.id);
    assert_eq!(detail["method"], "verbal");
}

#[test]
fn bad_consent_input_is_refused_and_nothing_is_stored() {
    let (_dir, store) = store();
    let record = |phone: &str, actor: &str, note: &str| {
        consent::record(
            &store,
            phone,
            ConsentKind::Granted,
            ConsentMethod::Form,
            actor,
            note,
        )
    };
    assert_eq!(
        record("12", "front desk", "").unwrap_err().code(),
        ErrorCode::InvalidNumber
    );
    assert_eq!(
        record("4155550134", "  ", "").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let long = "n".repeat(consent::MAX_NOTE_CHARS + 1);
    assert!(record("4155550134", "front desk", &long)
        .unwrap_err()
        .to_string()
        .contains("too long"));
    assert!(consent::list(&store, None).unwrap().is_empty());
}

#[test]
fn national_numbers_are_read_in_the_clinic_region() {
    let (_dir, store) = store();
    settings::set(&store, "clinic.region", "GB", "admin").unwrap();
    let event = consent::record(
        &store,
        "020 7946 0958",
        ConsentKind::Granted,
        ConsentMethod::Form,
        "front desk",
        "",
    )
    .unwrap();
    assert_eq!(event.phone, "+442079460958");
}

fn opt(phone: &str, kind: OptKind, sid: &str, at: i64) -> OptEvent {
    OptEvent {
        phone: phone.to_string(),
        kind,
        source: OptSource::Keyword,
        keyword: Some(match kind {
            OptKind::OptOut => "STOP".to_string(),
            OptKind::OptIn => "START".to_string(),
        }),
        message_sid: Some(sid.to_string()),
        at,
        actor: "patient".to_string(),
    }
}

#[test]
fn opt_states_show_the_latest_event_per_number() {
    let (_dir, store) = store();
    assert!(store.opt_states().unwrap().is_empty());
    let ana = "+14155550134";
    let ben = "+14155550199";
    store
        .record_opt_event(&opt(ana, OptKind::OptOut, "SM1", 1_000))
        .unwrap();
    store
        .record_opt_event(&opt(ben, OptKind::OptOut, "SM2", 2_000))
        .unwrap();
    store
        .record_opt_event(&opt(ana, OptKind::OptIn, "SM3", 3_000))
        .unwrap();
    // An older event arriving late (a back-fill) does not override a newer one.
    store
        .record_opt_event(&opt(ben, OptKind::OptIn, "SM0", 500))
        .unwrap();
    store
        .record_opt_event(&OptEvent {
            source: OptSource::Twilio21610,
            keyword: None,
            ..opt(ben, OptKind::OptOut, "SM4", 2_500)
        })
        .unwrap();

    let states = store.opt_states().unwrap();
    assert_eq!(states.len(), 2);
    assert_eq!(states[0].phone, ana);
    assert_eq!(states[0].state, OptStatus::OptedIn);
    assert_eq!(states[0].keyword.as_deref(), Some("START"));
    assert_eq!(states[0].sid.as_deref(), Some("SM3"));
    assert_eq!(states[0].at, 3_000);
    assert_eq!(states[1].phone, ben);
    assert_eq!(states[1].state, OptStatus::OptedOut);
    assert_eq!(states[1].source, OptSource::Twilio21610);
    assert_eq!(states[1].sid.as_deref(), Some("SM4"));
    assert!(store.is_opted_out(ben).unwrap());
    assert!(!store.is_opted_out(ana).unwrap());

    let json = serde_json::to_value(&states[1]).unwrap();
    assert_eq!(json["state"], "opted_out");
    assert_eq!(json["source"], "twilio_21610");
}
