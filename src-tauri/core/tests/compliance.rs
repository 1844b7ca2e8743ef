//! Compliance against the Twilio simulator over real HTTP: keywords recorded with their message,
//! automatic answers sent once, plain-words opt-outs flagged for staff, answers applied to the
//! right appointment, the sending window holding automated texts and gating manual ones.

mod support;

use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::compliance::keywords::Keywords;
use clinic_desk_core::messaging::{queue_text, queue_text_once, TextRequest};
use clinic_desk_core::store::flags::{FlagReason, FlagResolution};
use clinic_desk_core::store::messages::{IngestMode, MessageRecord};
use clinic_desk_core::store::outbox::{OutboxKind, OutboxState};
use clinic_desk_core::store::replies::{ActionOutcome, AnswerEffect, PendingAction, ReplyTarget};
use clinic_desk_core::ErrorCode;
use support::{fast_outbox, Sim, TestClock, Workstation};

const ANA: &str = "+14155550134";
const BEN: &str = "+14155550188";
const CAROL: &str = "+14155550199";

#[tokio::test]
async fn stop_is_recorded_with_its_evidence_and_blocks_texts_already_queued() {
    let sim = Sim::start(21).await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.queue(ANA, "Hello from the clinic");
    ws.cycle().await;
    let stop_sid = sim.reply(ANA, "  Stop! ").await;
    // Queued before the STOP is seen: it must still never reach Twilio.
    ws.queue(ANA, "Your lab form is ready");
    let report = ws.cycle().await;
    assert!(ws.store.is_opted_out(ANA).unwrap());
    assert_eq!(report.poll.opt_changes, vec![ANA.to_string()]);
    let event: (String, String, Option<String>, String) =
        rusqlite::Connection::open(ws.store.path())
            .unwrap()
            .query_row(
                "SELECT kind, source, keyword, message_sid FROM opt_events WHERE phone = ?1",
                [ANA],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
    assert_eq!(
        event,
        (
            "opt_out".to_string(),
            "keyword".to_string(),
            Some("STOP".to_string()),
            stop_sid
        )
    );
    ws.cycle().await;
    let sent = sim.texts_to(ANA).await;
    assert_eq!(
        sent.len(),
        1,
        "only the text before STOP went out: {sent:?}"
    );
    let blocked = ws
        .store
        .thread_messages(ANA)
        .unwrap()
        .into_iter()
        .find(|m| m.body.contains("lab form"))
        .unwrap();
    assert_eq!(blocked.local_state, Some(OutboxState::Blocked));

    // START opts back in; texting works again.
    sim.advance(60).await;
    sim.reply(ANA, "start").await;
    ws.cycle().await;
    assert!(!ws.store.is_opted_out(ANA).unwrap());
    ws.queue(ANA, "Welcome back");
    ws.cycle().await;
    assert_eq!(sim.texts_to(ANA).await.len(), 2);
}

#[tokio::test]
async fn help_gets_the_clinic_help_text_exactly_once() {
    let sim = Sim::start(22).await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.store
        .set_setting("clinic.name", "Lakeside Clinic")
        .unwrap();
    ws.store
        .set_setting("clinic.phone", "+14155550100")
        .unwrap();
    sim.reply(BEN, "help").await;
    let report = ws.cycle().await;
    assert_eq!(report.replies.auto_replies, 1);
    ws.cycle().await;
    ws.cycle().await;
    // Twilio answers HELP on its own too; ours is the clinic's text, sent once.
    let ours: Vec<String> = sim
        .texts_to(BEN)
        .await
        .into_iter()
        .filter(|body| body.starts_with("Lakeside Clinic"))
        .collect();
    assert_eq!(
        ours,
        vec!["Lakeside Clinic: for help call +14155550100. Reply STOP to opt out.".to_string()]
    );
}

#[tokio::test]
async fn plain_words_opt_out_is_flagged_and_staff_confirm_it_with_one_action() {
    let sim = Sim::start(23).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.reply(CAROL, "please stop texting me").await;
    sim.reply(BEN, "cancel my appointment").await;
    ws.cycle().await;
    // Not a keyword: nothing recorded yet, but staff see it.
    assert!(!ws.store.is_opted_out(CAROL).unwrap());
    let flags = ws.store.staff_flags(None, false).unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].phone, CAROL);
    assert_eq!(flags[0].reason, FlagReason::PlainWordsOptOut);
    assert_eq!(flags[0].body, "please stop texting me");
    let threads = ws.store.list_threads().unwrap();
    let carol = threads.iter().find(|t| t.phone == CAROL).unwrap();
    assert!(carol.flagged);
    assert!(!threads.iter().find(|t| t.phone == BEN).unwrap().flagged);

    ws.store
        .resolve_flag(flags[0].id, FlagResolution::OptedOut, "front desk")
        .unwrap();
    assert!(ws.store.is_opted_out(CAROL).unwrap());
    assert!(ws.store.staff_flags(None, false).unwrap().is_empty());
    assert!(
        !ws.store
            .list_threads()
            .unwrap()
            .iter()
            .find(|t| t.phone == CAROL)
            .unwrap()
            .flagged
    );
    let err = queue_text(
        &ws.store,
        &ws.sender,
        &SystemClock,
        &TextRequest::new(CAROL, "Are you sure?", OutboxKind::Manual, "front desk"),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OptedOut);
    // Resolving twice is refused rather than recorded twice.
    assert!(ws
        .store
        .resolve_flag(flags[0].id, FlagResolution::Dismissed, "front desk")
        .is_err());
}

