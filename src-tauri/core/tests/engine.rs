//! The messaging engine against the Twilio simulator over real HTTP: sending exactly once,
//! replies and statuses coming back by polling, and the failure paths.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use clinic_desk_core::store::outbox::OutboxState;
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::twilio::MessageStatus;
use clinic_desk_core::ErrorCode;
use serde_json::json;
use support::{fast_outbox, Sim, Workstation};

const ANA: &str = "+14155550134";
const BEN: &str = "+14155550188";

#[tokio::test]
async fn a_text_is_sent_once_and_its_status_reaches_delivered() {
    let sim = Sim::start(1).await;
    let ws = Workstation::new(&sim, fast_outbox());
    let item = ws.queue("(415) 555-0134", "Your appointment is tomorrow at 9:00.");
    assert_eq!(item.state, OutboxState::Queued);
    // Stored before any network call: the bubble is in the thread already.
    assert_eq!(ws.store.thread_messages(ANA).unwrap().len(), 1);

    let report = ws.cycle().await;
    assert_eq!(report.outbox.submitted, 1);
    let after_send = ws.store.thread_messages(ANA).unwrap();
    let sid = after_send[0].sid.clone().expect("sid adopted");

    sim.advance(30).await;
    ws.cycle().await;
    let thread = ws.store.thread_messages(ANA).unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].sid.as_deref(), Some(sid.as_str()));
    assert_eq!(thread[0].status, MessageStatus::Delivered);
    assert_eq!(thread[0].num_segments, Some(1));

    let sent: Vec<_> = sim
        .all_messages()
        .await
        .into_iter()
        .filter(|m| m["to"] == ANA)
        .collect();
    assert_eq!(sent.len(), 1);
}

#[tokio::test]
async fn a_status_the_list_just_read_is_not_fetched_again_by_sid() {
    let sim = Sim::start(14).await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.queue(ANA, "Your appointment is tomorrow at 9:00.");
    ws.cycle().await;
    // Two seconds on, the text is "sent": not final, so its status is still followed.
    sim.advance(2).await;
    // Any fetch by SID would now fail the cycle.
    sim.faults(json!([{ "method": "GET", "path": "/Messages/SM", "action": "500" }]))
        .await;
    let report = ws.cycle().await;
    assert_eq!(report.poll.updated, 1, "the list brought the new status");
    assert_eq!(
        ws.store.thread_messages(ANA).unwrap()[0].status,
        MessageStatus::Sent
    );
}

#[tokio::test]
async fn a_text_the_list_does_not_show_yet_is_refreshed_by_sid() {
    let sim = Sim::start(15).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.control("/_sim/visibility", json!({"delay_seconds": 1800}))
        .await;
    ws.queue(ANA, "Your appointment is tomorrow at 9:00.");
    ws.cycle().await;
    sim.advance(30).await;
    ws.cycle().await;
    assert_eq!(
        ws.store.thread_messages(ANA).unwrap()[0].status,
        MessageStatus::Delivered
    );
}

#[tokio::test]
async fn replies_arrive_once_unread_and_in_order() {
    let sim = Sim::start(2).await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.cycle().await; // first run: empty history
    let first = sim.reply(ANA, "C").await;
    let second = sim.reply(ANA, "Is parking free?").await;
    ws.cycle().await;
    ws.cycle().await;

    let thread = ws.store.thread_messages(ANA).unwrap();
    let sids: Vec<_> = thread.iter().filter_map(|m| m.sid.clone()).collect();
    assert_eq!(sids, vec![first, second]);
    assert!(thread.iter().all(|m| m.direction == Direction::Inbound));
    let threads = ws.store.list_threads().unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].unread, 2);
    assert_eq!(threads[0].last_body, "Is parking free?");

    ws.store.mark_thread_read(ANA).unwrap();
    assert_eq!(ws.store.list_threads().unwrap()[0].unread, 0);
}

