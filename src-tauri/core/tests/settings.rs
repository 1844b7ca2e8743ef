//! The settings catalogue against a real SQLite file: every key's good and bad values, the
//! normal form each is stored in, defaults, checks across keys, and the audit record of a change.

use clinic_desk_core::settings::{self, SettingEntry};
use clinic_desk_core::{ErrorCode, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    (dir, store)
}

/// (key, value given, value stored and returned)
const GOOD: &[(&str, &str, &str)] = &[
    ("clinic.name", "  Harbor Clinic ", "Harbor Clinic"),
    ("clinic.name", "Ü", "Ü"),
    ("clinic.phone", "(415) 555-0100", "+14155550100"),
    (
        "clinic.link",
        "https://clinic.example/intake",
        "https://clinic.example/intake",
    ),
    ("clinic.phone", "+44 20 7946 0958", "+442079460958"),
    ("clinic.timezone", "America/New_York", "America/New_York"),
    ("clinic.timezone", "europe/london", "Europe/London"),
    ("clinic.timezone", "UTC", "UTC"),
    ("clinic.region", "gb", "GB"),
    ("clinic.region", "US", "US"),
    ("clinic.language", "ES", "es"),
    ("clinic.language", "pt-BR", "pt-br"),
    ("sending_window.start", "07:30", "07:30"),
    ("sending_window.end", "20:00", "20:00"),
    (
        "sending_window.holidays",
        "2026-12-25, 2026-01-01,2026-12-25",
        "2026-01-01,2026-12-25",
    ),
    ("keywords.opt_out", "halt, nomore,HALT", "HALT,NOMORE"),
    ("keywords.opt_out", "STOP,Halt", "HALT"),
    ("keywords.opt_in", "resume", "RESUME"),
    ("keywords.help", "ayuda,info2", "AYUDA,INFO2"),
    (
        "replies.help",
        "{clinic_name}: call {clinic_phone}. Reply STOP to opt out.",
        "{clinic_name}: call {clinic_phone}. Reply STOP to opt out.",
    ),
    (
        "replies.confirm",
        "Thanks, see you then!",
        "Thanks, see you then!",
    ),
    ("replies.confirm", "OFF", "off"),
    (
        "replies.reschedule",
        "We will call you. Reply STOP to opt out.",
        "We will call you. Reply STOP to opt out.",
    ),
    ("replies.cancel", "off", "off"),
    (
        "replies.cancel",
        "Noted. Reply X again to cancel another visit.",
        "Noted. Reply X again to cancel another visit.",
    ),
    ("messages.price_per_segment", "0.0083", "0.0083"),
    ("messages.price_per_segment", "0", "0"),
    ("messages.price_per_segment", "007.50", "7.50"),
    ("reminders.hours_before", "2, 48,24,48", "48,24,2"),
    ("reminders.hours_before", "336", "336"),
    ("outbox.ambiguous_grace_seconds", "30", "30"),
    ("outbox.ambiguous_grace_seconds", "3600", "3600"),
];