#[tokio::test]
async fn two_workstations_reading_the_same_history_agree_on_opt_outs() {
    let sim = Sim::start(24).await;
    sim.reply(ANA, "STOP").await;
    sim.advance(10).await;
    sim.reply(BEN, "unsubscribe").await;
    sim.advance(10).await;
    sim.reply(ANA, "UNSTOP").await;
    sim.advance(10).await;
    sim.reply(CAROL, "Quit.").await;
    sim.advance(10).await;
    sim.reply(BEN, "yes").await;
    sim.advance(10).await;
    sim.reply(BEN, "end").await;
    let front = Workstation::new(&sim, fast_outbox());
    let back = Workstation::new(&sim, fast_outbox());
    front.cycle().await;
    back.cycle().await;
    back.cycle().await;
    for (phone, opted_out) in [(ANA, false), (BEN, true), (CAROL, true)] {
        assert_eq!(
            front.store.is_opted_out(phone).unwrap(),
            opted_out,
            "{phone}"
        );
        assert_eq!(
            back.store.is_opted_out(phone).unwrap(),
            opted_out,
            "{phone}"
        );
    }
}

/// A patient with appointments, written straight into the database file (the appointments
/// feature has its own tests; here only the reply routing matters).
fn book(ws: &Workstation, phone: &str, hours_ahead: i64) -> i64 {
    let conn = rusqlite::Connection::open(ws.store.path()).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let patient: Option<i64> = conn
        .query_row(
            "SELECT patient_id FROM patient_phones WHERE e164 = ?1",
            [phone],
            |r| r.get(0),
        )
        .ok();
    let patient = patient.unwrap_or_else(|| {
        conn.execute(
            "INSERT INTO patients (first_name, created_at, updated_at) VALUES ('Pat', ?1, ?1)",
            [now],
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        conn.execute(
            "INSERT INTO patient_phones (patient_id, e164, created_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, phone, now],
        )
        .unwrap();
        id
    });
    conn.execute(
        "INSERT INTO appointments (patient_id, starts_at, time_zone, created_at, updated_at) \
         VALUES (?1, ?2, 'UTC', ?3, ?3)",
        rusqlite::params![patient, now + hours_ahead * 3_600_000, now - 60_000],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn remind(ws: &Workstation, phone: &str, appointment: i64) {
    queue_text_once(
        &ws.store,
        &ws.sender,
        &SystemClock,
        &TextRequest::new(
            phone,
            "Reminder: your visit tomorrow. Reply C to confirm, R to reschedule.",
            OutboxKind::Reminder,
            "system",
        )
        .for_appointment(appointment)
        .once(format!("test-reminder:{appointment}")),
    )
    .unwrap()
    .unwrap();
}

#[tokio::test]
async fn c_confirms_the_appointment_whose_reminder_went_out_last() {
    let sim = Sim::start(25).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let earlier = book(&ws, ANA, 30);
    let later = book(&ws, ANA, 200);
    remind(&ws, ANA, earlier);
    ws.cycle().await;
    sim.advance(30).await;
    remind(&ws, ANA, later);
    ws.cycle().await;
    sim.advance(30).await;
    sim.reply(ANA, "c").await;
    let report = ws.cycle().await;
    assert_eq!(report.replies.auto_replies, 1);
    assert_eq!(
        ws.store.appointment_confirmation(later).unwrap().as_deref(),
        Some("confirmed")
    );
    assert_eq!(
        ws.store
            .appointment_confirmation(earlier)
            .unwrap()
            .as_deref(),
        Some("unconfirmed")
    );
    ws.cycle().await;
    let sent = sim.texts_to(ANA).await;
    assert_eq!(
        sent.len(),
        3,
        "two reminders and one confirmation reply: {sent:?}"
    );
    assert!(sent[2].contains("confirmed"));

    // R asks to reschedule the same appointment and flags it for staff.
    sim.advance(30).await;
    sim.reply(ANA, "R").await;
    ws.cycle().await;
    assert_eq!(
        ws.store.appointment_confirmation(later).unwrap().as_deref(),
        Some("reschedule_requested")
    );
    let flags = ws.store.staff_flags(Some(ANA), false).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].reason, FlagReason::RescheduleRequested);
    assert_eq!(flags[0].appointment_id, Some(later));
}

#[tokio::test]
async fn an_answer_that_could_mean_two_appointments_is_flagged_not_guessed() {
    let sim = Sim::start(26).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let first = book(&ws, BEN, 30);
    let second = book(&ws, BEN, 60);
    sim.reply(BEN, "X").await;
    ws.cycle().await;
    let flags = ws.store.staff_flags(Some(BEN), false).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].reason, FlagReason::AmbiguousReply);
    for id in [first, second] {
        assert_eq!(
            ws.store.appointment_confirmation(id).unwrap().as_deref(),
            Some("unconfirmed")
        );
    }
    // No auto-reply was sent for an answer nobody could place.
    assert!(sim.texts_to(BEN).await.is_empty());

    // With no upcoming appointment, "C" is just a message.
    sim.reply(CAROL, "C").await;
    let report = ws.cycle().await;
    assert_eq!(report.replies.auto_replies, 0);
    assert!(ws.store.staff_flags(Some(CAROL), false).unwrap().is_empty());
}

