//! Group messages on a real SQLite file, sent through the real engine to the Twilio simulator
//! over real HTTP: who is left out and why, one text per patient however often the group is
//! sent, and never a text to an opted-out patient.

mod support;

use chrono::Utc;
use clinic_desk_core::appointments::{self, NewAppointment};
use clinic_desk_core::bulk::{preview_group, send_group, ExclusionReason, GroupSelection};
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::patients::{add_patient, NewPatient};
use clinic_desk_core::settings;
use clinic_desk_core::store::optouts::{OptEvent, OptKind, OptSource};

use support::{fast_outbox, Sim, Workstation};

const ANA: &str = "+14155550134";
const BEN: &str = "+14155550188";
const CAROL: &str = "+14155550199";
const DAN: &str = "+14155550177";
const BODY: &str = "Dr. Lee is running 30 minutes late today. Reply STOP to opt out.";

fn today(ws: &Workstation) -> String {
    appointments::today(&ws.store, &SystemClock)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

/// Books `phone` with `provider` an hour from now (it is midday in the clinic's zone).
fn book(ws: &Workstation, phone: &str, name: &str, provider: &str) {
    let zone = settings::clinic_timezone(&ws.store).unwrap();
    let start = (chrono::DateTime::<Utc>::from_timestamp_millis(SystemClock.now_ms()).unwrap()
        + chrono::Duration::hours(1))
    .with_timezone(&zone)
    .format("%Y-%m-%d %H:%M")
    .to_string();
    appointments::book(
        &ws.store,
        None,
        &SystemClock,
        &NewAppointment {
            phone: phone.to_string(),
            name: name.to_string(),
            start,
            provider: provider.to_string(),
            ..NewAppointment::default()
        },
        "front desk",
    )
    .expect("booking stands");
}

fn opt_out(ws: &Workstation, phone: &str) {
    ws.store
        .record_opt_event(&OptEvent {
            phone: phone.to_string(),
            kind: OptKind::OptOut,
            source: OptSource::Staff,
            keyword: None,
            message_sid: None,
            at: SystemClock.now_ms(),
            actor: "front desk".to_string(),
        })
        .unwrap();
}

fn make_landline(ws: &Workstation, phone: &str) {
    rusqlite::Connection::open(ws.store.path())
        .unwrap()
        .execute(
            "UPDATE patient_phones SET line_type = 'landline' WHERE e164 = ?1",
            [phone],
        )
        .unwrap();
}

/// Ana, Ben (opted out) and Carol (landline) see Dr. Lee today; Dan sees Dr. Kim.
fn clinic_day(ws: &Workstation) {
    book(ws, ANA, "Ana Rivera", "Dr. Lee");
    book(ws, BEN, "Ben Okafor", "Dr. Lee");
    book(ws, CAROL, "Carol Diaz", "Dr. Lee");
    book(ws, DAN, "Dan Moss", "Dr. Kim");
    opt_out(ws, BEN);
    make_landline(ws, CAROL);
}

#[tokio::test]
async fn the_preview_names_who_is_left_out_and_why() {
    let sim = Sim::start(81).await;
    let ws = Workstation::new(&sim, fast_outbox());
    clinic_day(&ws);
    let selection = GroupSelection::TodayOfProvider {
        date: today(&ws),
        provider: "dr. lee".to_string(),
    };

    let preview = preview_group(&ws.store, &SystemClock, &selection, BODY).unwrap();

    let recipients: Vec<_> = preview
        .recipients
        .iter()
        .map(|r| (r.phone.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        recipients,
        [(ANA, "Ana Rivera")],
        "Dr. Kim's patient is not in it"
    );
    let excluded: Vec<_> = preview
        .excluded
        .iter()
        .map(|e| (e.phone.as_str(), e.reason))
        .collect();
    assert_eq!(
        excluded,
        [
            (BEN, ExclusionReason::OptedOut),
            (CAROL, ExclusionReason::NotMobile)
        ]
    );
    assert!(preview.excluded[0].detail.contains("opted out"));
    assert_eq!(preview.segments_per_text, 1);
    assert_eq!(preview.total_segments, 1);
    assert!(preview.estimated_cost > 0.0);

    let whole_day = preview_group(
        &ws.store,
        &SystemClock,
        &GroupSelection::DayAll { date: today(&ws) },
        BODY,
    )
    .unwrap();
    let phones: Vec<_> = whole_day
        .recipients
        .iter()
        .map(|r| r.phone.as_str())
        .collect();
    assert_eq!(phones, [ANA, DAN]);

    let picked = preview_group(
        &ws.store,
        &SystemClock,
        &GroupSelection::Phones {
            phones: vec!["(415) 555-0134".into(), "12".into(), ANA.into()],
        },
        BODY,
    )
    .unwrap();
    assert_eq!(
        picked.recipients.len(),
        1,
        "one number typed twice is texted once"
    );
    assert_eq!(picked.recipients[0].name, "Ana Rivera");
    assert_eq!(picked.excluded.len(), 1);
    assert_eq!(picked.excluded[0].phone, "12");
    assert_eq!(picked.excluded[0].reason, ExclusionReason::InvalidNumber);
}

#[tokio::test]
async fn a_group_sent_twice_texts_each_patient_once_and_never_an_opted_out_one() {
    let sim = Sim::start(82).await;
    let ws = Workstation::new(&sim, fast_outbox());
    clinic_day(&ws);
    let selection = GroupSelection::DayAll { date: today(&ws) };

    let first = send_group(
        &ws.store,
        &ws.sender,
        &SystemClock,
        "g-1",
        &selection,
        BODY,
        "front desk",
    )
    .unwrap();
    // A double click, or a retry after the answer was lost.
    let second = send_group(
        &ws.store,
        &ws.sender,
        &SystemClock,
        "g-1",
        &selection,
        BODY,
        "front desk",
    )
    .unwrap();

    assert_eq!(first.queued.len(), 2);
    assert!(first.queued.iter().all(|q| q.new));
    assert!(first.failed.is_empty());
    assert!(second.queued.iter().all(|q| !q.new), "{second:?}");
    let ids = |r: &clinic_desk_core::bulk::GroupReport| {
        r.queued.iter().map(|q| q.message_id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second), "the same texts, found again");

    ws.engine.drain_outbox().await.unwrap();
    ws.engine.drain_outbox().await.unwrap();
    assert_eq!(sim.texts_to(ANA).await, [BODY]);
    assert_eq!(sim.texts_to(DAN).await, [BODY]);
    assert!(sim.texts_to(BEN).await.is_empty(), "opted out");
    assert!(sim.texts_to(CAROL).await.is_empty(), "landline");
    assert_eq!(sim.all_messages().await.len(), 2);

    // Each text is an ordinary one in its patient's thread.
    let thread = ws.store.thread_messages(ANA).unwrap();
    assert!(thread.iter().any(|m| m.body == BODY));
}

#[tokio::test]
async fn one_bad_number_never_stops_the_group_and_quiet_time_holds_only_its_patient() {
    let sim = Sim::start(83).await;
    let ws = Workstation::new(&sim, fast_outbox());
    add_patient(
        &ws.store,
        &NewPatient {
            first_name: "Ana".into(),
            last_name: "Rivera".into(),
            phone: ANA.into(),
            preferred_language: None,
            time_zone: Some(zone_where_it_is_midnight()),
        },
    )
    .unwrap();
    let selection = GroupSelection::Phones {
        phones: vec![ANA.into(), "not a number".into(), DAN.into()],
    };

    let preview = preview_group(&ws.store, &SystemClock, &selection, BODY).unwrap();
    assert!(preview.recipients[0]
        .held
        .as_deref()
        .is_some_and(|h| h.contains("quiet time")));
    assert_eq!(preview.recipients[1].held, None);

    let report = send_group(
        &ws.store,
        &ws.sender,
        &SystemClock,
        "g-2",
        &selection,
        BODY,
        "front desk",
    )
    .unwrap();
    assert_eq!(report.queued.len(), 2);
    assert_eq!(report.excluded[0].reason, ExclusionReason::InvalidNumber);

    ws.engine.drain_outbox().await.unwrap();
    assert!(sim.texts_to(ANA).await.is_empty(), "held until morning");
    assert_eq!(sim.texts_to(DAN).await, [BODY]);
}

/// A fixed-offset zone in which it is about midnight now (the sending window is shut).
fn zone_where_it_is_midnight() -> String {
    use chrono::Timelike;
    let hour = Utc::now().hour() as i32;
    // IANA's Etc zones count west as positive: Etc/GMT+5 is five hours behind UTC.
    if hour <= 12 {
        format!("Etc/GMT+{hour}")
    } else {
        format!("Etc/GMT-{}", 24 - hour)
    }
}