/// (key, bad value, words the refusal must contain)
const BAD: &[(&str, &str, &str)] = &[
    (
        "clinic.name",
        "A clinic name that goes on and on, well past the sixty characters allowed",
        "1 to 60",
    ),
    ("clinic.name", "Harbor\nClinic", "one line"),
    ("clinic.phone", "12", "phone number"),
    ("clinic.link", "clinic.example/form", "https://"),
    ("clinic.link", "https://clinic.example/a form", "no spaces"),
    ("clinic.phone", "call us", "not a phone number"),
    ("clinic.timezone", "Eastern", "IANA"),
    ("clinic.timezone", "America/Gotham", "IANA"),
    ("clinic.region", "USA", "two-letter"),
    ("clinic.region", "ZZ", "two-letter"),
    ("clinic.region", "1A", "two-letter"),
    ("clinic.language", "Spanish", "language code"),
    ("sending_window.start", "8am", "HH:MM"),
    ("sending_window.start", "8:00", "HH:MM"),
    ("sending_window.start", "24:00", "HH:MM"),
    ("sending_window.start", "22:00", "start before it ends"),
    ("sending_window.end", "07:59", "end after it starts"),
    ("sending_window.end", "08:00", "end after it starts"),
    ("sending_window.holidays", "25/12/2026", "2026-12-25"),
    ("sending_window.holidays", "2026-02-30", "YYYY-MM-DD"),
    ("keywords.opt_out", "no more", "single word"),
    ("keywords.opt_out", "halt!", "single word"),
    ("keywords.opt_out", "C", "appointment"),
    ("keywords.opt_out", "confirm", "appointment"),
    ("keywords.opt_out", "x", "appointment"),
    ("keywords.opt_out", "help", "already a help word"),
    ("keywords.opt_out", "start", "already an opt-in word"),
    ("keywords.opt_in", "cancel", "opt-out word fixed by law"),
    ("keywords.opt_in", "STOPALL", "opt-out word fixed by law"),
    ("keywords.help", "optout", "opt-out word fixed by law"),
    ("keywords.help", "r", "appointment"),
    ("keywords.help", "yes", "already an opt-in word"),
    ("keywords.help", ",", "separated by commas"),
    ("replies.help", "Call us at {clinic_phone}.", "STOP"),
    ("replies.help", "reply stop to opt out", "STOP"),
    ("replies.help", "off", "cannot be turned off"),
    ("replies.confirm", "Hi {first_name}, see you", "placeholder"),
    (
        "replies.confirm",
        "Reply CANCEL to cancel instead",
        "opt-out word",
    ),
    (
        "replies.reschedule",
        "Or text end if you changed your mind",
        "opt-out word",
    ),
    (
        "replies.cancel",
        "Reply C to keep it or CANCEL to cancel",
        "reply CANCEL",
    ),
    ("replies.cancel", "Beep\u{7}", "control characters"),
    ("messages.price_per_segment", "-1", "decimal"),
    ("messages.price_per_segment", "$0.01", "decimal"),
    ("messages.price_per_segment", "1e-3", "decimal"),
    ("messages.price_per_segment", "1.", "decimal"),
    ("reminders.hours_before", "0", "1 to 336"),
    ("reminders.hours_before", "337", "1 to 336"),
    ("reminders.hours_before", "24,1.5", "1 to 336"),
    ("reminders.hours_before", ",", "separated by commas"),
    ("outbox.ambiguous_grace_seconds", "29", "30 to 3600"),
    ("outbox.ambiguous_grace_seconds", "3601", "30 to 3600"),
    ("outbox.ambiguous_grace_seconds", "a minute", "30 to 3600"),
];

#[test]
fn good_values_are_stored_in_their_normal_form() {
    for (key, given, expected) in GOOD {
        let (_dir, store) = store();
        let returned = settings::set(&store, key, given, "admin")
            .unwrap_or_else(|e| panic!("{key} = {given:?} refused: {e}"));
        assert_eq!(returned, *expected, "{key} = {given:?}");
        assert_eq!(settings::get(&store, key).unwrap(), *expected, "{key}");
        assert_eq!(store.setting(key).unwrap().as_deref(), Some(*expected));
    }
}

#[test]
fn bad_values_are_refused_with_what_a_good_one_looks_like() {
    for (key, bad, hint) in BAD {
        let (_dir, store) = store();
        let before = settings::get(&store, key).unwrap();
        let err = settings::set(&store, key, bad, "admin")
            .err()
            .unwrap_or_else(|| panic!("{key} = {bad:?} was accepted"));
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{key} = {bad:?}");
        let message = err.to_string();
        assert!(message.contains(hint), "{key} = {bad:?}: {message}");
        assert!(message.contains(key), "{key} = {bad:?}: {message}");
        assert_eq!(settings::get(&store, key).unwrap(), before, "{key}");
        assert_eq!(store.setting(key).unwrap(), None, "{key}");
    }
}

#[test]
fn every_documented_key_is_covered_by_good_and_bad_cases() {
    for key in settings::keys() {
        assert!(GOOD.iter().any(|c| c.0 == key), "no good case for {key}");
        assert!(BAD.iter().any(|c| c.0 == key), "no bad case for {key}");
    }
}

