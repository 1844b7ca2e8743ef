//! Booking against the Twilio simulator over real HTTP: the appointment always stands, the
//! confirmation's fate is reported with it, and the simulator sees exactly the expected texts.

use std::time::Duration;

use chrono::Utc;
use clinic_desk_core::appointments::reminders::run_pass;
use clinic_desk_core::appointments::{self, AppointmentStatus, Booking, NewAppointment};
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::error::Error;
use clinic_desk_core::patients::{add_patient, NewPatient};
use clinic_desk_core::settings;
use clinic_desk_core::store::outbox::OutboxState;
use clinic_desk_core::Store;
use serde_json::json;

use crate::support::{fast_outbox, Sim, TestClock, Workstation};
use crate::{clinic, texts_of, ANA, BEN, CAROL};

/// A local "YYYY-MM-DD HH:MM" in the clinic's zone, `hours` from the clock's now.
fn local_in(store: &Store, clock: &dyn Clock, hours: i64) -> String {
    let zone = settings::clinic_timezone(store).unwrap();
    (chrono::DateTime::<Utc>::from_timestamp_millis(clock.now_ms()).unwrap()
        + chrono::Duration::hours(hours))
    .with_timezone(&zone)
    .format("%Y-%m-%d %H:%M")
    .to_string()
}