/// A catch-up can bring hundreds of answers at once (a workstation that was off for a week, a
/// clinic's first sync): every one is applied, answered and flagged in the first cycle.
#[tokio::test]
async fn a_catch_up_full_of_answers_is_acted_on_in_its_first_cycle() {
    let sim = Sim::start(27).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let patients: Vec<(String, i64)> = (0..600)
        .map(|i| {
            let phone = format!("+1415200{i:04}");
            let appointment = book(&ws, &phone, 48);
            (phone, appointment)
        })
        .collect();
    let reschedules = |i: usize| i.is_multiple_of(3);
    for (i, (phone, _)) in patients.iter().enumerate() {
        sim.reply(phone, if reschedules(i) { "R" } else { "C" })
            .await;
    }

    let report = ws.cycle().await;
    assert_eq!(report.replies.handled, 600);
    assert_eq!(report.replies.auto_replies, 600);
    assert!(report.replies.appointments_changed);
    assert_eq!(report.replies.flagged.len(), 200);
    for (i, (phone, appointment)) in patients.iter().enumerate() {
        let expected = if reschedules(i) {
            "reschedule_requested"
        } else {
            "confirmed"
        };
        assert_eq!(
            ws.store
                .appointment_confirmation(*appointment)
                .unwrap()
                .as_deref(),
            Some(expected),
            "{phone}"
        );
    }
    let flags = ws.store.staff_flags(None, false).unwrap();
    assert_eq!(flags.len(), 200);
    assert!(flags
        .iter()
        .all(|flag| flag.reason == FlagReason::RescheduleRequested));

    // Nothing is left pending, and nothing is answered twice.
    let again = ws.cycle().await;
    assert_eq!(again.replies.handled, 0);
    assert_eq!(sim.texts_to(&patients[1].0).await.len(), 1);
}