#[tokio::test]
async fn texts_from_another_workstation_appear_in_the_thread() {
    let sim = Sim::start(3).await;
    let front = Workstation::new(&sim, fast_outbox());
    let back = Workstation::new(&sim, fast_outbox());
    front.queue(ANA, "Running 10 minutes late, sorry!");
    front.cycle().await;
    sim.advance(5).await;
    sim.reply(ANA, "No problem").await;
    back.cycle().await;

    let thread = back.store.thread_messages(ANA).unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].direction, Direction::Outbound);
    // The first text to a number carries the opt-out instructions.
    assert_eq!(
        thread[0].body,
        format!(
            "Running 10 minutes late, sorry!\n{}",
            clinic_desk_core::messaging::FIRST_CONTACT_FOOTER
        )
    );
    assert_eq!(thread[1].body, "No problem");
}

#[tokio::test]
async fn an_unanswered_create_is_adopted_from_the_list_not_sent_twice() {
    let sim = Sim::start(4).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(json!([{ "method": "POST", "path": "/Messages.json$",
                        "action": "drop_response_after_commit", "count": 1 }]))
        .await;
    ws.queue(ANA, "Please bring your insurance card.");
    // The create gets no answer: the text is in doubt, not retried.
    let first = ws.cycle().await;
    assert_eq!(first.outbox.submitted, 0);
    assert_eq!(first.outbox.in_doubt, 1);
    // The next cycle's poll sees it in the list as a stranger's text; the drain then adopts the
    // SID, folding the two rows into one, instead of sending it again.
    let second = ws.cycle().await;
    assert_eq!(second.outbox.adopted, 1);
    let third = ws.cycle().await;
    assert_eq!(third.outbox.submitted + third.outbox.adopted, 0);
    let to_ana: Vec<_> = sim
        .all_messages()
        .await
        .into_iter()
        .filter(|m| m["to"] == ANA)
        .collect();
    assert_eq!(to_ana.len(), 1, "exactly one text reached Twilio");
    let thread = ws.store.thread_messages(ANA).unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].sid.as_deref(), to_ana[0]["sid"].as_str());
}

#[tokio::test]
async fn a_reset_before_processing_is_retried_and_lands_once() {
    let sim = Sim::start(5).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(
        json!([{ "method": "POST", "path": "/Messages.json$", "action": "reset", "count": 2 }]),
    )
    .await;
    ws.queue(ANA, "See you soon");
    for _ in 0..6 {
        ws.cycle().await;
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    }
    let to_ana = sim
        .all_messages()
        .await
        .into_iter()
        .filter(|m| m["to"] == ANA)
        .count();
    assert_eq!(to_ana, 1);
    assert!(ws.store.thread_messages(ANA).unwrap()[0].sid.is_some());
}

#[tokio::test]
async fn rate_limiting_honours_retry_after() {
    let sim = Sim::start(6).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(
        json!([{ "method": "POST", "path": "/Messages.json$", "action": "429",
                        "count": 1, "retry_after": 30 }]),
    )
    .await;
    let item = ws.queue(ANA, "Hello");
    let report = ws.cycle().await;
    assert_eq!(report.outbox.retried, 1);
    let queued = ws.store.outbox_item(item.id).unwrap().unwrap();
    assert_eq!(queued.state, OutboxState::Queued);
    let wait = queued.next_attempt_at - chrono::Utc::now().timestamp_millis();
    assert!(
        wait > 25_000 && wait <= 30_000,
        "waits for Retry-After, got {wait} ms"
    );
    assert!(sim.all_messages().await.is_empty());
}

#[tokio::test]
async fn wrong_credentials_stop_the_outbox_and_send_nothing() {
    let sim = Sim::start(7).await;
    let ws = Workstation::with_token(&sim, fast_outbox(), "not-the-token");
    let item = ws.queue(ANA, "Hello");
    let err = ws.engine.run_cycle(false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::TwilioAuth);
    assert!(err.to_string().contains("re-enter"), "{err}");
    let kept = ws.store.outbox_item(item.id).unwrap().unwrap();
    assert_eq!(
        kept.state,
        OutboxState::Queued,
        "the text waits, it is not lost"
    );
    assert_eq!(kept.attempts, 0);
    assert!(sim.all_messages().await.is_empty());
}