fn book(ws: &Workstation, clock: &dyn Clock, phone: &str, name: &str, hours: i64) -> Booking {
    appointments::book(
        &ws.store,
        Some(&ws.sender),
        clock,
        &NewAppointment {
            phone: phone.to_string(),
            name: name.to_string(),
            start: local_in(&ws.store, clock, hours),
            provider: "Dr. Lee".to_string(),
            location: "Main St".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .expect("the booking stands")
}

#[tokio::test]
async fn a_number_twilio_refuses_leaves_the_booking_with_the_reason() {
    let sim = Sim::start(61).await;
    sim.control(
        "/_sim/outcomes",
        json!({"to": BEN, "status": "failed", "error_code": 21211}),
    )
    .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let booking = book(&ws, &SystemClock, BEN, "Ben Okafor", 48);
    assert!(
        booking.sms.ok,
        "queued before Twilio is asked: {:?}",
        booking.sms
    );
    assert!(booking.patient_created);

    ws.engine.drain_outbox().await.unwrap();
    let appointment = appointments::get(&ws.store, booking.appointment.id).unwrap();
    let sms = booking.sms.after_sending(&appointment);
    assert!(!sms.ok);
    assert_eq!(sms.reason.as_deref(), Some("invalid phone number"));
    assert_eq!(sms.summary, "SMS failed: invalid phone number");
    let state = appointment.sms.as_ref().unwrap();
    assert!(state.failed);
    assert_eq!(state.error_code, Some(21211));
    assert_eq!(state.summary, "SMS failed: invalid phone number");

    let day = appointments::list_day(
        &ws.store,
        appointments::parse_day(&ws.store, &appointment.local_date).unwrap(),
    )
    .unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(day[0].status, AppointmentStatus::Booked);
    assert_eq!(day[0].patient_name, "Ben Okafor");
    assert!(sim.texts_to(BEN).await.is_empty());
}

#[tokio::test]
async fn server_errors_delay_the_confirmation_but_never_the_booking_and_it_goes_once() {
    let sim = Sim::start(62).await;
    sim.faults(json!([{ "method": "POST", "path": "/Messages.json$", "action": "500" }]))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let booking = book(&ws, &SystemClock, ANA, "Ana Rivera", 48);
    assert!(booking.sms.ok);
    let _ = ws.engine.drain_outbox().await;
    let appointment = appointments::get(&ws.store, booking.appointment.id).unwrap();
    assert_eq!(appointment.status, AppointmentStatus::Booked);
    let state = appointment.sms.as_ref().unwrap();
    assert!(!state.failed, "{state:?}");
    assert_ne!(state.state, OutboxState::Submitted);

    sim.clear_faults().await;
    for _ in 0..100 {
        ws.cycle().await;
        let state = appointments::get(&ws.store, booking.appointment.id)
            .unwrap()
            .sms
            .unwrap();
        if state.state == OutboxState::Submitted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ws.cycle().await;
    let sent = sim.texts_to(ANA).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("The clinic: Hi Ana, your appointment with Dr. Lee is on"));
}

#[tokio::test]
async fn an_opted_out_patient_is_booked_and_the_booking_says_why_no_text_went() {
    let sim = Sim::start(63).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.reply(CAROL, "STOP").await;
    ws.cycle().await;
    assert!(ws.store.is_opted_out(CAROL).unwrap());

    let booking = book(&ws, &SystemClock, CAROL, "Carol Diaz", 48);
    assert!(!booking.sms.ok);
    let reason = booking.sms.reason.as_deref().unwrap();
    assert!(reason.contains("opted out"), "{reason}");
    assert_eq!(booking.sms.summary, format!("SMS failed: {reason}"));
    assert_eq!(booking.appointment.status, AppointmentStatus::Booked);
    assert!(texts_of(&ws.store, booking.appointment.id, "confirmation").is_empty());
    ws.cycle().await;
    assert!(sim.texts_to(CAROL).await.is_empty());
}

#[test]
fn without_twilio_set_up_the_booking_stands_and_says_so() {
    let (_dir, store) = clinic("America/New_York");
    let clock = TestClock::at("2026-03-01T15:00:00Z");
    let booking = appointments::book(
        &store,
        None,
        &*clock,
        &NewAppointment {
            phone: "(415) 555-0134".to_string(),
            name: "Rivera, Ana".to_string(),
            start: "3/10/2026 2:30 PM".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap();
    assert_eq!(booking.appointment.patient_first_name, "Ana");
    assert_eq!(booking.appointment.patient_name, "Ana Rivera");
    assert_eq!(booking.appointment.local_time, "14:30");
    assert!(!booking.sms.ok);
    assert_eq!(
        booking.sms.reason.as_deref(),
        Some(Error::NotConfigured.to_string().as_str())
    );
    assert!(booking
        .sms
        .summary
        .starts_with("SMS failed: Twilio is not set up yet"));

    // A patient on file needs no name; an unknown number does.
    let again = appointments::book(
        &store,
        None,
        &*clock,
        &NewAppointment {
            phone: ANA.to_string(),
            start: "2026-03-11 09:00".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap();
    assert_eq!(again.appointment.patient_id, booking.appointment.patient_id);
    assert!(!again.patient_created);
    let err = appointments::book(
        &store,
        None,
        &*clock,
        &NewAppointment {
            phone: BEN.to_string(),
            start: "2026-03-11 09:00".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("enter the patient's name"),
        "{err}"
    );
    let err = appointments::book(
        &store,
        None,
        &*clock,
        &NewAppointment {
            phone: BEN.to_string(),
            name: "Ben".to_string(),
            start: "2026-03-08 02:30".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");

    // Arrived, no-show and cancel move only where they make sense.
    let id = booking.appointment.id;
    appointments::mark_arrived(&store, &*clock, id, "front desk").unwrap();
    let err = appointments::cancel(&store, &*clock, id, "front desk").unwrap_err();
    assert!(err.to_string().contains("is marked arrived"), "{err}");
    let cancelled =
        appointments::cancel(&store, &*clock, again.appointment.id, "front desk").unwrap();
    assert_eq!(cancelled.appointment.status, AppointmentStatus::Cancelled);
}

/// Booking to reminder through the simulator: each patient gets exactly their confirmation and
/// one reminder, in their language, and the list shows them delivered.
#[tokio::test]
async fn confirmation_and_reminder_reach_each_patient_once_in_their_language() {
    let sim = Sim::start(64).await;
    let clock = TestClock::at(&Utc::now().to_rfc3339());
    let ws = Workstation::with_clock(&sim, fast_outbox(), clock.clone());
    ws.store
        .set_setting("clinic.name", "Harbor Clinic")
        .unwrap();
    add_patient(
        &ws.store,
        &NewPatient {
            first_name: "Ana".to_string(),
            last_name: "Rivera".to_string(),
            phone: ANA.to_string(),
            preferred_language: Some("es".to_string()),
            time_zone: None,
        },
    )
    .unwrap();
    let ana = book(&ws, &*clock, ANA, "", 26);
    let ben = book(&ws, &*clock, BEN, "Ben Okafor", 26);
    assert!(ana.sms.ok && ben.sms.ok);
    ws.cycle().await;

    // The 24-hour reminders come due two hours later; passes before then queue nothing.
    assert!(run_pass(&ws.store, &ws.sender, &*clock)
        .unwrap()
        .queued
        .is_empty());
    let later = Utc::now() + chrono::Duration::hours(2) + chrono::Duration::minutes(1);
    clock.set(&later.to_rfc3339());
    assert_eq!(
        run_pass(&ws.store, &ws.sender, &*clock)
            .unwrap()
            .queued
            .len(),
        2
    );
    assert_eq!(
        run_pass(&ws.store, &ws.sender, &*clock)
            .unwrap()
            .already_queued,
        2
    );
    ws.cycle().await;
    sim.advance(10).await;
    ws.cycle().await;

    let to_ana = sim.texts_to(ANA).await;
    assert_eq!(to_ana.len(), 2, "{to_ana:?}");
    assert!(to_ana[0].starts_with("Harbor Clinic: Hola Ana, su cita con Dr. Lee es el"));
    assert!(
        to_ana[0].ends_with("Reply STOP to opt out."),
        "first text: {}",
        to_ana[0]
    );
    assert!(to_ana[1].starts_with("Harbor Clinic: Recordatorio, Ana:"));
    assert!(!to_ana[1].contains("STOP"));
    let to_ben = sim.texts_to(BEN).await;
    assert_eq!(to_ben.len(), 2, "{to_ben:?}");
    assert!(to_ben[0].starts_with("Harbor Clinic: Hi Ben, your appointment with Dr. Lee is on"));
    assert!(to_ben[1].starts_with("Harbor Clinic: Reminder, Ben:"));
    assert_eq!(sim.all_messages().await.len(), 4);

    for booking in [&ana, &ben] {
        let appointment = appointments::get(&ws.store, booking.appointment.id).unwrap();
        let sms = appointment.sms.unwrap();
        assert_eq!(sms.summary, "delivered");
        assert_eq!(
            sms.kind,
            clinic_desk_core::store::outbox::OutboxKind::Reminder
        );
    }
}