#[test]
fn a_fresh_database_lists_every_key_at_its_default() {
    let (_dir, store) = store();
    let entries = settings::list(&store).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        settings::keys()
    );
    assert!(entries.iter().all(|e| e.is_default && e.value == e.default));
    assert!(entries.iter().all(|e| !e.description.is_empty()));
    let value = |key: &str| -> String {
        entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.clone())
            .unwrap()
    };
    assert_eq!(value("clinic.name"), settings::DEFAULT_CLINIC_NAME);
    assert_eq!(value("clinic.phone"), "");
    assert_eq!(value("clinic.region"), "US");
    assert_eq!(value("clinic.timezone"), settings::system_timezone().name());
    assert_eq!(value("sending_window.start"), "08:00");
    assert_eq!(value("sending_window.end"), "21:00");
    assert_eq!(value("reminders.hours_before"), "24");
    assert_eq!(value("outbox.ambiguous_grace_seconds"), "180");
    assert_eq!(value("messages.price_per_segment"), "0.0079");
    assert_eq!(value("replies.help"), settings::DEFAULT_HELP_REPLY);

    // The catalogue's defaults are the typed accessors' defaults.
    let window = settings::sending_window(&store).unwrap();
    assert_eq!(
        window.start.format("%H:%M").to_string(),
        value("sending_window.start")
    );
    assert_eq!(
        window.end.format("%H:%M").to_string(),
        value("sending_window.end")
    );
    assert_eq!(settings::reminder_hours(&store).unwrap(), vec![24]);
    assert_eq!(
        settings::outbox_ambiguous_grace(&store)
            .unwrap()
            .as_secs()
            .to_string(),
        value("outbox.ambiguous_grace_seconds")
    );

    settings::set(&store, "clinic.name", "Harbor Clinic", "admin").unwrap();
    let entry: SettingEntry = settings::list(&store)
        .unwrap()
        .into_iter()
        .find(|e| e.key == "clinic.name")
        .unwrap();
    assert!(!entry.is_default);
    assert_eq!(entry.value, "Harbor Clinic");
    assert_eq!(entry.default, settings::DEFAULT_CLINIC_NAME);
    let json = serde_json::to_value(&entry).unwrap();
    assert_eq!(json["isDefault"], false);
}

#[test]
fn an_unknown_key_lists_the_valid_ones() {
    let (_dir, store) = store();
    for result in [
        settings::set(&store, "clinic.colour", "blue", "admin"),
        settings::get(&store, "quiet_hours.start"),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        let message = err.to_string();
        for key in settings::keys() {
            assert!(message.contains(key), "{key} missing from: {message}");
        }
    }
}

#[test]
fn the_window_start_must_stay_before_its_end() {
    let (_dir, store) = store();
    settings::set(&store, "sending_window.end", "12:00", "admin").unwrap();
    let err = settings::set(&store, "sending_window.start", "12:00", "admin").unwrap_err();
    assert!(err.to_string().contains("ends at 12:00"), "{err}");
    settings::set(&store, "sending_window.start", "06:00", "admin").unwrap();
    let err = settings::set(&store, "sending_window.end", "05:59", "admin").unwrap_err();
    assert!(err.to_string().contains("starts at 06:00"), "{err}");

    // Back to the default start is fine; the default end before a later start is not.
    settings::set(&store, "sending_window.start", "", "admin").unwrap();
    settings::set(&store, "sending_window.end", "23:00", "admin").unwrap();
    settings::set(&store, "sending_window.start", "22:00", "admin").unwrap();
    let err = settings::set(&store, "sending_window.end", "", "admin").unwrap_err();
    assert!(err.to_string().contains("starts at 22:00"), "{err}");
    let window = settings::sending_window(&store).unwrap();
    assert_eq!(window.start.format("%H:%M").to_string(), "22:00");
    assert_eq!(window.end.format("%H:%M").to_string(), "23:00");
}

#[test]
fn a_word_goes_in_one_keyword_list_only() {
    let (_dir, store) = store();
    settings::set(&store, "keywords.opt_out", "halt", "admin").unwrap();
    let err = settings::set(&store, "keywords.help", "Halt", "admin").unwrap_err();
    assert!(err.to_string().contains("already an opt-out word"), "{err}");
    settings::set(&store, "keywords.opt_in", "resume", "admin").unwrap();
    let err = settings::set(&store, "keywords.opt_out", "halt,resume", "admin").unwrap_err();
    assert!(err.to_string().contains("already an opt-in word"), "{err}");

    // An extra opt-out word may not be asked for in an auto-reply either.
    let err = settings::set(
        &store,
        "replies.confirm",
        "Reply HALT to pause texts",
        "admin",
    )
    .unwrap_err();
    assert!(err.to_string().contains("reply HALT"), "{err}");
}