#[tokio::test]
async fn an_opted_out_patient_is_never_texted() {
    let sim = Sim::start(8).await;
    let ws = Workstation::new(&sim, fast_outbox());
    // The patient opts out where we cannot see it (Twilio's magic opted-out number): the first
    // send learns it from Twilio's 21610 and records the opt-out.
    const BEN: &str = "+15005550004";
    let item = ws.queue(BEN, "Reminder: appointment tomorrow");
    let report = ws.cycle().await;
    assert_eq!(report.outbox.blocked, 1);
    let failed = ws.store.outbox_item(item.id).unwrap().unwrap();
    assert_eq!(failed.state, OutboxState::Failed);
    assert!(ws.store.is_opted_out(BEN).unwrap());
    let thread = ws.store.thread_messages(BEN).unwrap();
    let ours = thread
        .iter()
        .find(|m| m.direction == Direction::Outbound)
        .unwrap();
    assert_eq!(ours.error_code, Some(21610));
    assert!(ours.error_text.as_deref().unwrap().contains("opted out"));

    // The composer now refuses before anything is stored.
    let before = ws.store.message_count().unwrap();
    let err = clinic_desk_core::messaging::queue_text(
        &ws.store,
        &ws.sender,
        &clinic_desk_core::clock::SystemClock,
        &clinic_desk_core::messaging::TextRequest::new(
            BEN,
            "Another try",
            clinic_desk_core::store::outbox::OutboxKind::Manual,
            "front desk",
        ),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OptedOut);
    assert_eq!(ws.store.message_count().unwrap(), before);
    // The simulator refused the one attempt: it created nothing for this number.
    let to_ben = sim
        .all_messages()
        .await
        .into_iter()
        .filter(|m| m["to"] == BEN)
        .count();
    assert_eq!(to_ben, 0);
}

#[tokio::test]
async fn failed_delivery_shows_the_reason() {
    let sim = Sim::start(9).await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.control(
        "/_sim/outcomes",
        json!({"to": ANA, "status": "undelivered", "error_code": 30003}),
    )
    .await;
    ws.queue(ANA, "Hello");
    ws.cycle().await;
    sim.advance(60).await;
    ws.cycle().await;
    let bubble = &ws.store.thread_messages(ANA).unwrap()[0];
    assert_eq!(bubble.status, MessageStatus::Undelivered);
    assert_eq!(bubble.error_code, Some(30003));
    assert!(bubble
        .error_text
        .as_deref()
        .unwrap()
        .contains("unreachable"));
}

#[tokio::test]
async fn late_visible_replies_are_caught_by_reconciliation() {
    let sim = Sim::start(10).await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.cycle().await;
    sim.control("/_sim/visibility", json!({"delay_seconds": 1800}))
        .await;
    let late = sim.reply(ANA, "Running late").await;
    ws.cycle().await;
    assert!(!ws.store.has_sid(&late).unwrap(), "not visible yet");
    // Newer traffic moves the incremental cursor past the late message's date.
    sim.control("/_sim/visibility", json!({"delay_seconds": 0}))
        .await;
    sim.advance(3600).await;
    sim.reply(BEN, "Hi").await;
    ws.cycle().await;
    let report = ws.engine.run_cycle(true).await.unwrap();
    assert!(report.reconciled);
    assert!(ws.store.has_sid(&late).unwrap(), "reconciliation found it");
    assert_eq!(ws.store.thread_messages(ANA).unwrap().len(), 1);
}

