//! What the chat shows beside each text: the staff flag a reply raised, whether a failed text
//! can be sent again (and sending it again, once), and the patient's upcoming appointments.
//! Against a real database file and the simulator over real HTTP.

mod support;

use clinic_desk_core::appointments::{self, NewAppointment};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::messaging::retry_failed;
use clinic_desk_core::store::flags::{FlagReason, FlagResolution};
use clinic_desk_core::store::messages::{RetryAdvice, ThreadMessage};
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
        .prepare(
            "EXPLAIN QUERY PLAN SELECT m.id, f.id, EXISTS (SELECT 1 FROM outbox r \
             WHERE r.once_key = 'retry:' || m.id) \
             FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id \
             LEFT JOIN staff_flags f ON f.id = (SELECT g.id FROM staff_flags g \
                  WHERE g.message_id = m.id ORDER BY g.resolved_at IS NOT NULL, g.id DESC LIMIT 1) \
             WHERE m.thread_phone = ?1 ORDER BY m.created_at, m.id",
        )
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
