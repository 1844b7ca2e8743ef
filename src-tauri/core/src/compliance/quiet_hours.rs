//! The sending window: texts go out between its start and end on the patient's wall clock
//! (their zone, else the clinic's), computed with chrono-tz so DST days are neither skipped nor
//! doubled. Automated texts outside it are held until the next allowed minute; a manual text
//! needs an explicit, logged override.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::settings::SendingWindow;
use crate::store::outbox::OutboxKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowCheck {
    Open,
    Quiet {
        /// The first instant texts may go out again.
        next_allowed: DateTime<Utc>,
        /// The patient's wall clock now, for the message staff see.
        local_now: NaiveDateTime,
    },
}

/// Whether an automated text may go out at `now` (holidays count as closed all day).
pub fn check_automated(window: &SendingWindow, zone: Tz, now: DateTime<Utc>) -> WindowCheck {
    check(window, zone, now, true)
}

/// Whether a manual text may go out at `now` without an override (holidays do not apply: a
/// receptionist at the desk on a holiday is working).
pub fn check_manual(window: &SendingWindow, zone: Tz, now: DateTime<Utc>) -> WindowCheck {
    check(window, zone, now, false)
}

fn check(window: &SendingWindow, zone: Tz, now: DateTime<Utc>, holidays: bool) -> WindowCheck {
    let local_now = now.with_timezone(&zone).naive_local();
    let closed_day = |day: NaiveDate| holidays && window.holidays.contains(&day);
    let time = local_now.time();
    let today = local_now.date();
    if !closed_day(today) && time >= window.start && time < window.end {
        return WindowCheck::Open;
    }
    // Today's opening if it is still ahead, otherwise the next open day's. A year of holidays
    // in a row would be a configuration mistake; give up looking after that and stay quiet a day.
    let mut day = if time < window.start && !closed_day(today) {
        today
    } else {
        today.succ_opt().unwrap_or(today)
    };
    for _ in 0..366 {
        if !closed_day(day) {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
    }
    WindowCheck::Quiet {
        next_allowed: first_instant_at_or_after(zone, day.and_time(window.start)),
        local_now,
    }
}

/// The UTC instant of a wall-clock time. On the fall-back day a time that happens twice means the
/// first; on the spring-forward day a time that never happens means the first minute after the gap.
pub fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut candidate = local;
    // DST gaps are at most a few hours; 24 hours of minutes bounds the search.
    for _ in 0..(24 * 60) {
        if let Some(instant) = zone.from_local_datetime(&candidate).earliest() {
            return instant.with_timezone(&Utc);
        }
        candidate += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

/// The sending window as the clinic configured it, ready to judge texts.
#[derive(Debug, Clone)]
pub struct SendingPolicy {
    pub window: SendingWindow,
    pub clinic_zone: Tz,
}

impl SendingPolicy {
    pub fn load(store: &crate::store::Store) -> crate::error::Result<Self> {
        Ok(Self {
            window: crate::settings::sending_window(store)?,
            clinic_zone: crate::settings::clinic_timezone(store)?,
        })
    }

    /// The patient's own zone when on file and valid, else the clinic's.
    pub fn zone_for(&self, patient_zone: Option<&str>) -> Tz {
        patient_zone
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(self.clinic_zone)
    }

    /// For automated texts (confirmations, reminders, bulk) outside the window: until when to
    /// hold them (ms) and the reason shown on the bubble. Replies to a patient's own text (HELP,
    /// C/R/X answers) and test texts are answers, not outreach, and go at once.
    pub fn hold(
        &self,
        kind: OutboxKind,
        patient_zone: Option<&str>,
        now_ms: i64,
    ) -> Option<(i64, String)> {
        if !matches!(
            kind,
            OutboxKind::Confirmation | OutboxKind::Reminder | OutboxKind::Bulk
        ) {
            return None;
        }
        let zone = self.zone_for(patient_zone);
        match check_automated(&self.window, zone, utc_from_ms(now_ms)) {
            WindowCheck::Open => None,
            WindowCheck::Quiet { next_allowed, .. } => Some((
                next_allowed.timestamp_millis(),
                format!(
                    "held for quiet time; goes out {} (patient's time)",
                    describe_local(zone, next_allowed)
                ),
            )),
        }
    }
}

pub fn utc_from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// "Tue 08:00" style, in the patient's zone, for messages.
pub fn describe_local(zone: Tz, instant: DateTime<Utc>) -> String {
    instant.with_timezone(&zone).format("%a %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str) -> SendingWindow {
        SendingWindow {
            start: crate::settings::parse_hh_mm(start).unwrap(),
            end: crate::settings::parse_hh_mm(end).unwrap(),
            holidays: vec![],
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn open_inside_and_quiet_outside_in_the_patients_zone() {
        let w = window("08:00", "21:00");
        let ny: Tz = "America/New_York".parse().unwrap();
        // 13:00 UTC in January = 08:00 in New York: open, the first minute.
        assert_eq!(
            check_automated(&w, ny, utc("2026-01-15T13:00:00Z")),
            WindowCheck::Open
        );
        // 12:59 UTC = 07:59: quiet until 08:00 the same day.
        match check_automated(&w, ny, utc("2026-01-15T12:59:00Z")) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-01-15T13:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        // 02:00 UTC on the 16th = 21:00 on the 15th: the end is exclusive.
        match check_automated(&w, ny, utc("2026-01-16T02:00:00Z")) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-01-16T13:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spring_forward_and_fall_back_in_new_york() {
        let w = window("08:00", "21:00");
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2026-03-08: clocks go 02:00 -> 03:00. At 03:30 EDT (07:30 UTC) the window opens at
        // 08:00 EDT = 12:00 UTC, 4.5 real hours later (not 5.5 as under EST).
        match check_automated(&w, ny, utc("2026-03-08T07:30:00Z")) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-03-08T12:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        // 2026-11-01: clocks go 02:00 -> 01:00. 22:00 EDT on Oct 31 (02:00 UTC Nov 1) waits for
        // 08:00 EST = 13:00 UTC.
        match check_automated(&w, ny, utc("2026-11-01T02:00:00Z")) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-11-01T13:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        // 20:59 EST on the fall-back day is still open; 21:00 is not.
        assert_eq!(
            check_automated(&w, ny, utc("2026-11-02T01:59:00Z")),
            WindowCheck::Open
        );
        assert!(matches!(
            check_automated(&w, ny, utc("2026-11-02T02:00:00Z")),
            WindowCheck::Quiet { .. }
        ));
    }

    #[test]
    fn spring_forward_and_fall_back_in_berlin() {
        let w = window("08:00", "21:00");
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-03-29: 02:00 CET -> 03:00 CEST. 07:59 CEST = 05:59 UTC: quiet; 08:00 CEST = 06:00.
        match check_automated(&w, berlin, utc("2026-03-29T05:59:00Z")) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-03-29T06:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        // 2026-10-25: 03:00 CEST -> 02:00 CET. 08:00 CET = 07:00 UTC.
        assert!(matches!(
            check_automated(&w, berlin, utc("2026-10-25T06:59:00Z")),
            WindowCheck::Quiet { .. }
        ));
        assert_eq!(
            check_automated(&w, berlin, utc("2026-10-25T07:00:00Z")),
            WindowCheck::Open
        );
    }

    #[test]
    fn a_window_starting_inside_the_dst_gap_opens_after_the_gap() {
        // Nobody starts at 02:30, but a wall-clock time that does not exist must not be lost.
        let w = window("02:30", "21:00");
        let ny: Tz = "America/New_York".parse().unwrap();
        match check_automated(&w, ny, utc("2026-03-08T06:00:00Z")) {
            // 01:00 EST; 02:30 does not exist that night, the first minute after is 03:00 EDT.
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-03-08T07:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        // A time that happens twice (01:30 on fall-back day) means the first one.
        let first = first_instant_at_or_after(
            ny,
            NaiveDate::from_ymd_opt(2026, 11, 1)
                .unwrap()
                .and_hms_opt(1, 30, 0)
                .unwrap(),
        );
        assert_eq!(first, utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn holidays_hold_automated_texts_but_not_manual_ones() {
        let mut w = window("08:00", "21:00");
        w.holidays = vec![
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 26).unwrap(),
        ];
        let ny: Tz = "America/New_York".parse().unwrap();
        let noon_xmas = utc("2026-12-25T17:00:00Z");
        match check_automated(&w, ny, noon_xmas) {
            WindowCheck::Quiet { next_allowed, .. } => {
                assert_eq!(next_allowed, utc("2026-12-27T13:00:00Z"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(check_manual(&w, ny, noon_xmas), WindowCheck::Open);
    }
}