/// Staff may move or cancel an appointment between the moment an answer is read and the moment
/// it is written: the answer is then not applied to the appointment as it was, but looked at
/// again against the appointment as it now is.
#[tokio::test]
async fn an_answer_is_not_written_to_an_appointment_changed_after_it_was_read() {
    let sim = Sim::start(28).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let moved = book(&ws, ANA, 48);
    let cancelled = book(&ws, BEN, 48);
    let now = chrono::Utc::now().timestamp_millis();
    let answer = |n: u32, phone: &str, body: &str| MessageRecord {
        to: sim.clinic(),
        body: body.to_string(),
        created_at: now,
        sent_at: Some(now),
        ..support::reply(n, phone)
    };
    ws.store
        .ingest(
            &[answer(1, ANA, "C"), answer(2, BEN, "X")],
            IngestMode::Live,
            &Keywords::default(),
        )
        .unwrap();
    let decided: Vec<(PendingAction, ActionOutcome)> = ws
        .store
        .pending_actions(10)
        .unwrap()
        .into_iter()
        .map(|action| {
            let ReplyTarget::Appointment { id, schedule_rev } = ws
                .store
                .reply_target(&action.phone, action.created_at, now)
                .unwrap()
            else {
                panic!("{} answers one appointment", action.phone);
            };
            let effect = if action.phone == ANA {
                AnswerEffect::Confirmed
            } else {
                AnswerEffect::CancelRequested
            };
            let outcome = ActionOutcome::Answered {
                appointment_id: id,
                schedule_rev,
                effect,
            };
            (action, outcome)
        })
        .collect();
    assert_eq!(decided.len(), 2);

    // Before the answers are written, staff move Ana's visit and cancel Ben's.
    let conn = rusqlite::Connection::open(ws.store.path()).unwrap();
    conn.execute(
        "UPDATE appointments SET starts_at = starts_at + 86400000, schedule_rev = schedule_rev + 1 \
         WHERE id = ?1",
        [moved],
    )
    .unwrap();
    conn.execute(
        "UPDATE appointments SET status = 'cancelled' WHERE id = ?1",
        [cancelled],
    )
    .unwrap();
    let written = ws.store.settle_actions(&decided).unwrap();
    assert_eq!(written.left_pending, 2);
    assert!(!written.appointments_changed);
    assert!(written.flagged.is_empty());
    let confirmation = |id| ws.store.appointment_confirmation(id).unwrap();
    assert_eq!(confirmation(moved).as_deref(), Some("unconfirmed"));
    assert_eq!(confirmation(cancelled).as_deref(), Some("unconfirmed"));
    assert!(ws.store.staff_flags(None, false).unwrap().is_empty());
    assert_eq!(ws.store.pending_actions(10).unwrap().len(), 2);

    // The next cycle looks again: Ana's C confirms her visit at its new time; Ben has nothing
    // booked any more, so his X is just a message.
    let report = ws.cycle().await;
    assert_eq!(report.replies.handled, 2);
    assert_eq!(confirmation(moved).as_deref(), Some("confirmed"));
    assert_eq!(confirmation(cancelled).as_deref(), Some("unconfirmed"));
    assert!(ws.store.staff_flags(None, false).unwrap().is_empty());
    assert!(ws.store.pending_actions(10).unwrap().is_empty());
}

