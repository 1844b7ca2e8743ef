//! Wall-clock dates and times in the clinic's zone: reading what staff type or a CSV holds, and
//! turning it into an instant. A time that never happens (the spring-forward hour) is an error,
//! never a guess; a time that happens twice (the fall-back hour) means the first.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::compliance::quiet_hours::first_instant_at_or_after;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("unknown date format: \"{0}\" (use YYYY-MM-DD, {1})")]
    UnknownDateFormat(String, &'static str),
    #[error("no such date: \"{0}\"")]
    NoSuchDate(String),
    #[error("unknown time format: \"{0}\" (use 14:30 or 2:30 PM)")]
    UnknownTimeFormat(String),
    #[error("no time in \"{0}\" (give a date and time like 2026-03-10 14:30)")]
    MissingTime(String),
    #[error("nonexistent time: {local} does not exist in {zone} (the clocks skip that hour); check the time")]
    Nonexistent { local: String, zone: String },
}

/// Which number comes first in a slash date: 03/04/2026 is March 4 in the US and 3 April in
/// most other countries. The clinic's region decides; YYYY-MM-DD means the same everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    MonthFirst,
    DayFirst,
}

impl DateOrder {
    /// Month first where that is how people write dates (the US and its territories, Canada's
    /// common usage, the Philippines and a few others); day first elsewhere.
    pub fn for_region(region: &str) -> Self {
        const MONTH_FIRST: &[&str] = &[
            "US", "PR", "GU", "VI", "AS", "MP", "UM", "CA", "PH", "FM", "MH", "PW", "BZ",
        ];
        if MONTH_FIRST.contains(&region.trim().to_ascii_uppercase().as_str()) {
            Self::MonthFirst
        } else {
            Self::DayFirst
        }
    }

    fn formats(self) -> &'static str {
        match self {
            Self::MonthFirst => "MM/DD/YYYY or M/D/YY",
            Self::DayFirst => "DD/MM/YYYY or D/M/YY",
        }
    }
}

fn digits(part: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

/// Reads YYYY-MM-DD (or YYYY/MM/DD) anywhere, and slash dates in the region's order: MM/DD/YYYY
/// and M/D/YY, or DD/MM/YYYY and D/M/YY (years 00–99 are 2000–2099).
pub fn parse_date(value: &str, order: DateOrder) -> Result<NaiveDate, LocalTimeError> {
    let value = value.trim();
    let unknown = || LocalTimeError::UnknownDateFormat(value.to_string(), order.formats());
    let separator = if value.contains('-') { '-' } else { '/' };
    let parts: Vec<&str> = value.split(separator).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(unknown());
    };
    let (year, month, day) = if a.len() == 4 {
        (digits(a, 4..=4), digits(b, 1..=2), digits(c, 1..=2))
    } else if separator == '/' {
        let year = match c.len() {
            2 => digits(c, 2..=2).map(|y| 2000 + y),
            _ => digits(c, 4..=4),
        };
        match order {
            DateOrder::MonthFirst => (year, digits(a, 1..=2), digits(b, 1..=2)),
            DateOrder::DayFirst => (year, digits(b, 1..=2), digits(a, 1..=2)),
        }
    } else {
        return Err(unknown());
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Err(unknown());
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| LocalTimeError::NoSuchDate(value.to_string()))
}

