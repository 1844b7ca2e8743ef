//! What the chat shows beside each text: the staff flag a reply raised, whether a failed text
//! can be sent again (and sending it again, once), and the patient's upcoming appointments.
//! Against a real database file and the simulator over real HTTP.

mod support;

use clinic_desk_core::appointments::{self, NewAppointment};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::retry_failed;
use clinic_desk_core::store::flags::{FlagReason, FlagResolution};
use clinic_desk_core::store::messages::{thread_messages_sql, RetryAdvice, ThreadMessage};
use clinic_desk_core::store::retry::{retry_once_key, RetryRefusal};
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::twilio::MessageStatus;
use clinic_desk_core::{Error, ErrorCode, Store};
use serde_json::json;
use support::{fast_outbox, Sim, Workstation};

const ANA: &str = "+14155550134";
const BEN: &str = "+14155550188";
const CAROL: &str = "+14155550199";

fn creates_to(messages: &[serde_json::Value], phone: &str) -> usize {
    messages.iter().filter(|m| m["to"] == phone).count()
}

/// A text to `phone` that ends undelivered with `code`, its bubble already showing why.
async fn undelivered_text(sim: &Sim, ws: &Workstation, phone: &str, code: i64) -> ThreadMessage {
    sim.control(
        "/_sim/outcomes",
        json!({"to": phone, "status": "undelivered", "error_code": code}),
    )
    .await;
    let item = ws.queue(phone, "Your visit is on Tuesday at 9:00.");
    ws.cycle().await;
    sim.advance(60).await;
    ws.cycle().await;
    let bubble = ws
        .store
        .thread_messages(phone)
        .unwrap()
        .into_iter()
        .find(|m| m.id == item.message_id)
        .unwrap();
    assert_eq!(bubble.status, MessageStatus::Undelivered);
    assert_eq!(bubble.error_code, Some(code));
    bubble
}

#[tokio::test]
async fn a_text_that_failed_for_the_moment_is_retried_once_and_delivered() {
    let sim = Sim::start(71).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let failed = undelivered_text(&sim, &ws, ANA, 30003).await;
    assert_eq!(failed.retry, Some(RetryAdvice::Allowed));

    // The phone is back on.
    sim.control("/_sim/outcomes", json!({"to": ANA, "status": "delivered"}))
        .await;
    let first = retry_failed(&ws.store, &ws.sender, &SystemClock, failed.id, "front desk").unwrap();
    let second =
        retry_failed(&ws.store, &ws.sender, &SystemClock, failed.id, "front desk").unwrap();
    assert!(first.newly_queued);
    assert!(!second.newly_queued, "a double-click queues one copy");
    assert_eq!(first.item.id, second.item.id);
    assert_eq!(first.item.body, failed.body);
    assert_eq!(first.item.to, ANA);

    ws.cycle().await;
    sim.advance(60).await;
    ws.cycle().await;
    // Even a retry asked for after the copy went out queues nothing more.
    let third = retry_failed(&ws.store, &ws.sender, &SystemClock, failed.id, "front desk").unwrap();
    assert!(!third.newly_queued);

    let thread = ws.store.thread_messages(ANA).unwrap();
    assert_eq!(
        thread.len(),
        2,
        "the failed text stays as history: {thread:?}"
    );
    let original = thread.iter().find(|m| m.id == failed.id).unwrap();
    assert_eq!(original.status, MessageStatus::Undelivered);
    assert_eq!(original.error_code, Some(30003));
    assert_eq!(original.retry, Some(RetryAdvice::Retried));
    let copy = thread
        .iter()
        .find(|m| m.id == first.item.message_id)
        .unwrap();
    assert_eq!(copy.status, MessageStatus::Delivered);
    assert_eq!(copy.body, failed.body);
    assert_eq!(copy.retry, None);

    assert_eq!(creates_to(&sim.all_messages().await, ANA), 2);
    let audited: i64 = rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'text.retried'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1, "one retry, audited once");
}