#[test]
fn an_empty_value_returns_a_key_to_its_default() {
    let (_dir, store) = store();
    settings::set(&store, "clinic.phone", "(415) 555-0100", "admin").unwrap();
    assert_eq!(
        settings::clinic_phone(&store).unwrap().as_deref(),
        Some("+14155550100")
    );
    assert_eq!(
        settings::set(&store, "clinic.phone", "  ", "admin").unwrap(),
        ""
    );
    assert_eq!(settings::clinic_phone(&store).unwrap(), None);

    settings::set(&store, "replies.confirm", "off", "admin").unwrap();
    assert_eq!(
        settings::auto_reply(&store, settings::AutoReply::Confirm).unwrap(),
        None
    );
    let back = settings::set(&store, "replies.confirm", "", "admin").unwrap();
    assert_eq!(back, settings::DEFAULT_CONFIRM_REPLY);
    assert!(settings::list(&store).unwrap().iter().all(|e| e.is_default));
}

#[test]
fn typed_accessors_read_what_set_stored() {
    let (_dir, store) = store();
    settings::set(&store, "clinic.region", "gb", "admin").unwrap();
    // National numbers are now read in the new region.
    settings::set(&store, "clinic.phone", "020 7946 0958", "admin").unwrap();
    assert_eq!(
        settings::clinic_phone(&store).unwrap().as_deref(),
        Some("+442079460958")
    );
    settings::set(&store, "clinic.timezone", "europe/london", "admin").unwrap();
    assert_eq!(
        settings::clinic_timezone(&store).unwrap(),
        chrono_tz::Europe::London
    );
    settings::set(&store, "reminders.hours_before", "2,48", "admin").unwrap();
    assert_eq!(settings::reminder_hours(&store).unwrap(), vec![48, 2]);
    settings::set(&store, "keywords.opt_out", "halt", "admin").unwrap();
    assert_eq!(
        settings::extra_keywords(&store).unwrap().opt_out,
        vec!["HALT"]
    );
    settings::set(&store, "clinic.name", "Harbor Clinic", "admin").unwrap();
    settings::set(
        &store,
        "replies.help",
        "{clinic_name} {clinic_phone}: reply STOP to opt out",
        "admin",
    )
    .unwrap();
    assert_eq!(
        settings::auto_reply(&store, settings::AutoReply::Help)
            .unwrap()
            .as_deref(),
        Some("Harbor Clinic +442079460958: reply STOP to opt out")
    );
}

#[test]
fn a_hand_edited_bad_value_reads_as_the_default() {
    let (_dir, store) = store();
    store
        .set_setting("outbox.ambiguous_grace_seconds", "5")
        .unwrap();
    store
        .set_setting("clinic.timezone", "Mars/Olympus")
        .unwrap();
    assert_eq!(
        settings::get(&store, "outbox.ambiguous_grace_seconds").unwrap(),
        "180"
    );
    assert_eq!(
        settings::get(&store, "clinic.timezone").unwrap(),
        settings::system_timezone().name()
    );
}

#[test]
fn a_change_is_audited_with_who_and_the_old_and_new_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite3");
    let store = Store::open(&path).unwrap();
    settings::set(&store, "clinic.timezone", "America/Chicago", "admin").unwrap();
    settings::set(&store, "clinic.timezone", "america/denver", "cli:desk2").unwrap();
    // Setting the same value again changes nothing and records nothing.
    settings::set(&store, "clinic.timezone", "America/Denver", "admin").unwrap();
    let err = settings::set(&store, "clinic.timezone", "Gotham", "admin").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let err = settings::set(&store, "clinic.name", "Harbor", " ").unwrap_err();
    assert!(err.to_string().contains("who"), "{err}");

    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(String, String, String, String)> = conn
        .prepare("SELECT actor, action, subject, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].0, "cli:desk2");
    assert_eq!(rows[1].1, "settings.changed");
    assert_eq!(rows[1].2, "");
    let detail: serde_json::Value = serde_json::from_str(&rows[1].3).unwrap();
    assert_eq!(detail["key"], "clinic.timezone");
    assert_eq!(detail["old"], "America/Chicago");
    assert_eq!(detail["new"], "America/Denver");
    let first: serde_json::Value = serde_json::from_str(&rows[0].3).unwrap();
    assert_eq!(first["old"], settings::system_timezone().name());
}
