//! Reminder scheduling with a fixed clock: timing across both DST changes in two zones, exactly
//! one text per appointment and rule under repeats, restarts, edits and concurrent schedulers,
//! re-arming on reschedule, and nothing for cancelled or past appointments.

use std::sync::{Arc, Barrier};

use clinic_desk_core::appointments::csv_import::import_csv;
use clinic_desk_core::appointments::reminders::run_pass;
use clinic_desk_core::appointments::{self, AppointmentChanges};
use clinic_desk_core::Store;

use crate::support::TestClock;
use crate::{book, clinic, ms, sender, texts_of, ANA, BEN, CAROL};

/// A 24-hour reminder is due at the same wall-clock time the day before, which is 23 real hours
/// before an appointment the day the clocks spring forward and 25 the day they fall back.
#[test]
fn a_24_hour_reminder_keeps_the_wall_clock_time_across_both_dst_changes_in_two_zones() {
    let cases = [
        (
            "America/New_York",
            "2026-03-08 09:00",
            "2026-03-07T14:00:00Z",
            23,
        ),
        (
            "America/New_York",
            "2026-11-01 09:00",
            "2026-10-31T13:00:00Z",
            25,
        ),
        (
            "Europe/Berlin",
            "2026-03-29 09:00",
            "2026-03-28T08:00:00Z",
            23,
        ),
        (
            "Europe/Berlin",
            "2026-10-25 09:00",
            "2026-10-24T07:00:00Z",
            25,
        ),
    ];
    for (zone, start, due, real_hours) in cases {
        let (_dir, store) = clinic(zone);
        let clock = TestClock::at("2026-02-01T12:00:00Z");
        let appointment = book(&store, &*clock, ANA, start);
        assert_eq!(
            appointment.starts_at - ms(due),
            real_hours * 3_600_000,
            "{zone} {start}"
        );

        clock.set(&rfc3339(ms(due) - 1_000));
        let early = run_pass(&store, &sender(), &*clock).unwrap();
        assert!(early.queued.is_empty(), "{zone} {start}: {early:?}");

        clock.set(due);
        let on_time = run_pass(&store, &sender(), &*clock).unwrap();
        assert_eq!(on_time.queued.len(), 1, "{zone} {start}: {on_time:?}");
        let reminders = texts_of(&store, appointment.id, "reminder");
        assert_eq!(reminders.len(), 1);
        // 09:00 local is inside the sending window: queued, not held.
        assert_eq!(reminders[0].0, "queued", "{zone} {start}");
        assert!(reminders[0].1.contains(":24h:"), "{reminders:?}");
    }
}

/// Rules shorter than a day count real hours, even across the skipped hour; a reminder held for
/// quiet time whose appointment starts before the window opens is cancelled, never sent late.
#[test]
fn a_2_hour_reminder_counts_real_hours_and_a_held_one_expires_with_its_appointment() {
    let (_dir, store) = clinic("America/New_York");
    store.set_setting("reminders.hours_before", "2").unwrap();
    let clock = TestClock::at("2026-03-01T15:00:00Z");
    // 04:00 EDT on the spring-forward day; two real hours before is 01:00 EST.
    let appointment = book(&store, &*clock, ANA, "2026-03-08 04:00");
    assert_eq!(appointment.starts_at, ms("2026-03-08T08:00:00Z"));

    clock.set("2026-03-08T05:59:59Z");
    assert!(run_pass(&store, &sender(), &*clock)
        .unwrap()
        .queued
        .is_empty());
    clock.set("2026-03-08T06:00:00Z");
    assert_eq!(
        run_pass(&store, &sender(), &*clock).unwrap().queued.len(),
        1
    );
    assert_eq!(texts_of(&store, appointment.id, "reminder")[0].0, "held");

    clock.set("2026-03-08T08:00:00Z");
    let after_start = run_pass(&store, &sender(), &*clock).unwrap();
    // The held reminder, and the confirmation nothing here ever sent.
    assert_eq!(after_start.expired, 2);
    assert!(after_start.queued.is_empty());
    assert_eq!(
        texts_of(&store, appointment.id, "reminder")[0].0,
        "cancelled"
    );
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339()
}

