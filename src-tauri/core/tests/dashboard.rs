//! The dashboard's figures from a real database file: local days across a DST change, the
//! delivery rate and its alert, cost per month with estimates, failures by error code.

use std::sync::atomic::{AtomicI64, Ordering};

use clinic_desk_core::clock::Clock;
use clinic_desk_core::compliance::keywords::Keywords;
use clinic_desk_core::dashboard::dashboard;
use clinic_desk_core::store::messages::{IngestMode, MessageRecord};
use clinic_desk_core::store::threads::Direction;
use clinic_desk_core::twilio::MessageStatus;
use clinic_desk_core::Store;

struct Fixed(AtomicI64);

impl Clock for Fixed {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn text(
    n: u32,
    at: &str,
    direction: Direction,
    status: MessageStatus,
    error: Option<i64>,
    price: Option<&str>,
) -> MessageRecord {
    let patient = "+14155550134".to_string();
    let clinic = "+15555550100".to_string();
    let (from, to) = match direction {
        Direction::Inbound => (patient, clinic),
        Direction::Outbound => (clinic, patient),
    };
    MessageRecord {
        sid: format!("SM{n:032x}"),
        direction,
        from,
        to,
        body: "hello".into(),
        status,
        error_code: error,
        error_message: None,
        num_segments: Some(2),
        price: price.map(str::to_string),
        price_unit: Some("USD".into()),
        created_at: ms(at),
        sent_at: None,
    }
}

#[test]
fn figures_fold_into_the_clinics_days_and_months() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    store
        .set_setting("clinic.timezone", "America/New_York")
        .unwrap();
    store
        .set_setting("messages.price_per_segment", "0.01")
        .unwrap();
    use Direction::{Inbound, Outbound};
    use MessageStatus::{Delivered, Failed, Received, Sent, Undelivered};
    let mut records = vec![
        // 23:30 on March 7 in New York (EST) is 04:30 UTC on March 8: it belongs to March 7.
        text(1, "2026-03-08T04:30:00Z", Inbound, Received, None, None),
        // 23:30 on March 8 (EDT since 02:00 that night) is 03:30 UTC on March 9.
        text(
            2,
            "2026-03-09T03:30:00Z",
            Outbound,
            Delivered,
            None,
            Some("-0.01580"),
        ),
        text(
            3,
            "2026-03-09T03:40:00Z",
            Outbound,
            Undelivered,
            Some(30003),
            Some("-0.01580"),
        ),
        text(
            4,
            "2026-03-10T15:00:00Z",
            Outbound,
            Failed,
            Some(30007),
            None,
        ),
        text(
            5,
            "2026-03-10T15:05:00Z",
            Outbound,
            Failed,
            Some(30007),
            None,
        ),
        // Sent, not priced yet: estimated at 2 segments x 0.01.
        text(6, "2026-03-10T15:10:00Z", Outbound, Sent, None, None),
        // February: another month.
        text(
            7,
            "2026-02-20T15:00:00Z",
            Outbound,
            Delivered,
            None,
            Some("-0.01580"),
        ),
    ];
    // Plenty of delivered texts in the last days keep the rate above the alert line.
    for n in 0..40 {
        records.push(text(
            100 + n,
            "2026-03-11T14:00:00Z",
            Outbound,
            Delivered,
            None,
            Some("-0.01580"),
        ));
    }
    store
        .ingest(
            &records,
            IngestMode::Backfill { unread_after: 0 },
            &Keywords::default(),
        )
        .unwrap();
    let clock = Fixed(AtomicI64::new(ms("2026-03-12T16:00:00Z")));
    let board = dashboard(&store, &clock).unwrap();

    assert_eq!(board.per_day.len(), 30);
    assert_eq!(board.per_day.last().unwrap().date, "2026-03-12");
    let day = |d: &str| board.per_day.iter().find(|x| x.date == d).unwrap().clone();
    assert_eq!(
        (day("2026-03-07").inbound, day("2026-03-07").outbound),
        (1, 0)
    );
    assert_eq!(day("2026-03-08").outbound, 2);
    assert_eq!(day("2026-03-09").outbound, 0);
    assert_eq!(day("2026-03-10").outbound, 3);
    assert_eq!(day("2026-03-11").outbound, 40);

    // 42 delivered (February 20th is within the last 30 days), 3 failed or undelivered:
    // 93 % < 95 %, and enough texts to say so.
    assert_eq!(board.delivery.delivered, 42);
    assert_eq!(board.delivery.failed, 3);
    assert!(board.delivery.alert);
    assert!((board.delivery.rate.unwrap() - 42.0 / 45.0).abs() < 1e-9);

    assert_eq!(board.per_month.len(), 12);
    let march = board.per_month.last().unwrap();
    assert_eq!(march.month, "2026-03");
    // 45 outbound texts of 2 segments in March.
    assert_eq!(march.segments, 90);
    assert!((march.estimated - 0.02).abs() < 1e-9, "{march:?}");
    assert!(
        (march.cost - (42.0 * 0.0158 + 0.02)).abs() < 1e-6,
        "{march:?}"
    );
    let february = &board.per_month[10];
    assert_eq!((february.month.as_str(), february.segments), ("2026-02", 2));

    assert_eq!(board.failures.len(), 2);
    assert_eq!(board.failures[0].error_code, Some(30007));
    assert_eq!(board.failures[0].count, 2);
    assert!(!board.failures[0].description.is_empty());
    assert_eq!(board.failures[1].error_code, Some(30003));
}

#[test]
fn no_alert_without_enough_texts_and_an_empty_clinic_is_all_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
    let clock = Fixed(AtomicI64::new(ms("2026-03-12T16:00:00Z")));
    let board = dashboard(&store, &clock).unwrap();
    assert_eq!(board.delivery.rate, None);
    assert!(!board.delivery.alert);
    assert!(board
        .per_day
        .iter()
        .all(|d| d.inbound == 0 && d.outbound == 0));
    assert!(board.failures.is_empty());

    store
        .ingest(
            &[text(
                1,
                "2026-03-11T14:00:00Z",
                Direction::Outbound,
                MessageStatus::Failed,
                Some(30003),
                None,
            )],
            IngestMode::Live,
            &Keywords::default(),
        )
        .unwrap();
    let board = dashboard(&store, &clock).unwrap();
    assert_eq!(board.delivery.rate, Some(0.0));
    assert!(!board.delivery.alert, "one failed text is not a trend");
}