#[tokio::test]
async fn automated_texts_wait_for_the_sending_window_and_manual_ones_need_an_override() {
    let sim = Sim::start(27).await;
    // 23:30 in New York: quiet time.
    let clock = TestClock::at("2026-03-11T03:30:00Z");
    let ws = Workstation::with_clock(&sim, fast_outbox(), clock.clone());
    ws.store
        .set_setting("clinic.timezone", "America/New_York")
        .unwrap();
    let reminder = queue_text_once(
        &ws.store,
        &ws.sender,
        clock.as_ref(),
        &TextRequest::new(ANA, "Reminder for tomorrow", OutboxKind::Reminder, "system")
            .once("quiet-test"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(reminder.state, OutboxState::Held);
    // 08:00 EDT on March 11th.
    assert_eq!(
        reminder.next_attempt_at,
        chrono::DateTime::parse_from_rfc3339("2026-03-11T12:00:00Z")
            .unwrap()
            .timestamp_millis()
    );
    let bubble = ws.store.thread_messages(ANA).unwrap().pop().unwrap();
    assert!(
        bubble
            .local_error
            .as_deref()
            .unwrap()
            .contains("quiet time"),
        "{bubble:?}"
    );
    ws.engine.run_cycle(false).await.unwrap();
    assert!(sim.texts_to(ANA).await.is_empty());

    // A manual text at this hour is refused with the next allowed time...
    let manual = TextRequest::new(
        BEN,
        "Are you on your way?",
        OutboxKind::Manual,
        "receptionist",
    );
    let err = queue_text(&ws.store, &ws.sender, clock.as_ref(), &manual).unwrap_err();
    assert_eq!(err.code(), ErrorCode::QuietHours);
    assert!(err.to_string().contains("Wed 08:00"), "{err}");
    // ...unless staff override it with a reason, which stays on the text.
    let overridden = queue_text(
        &ws.store,
        &ws.sender,
        clock.as_ref(),
        &manual
            .clone()
            .overriding_quiet_hours("patient asked us to text tonight"),
    )
    .unwrap();
    let (by, reason): (String, String) = rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .query_row(
            "SELECT override_by, override_reason FROM outbox WHERE id = ?1",
            [overridden.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (by.as_str(), reason.as_str()),
        ("receptionist", "patient asked us to text tonight")
    );
    ws.engine.run_cycle(false).await.unwrap();
    assert_eq!(sim.texts_to(BEN).await.len(), 1);
    assert!(sim.texts_to(ANA).await.is_empty());

    // At 08:00 the reminder goes out.
    clock.set("2026-03-11T12:00:00Z");
    ws.engine.run_cycle(false).await.unwrap();
    assert_eq!(sim.texts_to(ANA).await.len(), 1);
}

#[tokio::test]
async fn only_the_first_text_to_a_number_carries_the_opt_out_footer() {
    let sim = Sim::start(28).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let first = ws.queue(CAROL, "Welcome to the clinic");
    let second = ws.queue(CAROL, "See you Tuesday");
    assert!(first.body.ends_with("\nReply STOP to opt out."));
    assert_eq!(second.body, "See you Tuesday");
    // A first text that already says how to opt out is left alone.
    let own = ws.queue(BEN, "Hi! Reply STOP to opt out of texts.");
    assert_eq!(own.body, "Hi! Reply STOP to opt out of texts.");
}

#[tokio::test]
async fn every_send_receipt_opt_out_and_override_lands_in_a_valid_chain_without_bodies() {
    let sim = Sim::start(29).await;
    let clock = TestClock::at("2026-03-11T03:30:00Z");
    let ws = Workstation::with_clock(&sim, fast_outbox(), clock.clone());
    ws.store
        .set_setting("clinic.timezone", "America/New_York")
        .unwrap();
    queue_text(
        &ws.store,
        &ws.sender,
        clock.as_ref(),
        &TextRequest::new(
            ANA,
            "Secret-ish body one",
            OutboxKind::Manual,
            "receptionist",
        )
        .overriding_quiet_hours("patient is waiting outside"),
    )
    .unwrap();
    ws.engine.run_cycle(false).await.unwrap();
    sim.advance(5).await;
    sim.reply(ANA, "STOP").await;
    sim.reply(BEN, "please do not text me, body two").await;
    ws.engine.run_cycle(false).await.unwrap();

    let report = clinic_desk_core::compliance::audit::verify(&ws.store).unwrap();
    assert!(report.ok, "{}", report.message);
    let mut actions = Vec::new();
    ws.store
        .scan_audit(&Default::default(), |row| {
            assert!(
                !row.detail.contains("body one") && !row.detail.contains("body two"),
                "a message body leaked into the audit log: {}",
                row.detail
            );
            actions.push((row.action.clone(), row.subject.clone(), row.actor.clone()));
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    for expected in [
        ("text.queued", ANA, "receptionist"),
        ("quiet_hours.override", ANA, "receptionist"),
        ("text.sent", ANA, "system"),
        ("text.received", ANA, "patient"),
        ("opt_out.recorded", ANA, "patient"),
        ("opt_out.flagged", BEN, "system"),
    ] {
        assert!(
            actions
                .iter()
                .any(|(a, s, who)| (a.as_str(), s.as_str(), who.as_str()) == expected),
            "missing {expected:?} in {actions:#?}"
        );
    }
}

#[tokio::test]
async fn the_engine_cycle_runs_the_reminder_scheduler_and_sends_each_reminder_once() {
    let sim = Sim::start(30).await;
    // 12:00 in New York.
    let clock = TestClock::at("2026-03-10T16:00:00Z");
    let ws = Workstation::with_clock(&sim, fast_outbox(), clock.clone());
    ws.store
        .set_setting("clinic.timezone", "America/New_York")
        .unwrap();
    // Booked without Twilio (no confirmation went out), 23 hours ahead: the 24 h rule is due.
    let booking = clinic_desk_core::appointments::book(
        &ws.store,
        None,
        clock.as_ref(),
        &clinic_desk_core::appointments::NewAppointment {
            phone: ANA.to_string(),
            name: "Ana Rivera".to_string(),
            language: None,
            start: "2026-03-11 11:00".to_string(),
            duration_minutes: None,
            provider: "Dr. Lee".to_string(),
            location: String::new(),
        },
        "front desk",
    )
    .unwrap();
    assert!(!booking.sms.ok);
    ws.engine.run_cycle(false).await.unwrap();
    clock.set("2026-03-10T16:05:00Z");
    ws.engine.run_cycle(false).await.unwrap();
    ws.engine.run_cycle(false).await.unwrap();
    let sent = sim.texts_to(ANA).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Dr. Lee"), "{sent:?}");
}

#[test]
fn the_simulators_seeded_patients_have_numbers_the_composer_accepts() {
    // Demo mode texts these patients: a number the phone library rejects could never be texted.
    for index in 0..3_000 {
        let number = twilio_sim::seed::patient_number(index);
        let normalized = clinic_desk_core::composer::phone::normalize(&number, "US")
            .unwrap_or_else(|e| panic!("seeded patient {index} ({number}): {e}"));
        assert_eq!(normalized, number);
    }
}

#[test]
fn a_start_in_the_same_second_as_a_refused_send_wins_and_an_earlier_one_does_not() {
    use clinic_desk_core::store::optouts::{refused_send_stamp, OptEvent, OptKind, OptSource};
    use clinic_desk_core::Store;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let refused = |phone: &str, now: i64| {
        store
            .record_opt_event(&OptEvent {
                phone: phone.to_string(),
                kind: OptKind::OptOut,
                source: OptSource::Twilio21610,
                keyword: None,
                message_sid: None,
                at: refused_send_stamp(now),
                actor: "twilio".to_string(),
            })
            .unwrap();
    };
    // Twilio dates a patient's text to the whole second.
    let start = |n: u32, phone: &str, at: i64| {
        let record = MessageRecord {
            body: "START".into(),
            created_at: at,
            ..support::reply(n, phone)
        };
        store
            .ingest(&[record], IngestMode::Live, &Keywords::default())
            .unwrap();
    };
    let second = 1_700_000_000_000;

    // The send was refused 450 ms into a second; the START stamped with that second came after.
    refused(BEN, second + 450);
    assert!(store.is_opted_out(BEN).unwrap());
    start(1, BEN, second);
    assert!(!store.is_opted_out(BEN).unwrap());

    // A START from the second before was already there when Twilio refused: still opted out.
    start(2, CAROL, second - 1000);
    refused(CAROL, second + 450);
    assert!(store.is_opted_out(CAROL).unwrap());
}