fn reminder_count(store: &Store) -> i64 {
    rusqlite::Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM outbox WHERE kind = 'reminder'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn one_reminder_per_appointment_and_rule_whatever_runs_the_scheduler() {
    let (dir, store) = clinic("America/New_York");
    let booked_at = TestClock::at("2026-03-10T14:00:00Z");
    let ids: Vec<i64> = [
        (ANA, "2026-03-20 06:00"),
        (BEN, "2026-03-20 07:00"),
        (CAROL, "2026-03-20 07:30"),
    ]
    .into_iter()
    .map(|(phone, start)| book(&store, &*booked_at, phone, start).id)
    .collect();

    // 07:45 the day before: all three are due, and it is still quiet time (window opens 08:00).
    let clock = TestClock::at("2026-03-19T11:45:00Z");
    let path = store.path().to_path_buf();
    let barrier = Arc::new(Barrier::new(2));
    let schedulers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            let barrier = barrier.clone();
            let clock = clock.clone();
            std::thread::spawn(move || {
                // Another window or process: its own connection to the same file.
                let store = Store::open(&path).unwrap();
                barrier.wait();
                (0..5)
                    .map(|_| run_pass(&store, &sender(), &*clock).unwrap().queued.len())
                    .sum::<usize>()
            })
        })
        .collect();
    let queued: usize = schedulers.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(queued, 3);
    assert_eq!(reminder_count(&store), 3);

    let again = run_pass(&store, &sender(), &*clock).unwrap();
    assert!(again.queued.is_empty());
    assert_eq!(again.already_queued, 3);

    // A restart: a new handle on the same file.
    drop(store);
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    assert!(run_pass(&store, &sender(), &*clock)
        .unwrap()
        .queued
        .is_empty());

    // Editing something other than the time changes nothing about reminders.
    appointments::edit(
        &store,
        Some(&sender()),
        &*clock,
        ids[0],
        &AppointmentChanges {
            provider: Some("Dr. Patel".to_string()),
            ..AppointmentChanges::default()
        },
        "front desk",
    )
    .unwrap();
    assert!(run_pass(&store, &sender(), &*clock)
        .unwrap()
        .queued
        .is_empty());
    for id in &ids {
        let reminders = texts_of(&store, *id, "reminder");
        assert_eq!(reminders.len(), 1, "appointment {id}: {reminders:?}");
        assert_eq!(reminders[0].0, "held");
    }

    // Rescheduling cancels the held reminder of the old time and re-arms the rule.
    let edited = appointments::edit(
        &store,
        Some(&sender()),
        &*clock,
        ids[1],
        &AppointmentChanges {
            start: Some("2026-03-20 09:00".to_string()),
            ..AppointmentChanges::default()
        },
        "front desk",
    )
    .unwrap();
    assert!(edited.rescheduled);
    // The old reminder (held) and the booking's confirmation (still queued: nothing sends here).
    assert_eq!(edited.cancelled_texts, 2);
    assert!(edited.sms.as_ref().unwrap().ok);
    clock.set("2026-03-19T12:59:59Z");
    assert!(run_pass(&store, &sender(), &*clock)
        .unwrap()
        .queued
        .is_empty());
    clock.set("2026-03-19T13:00:00Z");
    let rearmed = run_pass(&store, &sender(), &*clock).unwrap();
    assert_eq!(rearmed.queued.len(), 1);
    assert_eq!(rearmed.queued[0].appointment_id, ids[1]);
    let reminders = texts_of(&store, ids[1], "reminder");
    let states: Vec<&str> = reminders.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(states, ["cancelled", "queued"]);
    assert_ne!(reminders[0].1, reminders[1].1);
    assert!(reminders[1].2.contains("9:00 AM"), "{}", reminders[1].2);

    // Moving it back to the old time arms its texts again rather than finding the old keys: a
    // new confirmation goes out, which also covers the reminder whose moment has already passed.
    appointments::edit(
        &store,
        Some(&sender()),
        &*clock,
        ids[1],
        &AppointmentChanges {
            start: Some("2026-03-20 07:00".to_string()),
            ..AppointmentChanges::default()
        },
        "front desk",
    )
    .unwrap();
    let back = run_pass(&store, &sender(), &*clock).unwrap();
    assert!(back.queued.is_empty(), "{back:?}");
    assert_eq!(back.covered_by_confirmation, 1);
    let confirmations: Vec<String> = texts_of(&store, ids[1], "confirmation")
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(confirmations, ["cancelled", "cancelled", "queued"]);
    let reminders: Vec<String> = texts_of(&store, ids[1], "reminder")
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(reminders, ["cancelled", "cancelled"]);
}

#[test]
fn missed_reminders_go_late_only_for_appointments_still_ahead_and_only_the_nearest_rule() {
    let (_dir, store) = clinic("America/New_York");
    store
        .set_setting("reminders.hours_before", "72,24")
        .unwrap();
    let booked_at = TestClock::at("2026-03-10T13:00:00Z");
    let ahead = book(&store, &*booked_at, ANA, "2026-03-20 10:00");
    let cancelled = book(&store, &*booked_at, BEN, "2026-03-20 11:00");
    let past = book(&store, &*booked_at, CAROL, "2026-03-12 10:00");
    appointments::cancel(&store, &*booked_at, cancelled.id, "front desk").unwrap();

    // The app was closed from the 10th until the 19th at 16:00.
    let clock = TestClock::at("2026-03-19T20:00:00Z");
    let report = run_pass(&store, &sender(), &*clock).unwrap();
    assert_eq!(report.queued.len(), 1, "{report:?}");
    assert_eq!(report.queued[0].appointment_id, ahead.id);
    assert_eq!(report.queued[0].hours_before, 24);
    assert_eq!(report.superseded, 1);
    assert_eq!(texts_of(&store, ahead.id, "reminder").len(), 1);
    assert!(texts_of(&store, cancelled.id, "reminder").is_empty());
    assert!(texts_of(&store, past.id, "reminder").is_empty());
    // The cancelled appointment's unsent confirmation went with it.
    assert_eq!(
        texts_of(&store, cancelled.id, "confirmation")[0].0,
        "cancelled"
    );
}

#[test]
fn a_booking_inside_the_reminder_window_gets_its_confirmation_not_a_second_text() {
    let (_dir, store) = clinic("America/New_York");
    let clock = TestClock::at("2026-03-19T20:00:00Z");
    let booked = book(&store, &*clock, ANA, "2026-03-20 09:00");
    // An imported one gets no confirmation, so its reminder still goes.
    let csv = "Name,Phone,Start\nBen Okafor,415-555-0188,2026-03-20 09:30\n";
    let imported = import_csv(&store, &*clock, csv.as_bytes(), "front desk").unwrap();
    let imported_id = imported.rows[0].appointment_id.unwrap();

    let report = run_pass(&store, &sender(), &*clock).unwrap();
    assert_eq!(report.covered_by_confirmation, 1);
    assert_eq!(report.queued.len(), 1);
    assert_eq!(report.queued[0].appointment_id, imported_id);
    assert!(texts_of(&store, booked.id, "reminder").is_empty());
    assert_eq!(texts_of(&store, booked.id, "confirmation").len(), 1);
}
