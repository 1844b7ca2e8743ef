//! Appointments end to end on real SQLite files: booking that never fails for a text, reminders
//! exactly once across DST, restarts and concurrent schedulers, CSV import of messy files, and
//! templates; anything that sends goes to the Twilio simulator over real HTTP.

#[path = "../support/mod.rs"]
mod support;

mod booking;
mod csv;
mod reminders;
mod templates;

use clinic_desk_core::appointments::{self, Appointment, NewAppointment};
use clinic_desk_core::clock::Clock;
use clinic_desk_core::outbox::Sender;
use clinic_desk_core::Store;
use tempfile::TempDir;

pub const ANA: &str = "+14155550134";
pub const BEN: &str = "+14155550188";
pub const CAROL: &str = "+14155550199";

/// A clinic in `zone` on a fresh database file.
pub fn clinic(zone: &str) -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    store.set_setting("clinic.timezone", zone).unwrap();
    store.set_setting("clinic.name", "Harbor Clinic").unwrap();
    (dir, store)
}

/// The clinic's number; nothing is sent in tests that use it without a simulator.
pub fn sender() -> Sender {
    Sender {
        from: Some("+15555550100".to_string()),
        messaging_service_sid: None,
    }
}

pub fn book(store: &Store, clock: &dyn Clock, phone: &str, start: &str) -> Appointment {
    appointments::book(
        store,
        Some(&sender()),
        clock,
        &NewAppointment {
            phone: phone.to_string(),
            name: "Pat Doe".to_string(),
            start: start.to_string(),
            provider: "Dr. Lee".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .expect("book")
    .appointment
}

/// Outbox rows of one appointment and kind, oldest first: (state, once_key, body).
pub fn texts_of(store: &Store, appointment_id: i64, kind: &str) -> Vec<(String, String, String)> {
    rusqlite::Connection::open(store.path())
        .unwrap()
        .prepare(
            "SELECT state, once_key, body FROM outbox WHERE appointment_id = ?1 AND kind = ?2 \
             ORDER BY id",
        )
        .unwrap()
        .query_map(rusqlite::params![appointment_id, kind], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}