#[tokio::test]
async fn backfill_of_50_000_messages_with_replies_arriving_during_paging_has_no_gaps_or_duplicates()
{
    let sim = Sim::start(11).await;
    sim.control("/_sim/seed", json!({"patients": 2000, "messages": 50000}))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let injector = {
        let base = sim.handle.base_url.clone();
        let clinic = sim.clinic();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in 0..20 {
                http.post(format!("{base}/_sim/inbound"))
                    .json(&json!({"from": ANA, "to": clinic, "body": format!("reply {i}")}))
                    .send()
                    .await
                    .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    ws.cycle().await;
    injector.await.unwrap();
    ws.cycle().await;

    let truth: HashSet<String> = sim
        .all_messages()
        .await
        .iter()
        .filter_map(|m| m["sid"].as_str().map(str::to_string))
        .collect();
    assert!(truth.len() >= 50_020);
    let stored: HashSet<String> = ws.store.all_sids().unwrap().into_iter().collect();
    let missing: Vec<_> = truth.difference(&stored).take(5).collect();
    assert!(missing.is_empty(), "missing {missing:?}");
    // Exactly once: as many rows as distinct SIDs at Twilio.
    assert_eq!(ws.store.message_count().unwrap() as usize, truth.len());
    // The thread index the back-fill went without is back, and chats are read through it.
    assert_thread_index_in_place(&ws);
    let plan = explain(
        &ws,
        clinic_desk_core::store::messages::thread_messages_sql(),
    );
    assert!(plan.contains("USING INDEX messages_thread"), "{plan}");
}

/// The thread index is there, exactly as migration 2 created it.
fn assert_thread_index_in_place(ws: &Workstation) {
    assert_eq!(
        thread_index_sql(ws).as_deref(),
        Some("CREATE INDEX messages_thread ON messages (thread_phone, created_at, id)")
    );
}

fn thread_index_sql(ws: &Workstation) -> Option<String> {
    rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'messages_thread'",
            [],
            |row| row.get(0),
        )
        .ok()
}

fn explain(ws: &Workstation, sql: &str) -> String {
    let conn = rusqlite::Connection::open(ws.store.path()).unwrap();
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = stmt
        .query_map([ANA], |row| row.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.join("; ")
}

#[tokio::test]
async fn a_first_back_fill_sets_the_thread_index_aside_while_it_runs() {
    let sim = Sim::start(16).await;
    sim.control("/_sim/seed", json!({"patients": 200, "messages": 30000}))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let mut events = ws.engine.subscribe();
    let cycle = ws.cycle();
    tokio::pin!(cycle);
    // The first progress event comes after the first batch is stored, with pages still to come;
    // while this test looks, the cycle waits.
    let during = loop {
        tokio::select! {
            biased;
            event = events.recv() => {
                if matches!(event, Ok(clinic_desk_core::events::CoreEvent::Backfill(_))) {
                    break thread_index_sql(&ws);
                }
            }
            _ = &mut cycle => panic!("the back-fill ended before reporting progress"),
        }
    };
    assert_eq!(
        during, None,
        "the back-fill writes without the thread index"
    );
    assert!(ws.store.message_count().unwrap() < 30_000);
    cycle.await;
    assert_thread_index_in_place(&ws);
}

#[tokio::test]
async fn after_a_restart_the_first_cycle_builds_an_index_a_stopped_back_fill_left_out() {
    let sim = Sim::start(17).await;
    sim.control("/_sim/seed", json!({"patients": 50, "messages": 500}))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    ws.cycle().await;
    // The app stopped between setting the index aside and building it again.
    rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .execute_batch("DROP INDEX messages_thread")
        .unwrap();
    ws.restarted_engine(&sim).run_cycle(false).await.unwrap();
    assert_thread_index_in_place(&ws);
}

#[tokio::test]
async fn a_first_back_fill_that_fails_still_leaves_the_thread_index_in_place() {
    let sim = Sim::start(13).await;
    sim.control("/_sim/seed", json!({"patients": 50, "messages": 3000}))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    sim.faults(json!([{ "method": "GET", "path": "/Messages.json$", "action": "500" }]))
        .await;
    assert!(ws.engine.run_cycle(false).await.is_err());
    assert_eq!(ws.store.message_count().unwrap(), 0);
    assert_thread_index_in_place(&ws);

    sim.clear_faults().await;
    ws.cycle().await;
    assert_eq!(ws.store.message_count().unwrap(), 3000);
    assert_thread_index_in_place(&ws);
    // A later cycle, with texts stored, leaves the index alone.
    ws.cycle().await;
    assert_thread_index_in_place(&ws);
}

#[tokio::test]
async fn a_backfill_announces_only_recent_replies_not_the_whole_history() {
    let sim = Sim::start(12).await;
    sim.control(
        "/_sim/seed",
        json!({"patients": 200, "messages": 3000, "days": 7}),
    )
    .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let mut events = ws.engine.subscribe();
    ws.cycle().await;
    let mut announced = 0;
    while let Ok(event) = events.try_recv() {
        if matches!(event, clinic_desk_core::events::CoreEvent::NewReply(_)) {
            announced += 1;
        }
    }
    let day_ago = chrono::Utc::now().timestamp_millis() - 24 * 3_600_000;
    let (recent, all): (i64, i64) = rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FILTER (WHERE created_at >= ?1), count(*) FROM messages \
             WHERE direction = 'inbound'",
            [day_ago],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(all > 1000, "the seeded history has replies: {all}");
    assert!(recent > 0 && recent < all / 2, "{recent} of {all}");
    assert_eq!(
        announced, recent,
        "one notification per recent (unread) reply"
    );
}

/// On a slow network, storing keeps pace with downloading: each write takes what has come in
/// since the last one, so the inbox fills a page or two at a time rather than in batches of
/// 10,000 texts.
#[tokio::test]
async fn a_slow_back_fill_is_stored_as_its_pages_come_in() {
    let sim = Sim::start(18).await;
    sim.control("/_sim/seed", json!({"patients": 100, "messages": 16000}))
        .await;
    // Each list page takes far longer to arrive than to store.
    sim.faults(json!([{
        "method": "GET",
        "path": "/Messages.json",
        "action": "delay",
        "probability": 1.0,
        "delay_ms": 250,
    }]))
    .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let mut events = ws.engine.subscribe();
    ws.cycle().await;
    let mut progress: Vec<(Direction, u64)> = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let clinic_desk_core::events::CoreEvent::Backfill(step) = event {
            progress.push((step.direction, step.fetched));
        }
    }
    for direction in [Direction::Inbound, Direction::Outbound] {
        let stored: Vec<u64> = progress
            .iter()
            .filter(|(d, _)| *d == direction)
            .map(|(_, fetched)| *fetched)
            .collect();
        // About 7,000 and 9,000 texts: a first write of 2,000 and all the rest at the end would
        // be steps of 5,000 or more.
        let steps: Vec<u64> = std::iter::once(0)
            .chain(stored.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .collect();
        assert!(
            stored.last().is_some_and(|&all| all >= 6_000),
            "{direction:?}: {stored:?}"
        );
        assert!(
            steps.iter().all(|&step| step <= 4_000),
            "{direction:?} was stored in steps of {steps:?}"
        );
    }
    assert_eq!(ws.store.message_count().unwrap(), 16_000);
}

/// A back-fill's tens of megabytes of WAL are copied into the database file behind the engine,
/// not left for the app's close (or the next 64 MiB of writes) to copy.
#[tokio::test]
async fn a_back_fill_is_checkpointed_into_the_database_file_while_the_app_runs() {
    let sim = Sim::start(19).await;
    sim.control("/_sim/seed", json!({"patients": 100, "messages": 6000}))
        .await;
    let ws = Workstation::new(&sim, fast_outbox());
    let database = ws.store.path().to_path_buf();
    let before = std::fs::metadata(&database).unwrap().len();
    ws.cycle().await;

    let waited_since = std::time::Instant::now();
    while std::fs::metadata(&database).unwrap().len() < before + 1_000_000 {
        assert!(
            waited_since.elapsed() < Duration::from_secs(30),
            "the back-fill stayed in the WAL"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(ws.store.message_count().unwrap(), 6000);
}
