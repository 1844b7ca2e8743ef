//! The simulator's clock: real time plus an offset that tests can push forward.
//!
//! Every status transition is computed from this clock at read time, so advancing it is enough to
//! move every message along its lifecycle without sleeping. The offset only ever grows, which keeps
//! statuses monotonic as Twilio's are.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Milliseconds since the Unix epoch on the simulator's clock.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const DAY: Millis = 86_400 * SECOND;

#[derive(Debug, Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
}

impl SimClock {
    pub fn now_ms(&self) -> Millis {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves simulated time forward. Negative values are rejected by the control API, because a
    /// clock that goes back would make statuses regress.
    pub fn advance(&self, ms: Millis) {
        self.offset_ms.fetch_add(ms.max(0), Ordering::Relaxed);
    }

    pub fn offset_ms(&self) -> Millis {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

pub fn to_datetime(ms: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Twilio's date format: RFC 2822 in GMT with a numeric zone, e.g. "Fri, 24 May 2019 17:44:50 +0000".
/// Written out by hand because a list page renders three dates per message and chrono's
/// strftime interpreter was the largest cost of serving a page.
pub fn rfc2822(ms: Millis) -> String {
    let dt = to_datetime(ms);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[dt.weekday().num_days_from_monday() as usize],
        dt.day(),
        MONTHS[dt.month0() as usize],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Start of the GMT day containing `ms`.
pub fn day_start(ms: Millis) -> Millis {
    ms.div_euclid(DAY) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_twilio() {
        // 2019-05-24T17:44:50Z
        assert_eq!(
            rfc2822(1_558_719_890_000),
            "Fri, 24 May 2019 17:44:50 +0000"
        );
    }

    #[test]
    fn advance_never_goes_back() {
        let clock = SimClock::default();
        clock.advance(-5_000);
        assert_eq!(clock.offset_ms(), 0);
        clock.advance(2_000);
        assert_eq!(clock.offset_ms(), 2_000);
    }

    #[test]
    fn day_start_truncates() {
        assert_eq!(day_start(DAY + 5), DAY);
        assert_eq!(day_start(-1), -DAY);
    }
}