#[tokio::test]
async fn a_landline_failure_is_not_retried_and_says_why() {
    let sim = Sim::start(72).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let failed = undelivered_text(&sim, &ws, BEN, 30006).await;
    match &failed.retry {
        Some(RetryAdvice::Refused { reason }) => assert!(reason.contains("landline"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let err =
        retry_failed(&ws.store, &ws.sender, &SystemClock, failed.id, "front desk").unwrap_err();
    assert!(matches!(err, Error::NotRetryable { .. }), "{err:?}");
    assert!(err.to_string().contains("landline"), "{err}");
    assert_eq!(ws.store.thread_messages(BEN).unwrap().len(), 1);
    assert_eq!(creates_to(&sim.all_messages().await, BEN), 1);
}

#[tokio::test]
async fn an_opted_out_number_and_a_text_that_did_not_fail_are_refused() {
    let sim = Sim::start(73).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let failed = undelivered_text(&sim, &ws, CAROL, 30003).await;
    sim.reply(CAROL, "STOP").await;
    ws.cycle().await;
    let thread = ws.store.thread_messages(CAROL).unwrap();
    let bubble = thread.iter().find(|m| m.id == failed.id).unwrap();
    assert!(
        matches!(&bubble.retry, Some(RetryAdvice::Refused { reason }) if reason.contains("opted out")),
        "{bubble:?}"
    );
    let err =
        retry_failed(&ws.store, &ws.sender, &SystemClock, failed.id, "front desk").unwrap_err();
    assert_eq!(err.code(), ErrorCode::OptedOut);

    let stop = thread
        .iter()
        .find(|m| m.direction == Direction::Inbound)
        .unwrap();
    assert_eq!(stop.retry, None);
    let err = retry_failed(&ws.store, &ws.sender, &SystemClock, stop.id, "front desk").unwrap_err();
    assert!(matches!(err, Error::NotRetryable { .. }), "{err:?}");
    let missing =
        retry_failed(&ws.store, &ws.sender, &SystemClock, 999_999, "front desk").unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);
    assert_eq!(creates_to(&sim.all_messages().await, CAROL), 1);
}

#[tokio::test]
async fn a_flagged_reply_carries_its_flag_until_staff_resolve_it() {
    let sim = Sim::start(74).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.reply(CAROL, "please stop texting me").await;
    sim.reply(CAROL, "thanks").await;
    ws.cycle().await;
    let thread = ws.store.thread_messages(CAROL).unwrap();
    assert_eq!(thread.len(), 2);
    let flagged = thread
        .iter()
        .find(|m| m.body == "please stop texting me")
        .unwrap();
    let flag = flagged
        .flag
        .clone()
        .expect("the plain-words opt-out is flagged");
    assert_eq!(flag.reason, FlagReason::PlainWordsOptOut);
    assert!(flag.open);
    assert_eq!(
        thread.iter().find(|m| m.body == "thanks").unwrap().flag,
        None
    );
    assert_eq!(
        ws.store.staff_flags(Some(CAROL), false).unwrap()[0].id,
        flag.id
    );

    ws.store
        .resolve_flag(flag.id, FlagResolution::OptedOut, "front desk")
        .unwrap();
    let thread = ws.store.thread_messages(CAROL).unwrap();
    let after = thread.iter().find(|m| m.id == flagged.id).unwrap();
    let closed = after.flag.clone().expect("a closed flag is still shown");
    assert_eq!(closed.id, flag.id);
    assert!(!closed.open);
}

#[test]
fn the_thread_query_looks_flags_and_retries_up_by_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("clinic.sqlite3")).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", thread_messages_sql()))
        .unwrap()
        .query_map(["+14155550134"], |row| row.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Every table is reached through an index; a SCAN of flags or outbox per text would make a
    // 10,000-text thread slow.
    for step in &plan {
        assert!(!step.starts_with("SCAN"), "{step} in {plan:#?}");
    }
    assert!(
        plan.iter().any(|s| s.contains("messages_thread")),
        "{plan:#?}"
    );
    // The retry lookups (the copy by once-key, the same words sent later) are indexed too.
    assert!(plan.iter().any(|s| s.contains("once_key=?")), "{plan:#?}");
    assert!(
        plan.iter()
            .any(|s| s.contains("messages_thread (thread_phone=? AND created_at>?)")),
        "{plan:#?}"
    );
}

#[test]
fn a_large_thread_reads_every_flag_and_texts_sent_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    drop(store);
    {
        let mut conn = rusqlite::Connection::open(dir.path().join("clinic.sqlite3")).unwrap();
        let tx = conn.transaction().unwrap();
        // Half replies, half our texts as polled from Twilio (sent elsewhere: no outbox row).
        for i in 0..10_000i64 {
            let (direction, status) = if i % 2 == 0 {
                ("inbound", "received")
            } else {
                ("outbound", "delivered")
            };
            tx.execute(
                "INSERT INTO messages (sid, direction, from_number, to_number, thread_phone, body, \
                 status, created_at, updated_at) VALUES (?1, ?2, ?3, '+15555550100', ?3, \
                 'R', ?4, ?5, ?5)",
                rusqlite::params![format!("SM{i:032x}"), direction, ANA, status, i * 1000],
            )
            .unwrap();
            if i % 10 == 0 {
                tx.execute(
                    "INSERT INTO staff_flags (phone, message_id, reason, created_at) \
                     VALUES (?1, ?2, 'reschedule_requested', ?3)",
                    rusqlite::params![ANA, tx.last_insert_rowid(), i * 1000],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    // Speed is the query plan's business (the test above); this checks the answer on a thread
    // the size the chat must open, including outbound texts with no outbox row.
    let thread = store.thread_messages(ANA).unwrap();
    assert_eq!(thread.len(), 10_000);
    assert_eq!(thread.iter().filter(|m| m.flag.is_some()).count(), 1_000);
    assert!(thread.iter().all(|m| m.retry.is_none()), "nothing failed");
}

#[test]
fn upcoming_appointments_leave_out_past_and_cancelled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    store
        .set_setting("clinic.timezone", "America/New_York")
        .unwrap();
    let book = |start: &str, provider: &str| {
        appointments::book(
            &store,
            None,
            &SystemClock,
            &NewAppointment {
                phone: ANA.to_string(),
                name: "Sample Patient".to_string(),
                start: start.to_string(),
                provider: provider.to_string(),
                location: "Main St".to_string(),
                ..NewAppointment::default()
            },
            "front desk",
        )
        .unwrap()
        .appointment
    };
    let later = book("2099-07-01 14:30", "Dr. Second");
    let sooner = book("2099-03-10 09:00", "Dr. First");
    book("2001-03-10 09:00", "Dr. Past");
    let cancelled = book("2099-05-01 10:00", "Dr. Cancelled");
    appointments::cancel(&store, &SystemClock, cancelled.id, "front desk").unwrap();
    book_someone_else(&store);

    let upcoming = appointments::upcoming_for_phone(&store, &SystemClock, ANA).unwrap();
    let ids: Vec<i64> = upcoming.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![sooner.id, later.id]);
    assert_eq!(upcoming[0].local_date, "2099-03-10");
    assert_eq!(upcoming[0].local_time, "09:00");
    assert_eq!(upcoming[0].provider, "Dr. First");
    assert_eq!(upcoming[0].location, "Main St");
    // Twilio is not set up here: the booking says its confirmation could not go.
    assert!(upcoming[0].sms.is_none() || upcoming[0].sms.as_ref().is_some_and(|s| s.failed));
    assert!(
        appointments::upcoming_for_phone(&store, &SystemClock, CAROL)
            .unwrap()
            .is_empty()
    );
}

fn book_someone_else(store: &Store) {
    appointments::book(
        store,
        None,
        &SystemClock,
        &NewAppointment {
            phone: BEN.to_string(),
            name: "Other Patient".to_string(),
            start: "2099-03-11 09:00".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap();
}

const DAN: &str = "+14155550177";

/// A local "YYYY-MM-DD HH:MM" in the clinic's zone, `hours` from now.
fn hours_ahead(ws: &Workstation, hours: i64) -> String {
    let zone = clinic_desk_core::settings::clinic_timezone(&ws.store).unwrap();
    (chrono::Utc::now() + chrono::Duration::hours(hours))
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Books an appointment `hours` ahead; its confirmation is queued at once.
fn book_in(ws: &Workstation, phone: &str, name: &str, hours: i64) -> i64 {
    let start = hours_ahead(ws, hours);
    appointments::book(
        &ws.store,
        Some(&ws.sender),
        &SystemClock,
        &NewAppointment {
            phone: phone.to_string(),
            name: name.to_string(),
            start,
            provider: "Dr. Lee".to_string(),
            location: "Main St".to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .unwrap()
    .appointment
    .id
}

/// The last outbound text in a thread that ended undelivered.
fn last_undelivered(ws: &Workstation, phone: &str) -> ThreadMessage {
    ws.store
        .thread_messages(phone)
        .unwrap()
        .into_iter()
        .rev()
        .find(|m| m.status == MessageStatus::Undelivered)
        .expect("an undelivered text")
}

fn bubble(ws: &Workstation, phone: &str, id: i64) -> ThreadMessage {
    ws.store
        .thread_messages(phone)
        .unwrap()
        .into_iter()
        .find(|m| m.id == id)
        .unwrap()
}

fn refused_for(advice: &Option<RetryAdvice>, words: &str) -> bool {
    matches!(advice, Some(RetryAdvice::Refused { reason }) if reason.contains(words))
}

fn bodies_to(messages: &[serde_json::Value], phone: &str, body: &str) -> usize {
    messages
        .iter()
        .filter(|m| m["to"] == phone && m["body"] == body)
        .count()
}

async fn send_and_settle(sim: &Sim, ws: &Workstation) {
    ws.cycle().await;
    sim.advance(60).await;
    ws.cycle().await;
}

#[tokio::test]
async fn a_confirmation_is_not_sent_again_once_its_appointment_moved_was_cancelled_or_began() {
    const MOVED_WORDS: &str =
        "the appointment was moved or cancelled; its own texts went out separately";
    let sim = Sim::start(75).await;
    for phone in [ANA, BEN, CAROL, DAN] {
        sim.control(
            "/_sim/outcomes",
            json!({"to": phone, "status": "undelivered", "error_code": 30003}),
        )
        .await;
    }
    let ws = Workstation::new(&sim, fast_outbox());
    let moved = book_in(&ws, ANA, "Ana Moved", 48);
    let cancelled = book_in(&ws, BEN, "Ben Cancelled", 48);
    let kept = book_in(&ws, CAROL, "Carol Kept", 48);
    let copied_then_moved = book_in(&ws, DAN, "Dan Copied", 48);
    send_and_settle(&sim, &ws).await;
    let failed: Vec<ThreadMessage> = [ANA, BEN, CAROL, DAN]
        .iter()
        .map(|phone| last_undelivered(&ws, phone))
        .collect();
    for text in &failed {
        assert_eq!(text.retry, Some(RetryAdvice::Allowed), "{text:?}");
    }
    // DAN's copy fails too, before his appointment moves: the copy is keyed on the text it
    // copies, and must still be judged by the schedule that text spoke of.
    let dan_copy = retry_failed(
        &ws.store,
        &ws.sender,
        &SystemClock,
        failed[3].id,
        "front desk",
    )
    .unwrap();
    send_and_settle(&sim, &ws).await;
    let dan_copy = bubble(&ws, DAN, dan_copy.item.message_id);
    assert_eq!(dan_copy.status, MessageStatus::Undelivered);
    assert_eq!(dan_copy.retry, Some(RetryAdvice::Allowed));

    for phone in [ANA, BEN, CAROL, DAN] {
        sim.control(
            "/_sim/outcomes",
            json!({"to": phone, "status": "delivered"}),
        )
        .await;
    }
    let later = appointments::AppointmentChanges {
        start: Some(hours_ahead(&ws, 96)),
        ..Default::default()
    };
    for id in [moved, copied_then_moved] {
        appointments::edit(
            &ws.store,
            Some(&ws.sender),
            &SystemClock,
            id,
            &later,
            "front desk",
        )
        .unwrap();
    }
    appointments::cancel(&ws.store, &SystemClock, cancelled, "front desk").unwrap();

    for (phone, id) in [(ANA, failed[0].id), (BEN, failed[1].id), (DAN, dan_copy.id)] {
        let advice = bubble(&ws, phone, id).retry;
        assert!(refused_for(&advice, MOVED_WORDS), "{phone}: {advice:?}");
        let err = retry_failed(&ws.store, &ws.sender, &SystemClock, id, "front desk").unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotRetryable {
                    reason: RetryRefusal::AppointmentChanged
                }
            ),
            "{phone}: {err:?}"
        );
        assert!(err.to_string().contains(MOVED_WORDS), "{err}");
    }

    // Once the visit has begun, even a confirmation of the current time is refused.
    let appointment = appointments::get(&ws.store, kept).unwrap();
    let after_start = support::TestClock::at(
        &chrono::DateTime::from_timestamp_millis(appointment.starts_at + 60_000)
            .unwrap()
            .to_rfc3339(),
    );
    let err = retry_failed(
        &ws.store,
        &ws.sender,
        &*after_start,
        failed[2].id,
        "front desk",
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotRetryable {
                reason: RetryRefusal::AppointmentOver
            }
        ),
        "{err:?}"
    );

    // The one still booked at the same time is sent again, once, as a confirmation.
    let first = retry_failed(
        &ws.store,
        &ws.sender,
        &SystemClock,
        failed[2].id,
        "front desk",
    )
    .unwrap();
    let second = retry_failed(
        &ws.store,
        &ws.sender,
        &SystemClock,
        failed[2].id,
        "front desk",
    )
    .unwrap();
    assert!(first.newly_queued && !second.newly_queued);
    assert_eq!(
        first.item.kind,
        clinic_desk_core::store::outbox::OutboxKind::Confirmation
    );
    send_and_settle(&sim, &ws).await;
    assert_eq!(
        bubble(&ws, CAROL, first.item.message_id).status,
        MessageStatus::Delivered
    );
    assert_eq!(
        bubble(&ws, CAROL, failed[2].id).retry,
        Some(RetryAdvice::Retried)
    );

    let sent = sim.all_messages().await;
    assert_eq!(bodies_to(&sent, CAROL, &failed[2].body), 2);
    // The moved ones got the new time's confirmation, never the old words again.
    assert_eq!(bodies_to(&sent, ANA, &failed[0].body), 1);
    assert_eq!(creates_to(&sent, ANA), 2);
    assert_eq!(
        bodies_to(&sent, DAN, &failed[3].body),
        2,
        "the original and the copy"
    );
    assert_eq!(creates_to(&sent, DAN), 3);
    assert_eq!(creates_to(&sent, BEN), 1);
}

#[tokio::test]
async fn a_text_sent_again_from_one_workstation_shows_as_retried_on_the_other() {
    let sim = Sim::start(76).await;
    let front = Workstation::new(&sim, fast_outbox());
    let back = Workstation::new(&sim, fast_outbox());
    let failed = undelivered_text(&sim, &front, ANA, 30003).await;
    let sid = failed.sid.clone().expect("Twilio named it");
    back.cycle().await;
    let seen_elsewhere = back
        .store
        .thread_messages(ANA)
        .unwrap()
        .into_iter()
        .find(|m| m.sid.as_deref() == Some(sid.as_str()))
        .expect("the back office polled the failed text");
    assert_eq!(seen_elsewhere.retry, Some(RetryAdvice::Allowed));

    sim.control("/_sim/outcomes", json!({"to": ANA, "status": "delivered"}))
        .await;
    let copy = retry_failed(
        &front.store,
        &front.sender,
        &SystemClock,
        failed.id,
        "front desk",
    )
    .unwrap();
    assert!(copy.newly_queued);
    assert_eq!(
        front
            .store
            .outbox_id_for_once_key(&retry_once_key(Some(&sid), failed.id))
            .unwrap(),
        Some(copy.item.id),
        "the copy is keyed on the failed text's SID"
    );
    send_and_settle(&sim, &front).await;
    back.cycle().await;

    let seen_elsewhere = bubble(&back, ANA, seen_elsewhere.id);
    assert_eq!(seen_elsewhere.retry, Some(RetryAdvice::Retried));
    let err = retry_failed(
        &back.store,
        &back.sender,
        &SystemClock,
        seen_elsewhere.id,
        "back office",
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotRetryable {
                reason: RetryRefusal::AlreadySentAgain
            }
        ),
        "{err:?}"
    );
    back.cycle().await;
    assert_eq!(
        creates_to(&sim.all_messages().await, ANA),
        2,
        "the failed text and exactly one copy"
    );
}

#[tokio::test]
async fn a_text_refused_for_an_opt_out_may_be_retried_once_the_patient_texts_start() {
    let sim = Sim::start(77).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.reply(BEN, "STOP").await;
    // This workstation has not polled the STOP yet, so the text reaches Twilio, which refuses it.
    let item = ws.queue(BEN, "Your results are ready.");
    ws.engine.drain_outbox().await.unwrap();
    ws.cycle().await;
    let refused = bubble(&ws, BEN, item.message_id);
    assert!(refused_for(&refused.retry, "opted out"), "{refused:?}");

    // The patient answers a while later (opt events are ordered by time, Twilio's to the second).
    sim.advance(60).await;
    sim.reply(BEN, "START").await;
    ws.cycle().await;
    let allowed = bubble(&ws, BEN, item.message_id);
    assert_eq!(allowed.retry, Some(RetryAdvice::Allowed), "{allowed:?}");
    let copy = retry_failed(
        &ws.store,
        &ws.sender,
        &SystemClock,
        item.message_id,
        "front desk",
    )
    .unwrap();
    assert!(copy.newly_queued);
    send_and_settle(&sim, &ws).await;
    assert_eq!(
        bubble(&ws, BEN, copy.item.message_id).status,
        MessageStatus::Delivered
    );
    assert_eq!(
        bubble(&ws, BEN, item.message_id).retry,
        Some(RetryAdvice::Retried)
    );
}
