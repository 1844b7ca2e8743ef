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
/// Written out by hand, onto the stack, because a list page renders three dates per message:
/// chrono's strftime interpreter, and then a string per date, were the largest costs of serving
/// a page.
pub fn rfc2822(ms: Millis) -> TwilioDate {
    use std::io::Write;
    let dt = to_datetime(ms);
    let mut date = TwilioDate {
        text: [0; TwilioDate::CAPACITY],
        len: 0,
    };
    if let Ok(year @ 0..=9999) = u32::try_from(dt.year()) {
        // Every date of this millennium and the next: fixed places, no formatting machinery.
        let digits = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
        let text = &mut date.text;
        text[..3]
            .copy_from_slice(WEEKDAYS[dt.weekday().num_days_from_monday() as usize].as_bytes());
        text[3..5].copy_from_slice(b", ");
        text[5..7].copy_from_slice(&digits(dt.day()));
        text[7] = b' ';
        text[8..11].copy_from_slice(MONTHS[dt.month0() as usize].as_bytes());
        text[11] = b' ';
        text[12..14].copy_from_slice(&digits(year / 100));
        text[14..16].copy_from_slice(&digits(year));
        text[16] = b' ';
        text[17..19].copy_from_slice(&digits(dt.hour()));
        text[19] = b':';
        text[20..22].copy_from_slice(&digits(dt.minute()));
        text[22] = b':';
        text[23..25].copy_from_slice(&digits(dt.second()));
        text[25..31].copy_from_slice(b" +0000");
        date.len = 31;
        return date;
    }
    let mut out = &mut date.text[..];
    // Every year chrono can hold fits: "-262143" is the longest, 34 bytes in all.
    let written = write!(
        out,
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[dt.weekday().num_days_from_monday() as usize],
        dt.day(),
        MONTHS[dt.month0() as usize],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    debug_assert!(written.is_ok());
    date.len = (TwilioDate::CAPACITY - out.len()) as u8;
    date
}

/// A date as Twilio writes it, without a heap allocation.
#[derive(Clone, Copy)]
pub struct TwilioDate {
    text: [u8; TwilioDate::CAPACITY],
    len: u8,
}

impl TwilioDate {
    const CAPACITY: usize = 40;

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Display for TwilioDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for TwilioDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for TwilioDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
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
            rfc2822(1_558_719_890_000).as_str(),
            "Fri, 24 May 2019 17:44:50 +0000"
        );
        assert_eq!(
            rfc2822(-62_135_596_800_000).as_str(),
            "Mon, 01 Jan 0001 00:00:00 +0000"
        );
        let far = rfc2822(DateTime::<Utc>::MAX_UTC.timestamp_millis());
        assert_eq!(far.as_str(), "Mon, 31 Dec 262142 23:59:59 +0000");
    }

    /// The fixed-place writer against chrono's own formatting, over every time of day and
    /// across centuries.
    #[test]
    fn every_date_is_written_as_chrono_would() {
        let mut ms: Millis = -62_135_596_800_000; // year 1
        while ms < 253_402_300_799_000 {
            // through 9999
            let expected = to_datetime(ms)
                .format("%a, %d %b %Y %H:%M:%S +0000")
                .to_string();
            assert_eq!(rfc2822(ms).as_str(), expected);
            ms += 86_400_000 * 37 + 3_600_000 * 5 + 60_000 * 7 + 13_000;
        }
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