/// Reads 24-hour times ("14:30", "09:05:00") and 12-hour ones ("2:30 PM", "2:30pm", "2 p.m.").
pub fn parse_time(value: &str) -> Result<NaiveTime, LocalTimeError> {
    let original = value.trim();
    let unknown = || LocalTimeError::UnknownTimeFormat(original.to_string());
    let compact: String = original
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect::<String>()
        .to_lowercase();
    let (clock, meridiem) = if let Some(rest) = compact.strip_suffix("am") {
        (rest, Some(false))
    } else if let Some(rest) = compact.strip_suffix("pm") {
        (rest, Some(true))
    } else {
        (compact.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (hour, minute, second) = match (parts.as_slice(), meridiem) {
        ([h], Some(_)) => (digits(h, 1..=2), Some(0), Some(0)),
        ([h, m], _) => (digits(h, 1..=2), digits(m, 2..=2), Some(0)),
        ([h, m, s], _) => (digits(h, 1..=2), digits(m, 2..=2), digits(s, 2..=2)),
        _ => return Err(unknown()),
    };
    let (Some(hour), Some(minute), Some(second)) = (hour, minute, second) else {
        return Err(unknown());
    };
    let hour = match meridiem {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return Err(unknown()),
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(unknown)
}

/// Reads a date and time in one value: "2026-03-10 14:30", "2026-03-10T14:30",
/// "3/10/2026 2:30 PM".
pub fn parse_start(value: &str, order: DateOrder) -> Result<NaiveDateTime, LocalTimeError> {
    let value = value.trim();
    let split = value
        .find(|c: char| c.is_whitespace())
        .or_else(|| value.find('T').filter(|i| *i >= 8));
    let Some(at) = split else {
        return Err(LocalTimeError::MissingTime(value.to_string()));
    };
    let (date, time) = value.split_at(at);
    let time = time.trim_start_matches('T');
    Ok(parse_date(date, order)?.and_time(parse_time(time)?))
}

/// The instant of a wall-clock time in `zone`: an error when the clocks skip it, the first of
/// the two when they repeat it.
pub fn resolve(zone: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, LocalTimeError> {
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| LocalTimeError::Nonexistent {
            local: local.format("%H:%M on %Y-%m-%d").to_string(),
            zone: zone.name().to_string(),
        })
}

/// `[start, end)` of a calendar day in `zone`, in UTC milliseconds.
pub fn day_bounds(zone: Tz, day: NaiveDate) -> (i64, i64) {
    let start = first_instant_at_or_after(zone, day.and_time(NaiveTime::MIN));
    let next = day.succ_opt().unwrap_or(day);
    let end = first_instant_at_or_after(zone, next.and_time(NaiveTime::MIN));
    (start.timestamp_millis(), end.timestamp_millis())
}

/// When a reminder `hours` before `start` is due. Whole days count on the clinic's wall clock
/// ("24 hours before" 09:00 is 09:00 the day before, 23 or 25 real hours across a DST change);
/// the remaining hours count in real time ("2 hours before" is two real hours).
pub fn reminder_due(zone: Tz, start: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    let days = i64::from(hours / 24);
    let rest = Duration::hours(i64::from(hours % 24));
    if days == 0 {
        return start - rest;
    }
    let local = start.with_timezone(&zone).naive_local() - Duration::days(days);
    first_instant_at_or_after(zone, local) - rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    const US: DateOrder = DateOrder::MonthFirst;

    #[test]
    fn dates_in_the_accepted_formats() {
        assert_eq!(parse_date("2026-03-10", US), Ok(date(2026, 3, 10)));
        assert_eq!(parse_date("03/10/2026", US), Ok(date(2026, 3, 10)));
        assert_eq!(parse_date("3/9/26", US), Ok(date(2026, 3, 9)));
        assert_eq!(
            parse_date("10.03.2026", US),
            Err(LocalTimeError::UnknownDateFormat(
                "10.03.2026".into(),
                "MM/DD/YYYY or M/D/YY"
            ))
        );
        assert_eq!(
            parse_date("2026-02-30", US),
            Err(LocalTimeError::NoSuchDate("2026-02-30".into()))
        );
        assert!(parse_date("March 10", US).is_err());
    }

    #[test]
    fn slash_dates_follow_the_clinics_region() {
        let uk = DateOrder::for_region("gb");
        assert_eq!(uk, DateOrder::DayFirst);
        assert_eq!(DateOrder::for_region("US"), US);
        assert_eq!(parse_date("03/04/2026", US), Ok(date(2026, 3, 4)));
        assert_eq!(parse_date("03/04/2026", uk), Ok(date(2026, 4, 3)));
        assert_eq!(parse_date("25/12/26", uk), Ok(date(2026, 12, 25)));
        assert_eq!(
            parse_date("12/25/2026", uk),
            Err(LocalTimeError::NoSuchDate("12/25/2026".into()))
        );
        assert_eq!(parse_date("2026-04-03", uk), Ok(date(2026, 4, 3)));
        let message = parse_date("3 April", uk).unwrap_err().to_string();
        assert!(message.contains("DD/MM/YYYY"), "{message}");
    }

    #[test]
    fn times_in_12_and_24_hours() {
        assert_eq!(parse_time("14:30"), Ok(time(14, 30)));
        assert_eq!(parse_time("2:30 PM"), Ok(time(14, 30)));
        assert_eq!(parse_time("2:30pm"), Ok(time(14, 30)));
        assert_eq!(parse_time("12:05 a.m."), Ok(time(0, 5)));
        assert_eq!(parse_time("12:00 PM"), Ok(time(12, 0)));
        assert_eq!(parse_time("9 AM"), Ok(time(9, 0)));
        assert!(parse_time("13:00 PM").is_err());
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("9").is_err());
    }

    #[test]
    fn one_value_with_date_and_time() {
        let expected = date(2026, 3, 10).and_time(time(14, 30));
        assert_eq!(parse_start("2026-03-10 14:30", US), Ok(expected));
        assert_eq!(parse_start("2026-03-10T14:30", US), Ok(expected));
        assert_eq!(parse_start("3/10/2026 2:30 PM", US), Ok(expected));
    }

    #[test]
    fn skipped_times_are_errors_and_repeated_ones_mean_the_first() {
        let zone = chrono_tz::America::New_York;
        let skipped = date(2026, 3, 8).and_time(time(2, 30));
        assert!(matches!(
            resolve(zone, skipped),
            Err(LocalTimeError::Nonexistent { .. })
        ));
        let repeated = date(2026, 11, 1).and_time(time(1, 30));
        // 01:30 EDT (UTC-4) comes before 01:30 EST.
        assert_eq!(
            resolve(zone, repeated).unwrap().to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
    }
}
