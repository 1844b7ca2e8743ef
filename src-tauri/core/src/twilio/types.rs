//! Twilio's JSON, as the Messages API returns it. Every field we do not strictly need is
//! optional: a missing or null field must not make a whole page of replies unreadable.

use std::fmt;

use chrono::{DateTime, Datelike, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::MessageStatus;

/// One message of the Messages API. Fields only needed for what they mean (status, direction,
/// dates, segment count) are read as the page is parsed, without keeping their text: a back-fill
/// parses tens of thousands of messages, and each kept string is an allocation.
#[derive(Debug, Clone, Deserialize)]
pub struct TwilioMessage {
    pub sid: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "status_field")]
    pub status: Option<Status>,
    /// `direction` is `inbound`, or one of the `outbound-*` kinds (or missing).
    #[serde(default, rename = "direction", deserialize_with = "inbound_field")]
    pub inbound: bool,
    /// `date_created`; a missing or unreadable date is `None`.
    #[serde(default, rename = "date_created", deserialize_with = "date_field")]
    pub created_at: Option<DateTime<Utc>>,
    /// `date_sent`: null until the text has gone out.
    #[serde(default, rename = "date_sent", deserialize_with = "date_field")]
    pub sent_at: Option<DateTime<Utc>>,
    /// `num_segments`, which Twilio sends as a string.
    #[serde(default, rename = "num_segments", deserialize_with = "count_field")]
    pub segments: Option<i64>,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub price_unit: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub error_message: Option<String>,
}

/// A message's status as Twilio spelled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Known(MessageStatus),
    /// A spelling we do not know, kept to be reported.
    Unrecognised(String),
}

impl Status {
    fn read(value: &str) -> Option<Self> {
        Some(match MessageStatus::parse(value) {
            MessageStatus::Unknown => Status::Unrecognised(value.to_string()),
            known => Status::Known(known),
        })
    }
}

fn status_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Status>, D::Error> {
    read_optional_str(deserializer, Status::read)
}

fn inbound_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(read_optional_str(deserializer, |value| Some(value == "inbound"))?.unwrap_or(false))
}

fn date_field<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    read_optional_str(deserializer, parse_date)
}

fn count_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    read_optional_str(deserializer, |value| value.parse().ok())
}

/// Reads an optional string field through `read`, which sees the text in the page's own buffer
/// (or the parser's scratch space) and keeps only what it returns. Null reads as `None`.
fn read_optional_str<'de, D, T>(
    deserializer: D,
    read: fn(&str) -> Option<T>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    struct ReadStr<T>(fn(&str) -> Option<T>);

    impl<'de, T> Visitor<'de> for ReadStr<T> {
        type Value = Option<T>;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a string or null")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok((self.0)(value))
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
            inner.deserialize_str(self)
        }
    }

    deserializer.deserialize_option(ReadStr(read))
}

#[derive(Debug, Clone, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<TwilioMessage>,
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncomingNumber {
    pub phone_number: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncomingNumberPage {
    pub incoming_phone_numbers: Vec<IncomingNumber>,
}

/// A Messaging Service, as the Messaging API (v1) returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct MessagingService {
    pub sid: String,
    #[serde(default)]
    pub account_sid: Option<String>,
    #[serde(default)]
    pub friendly_name: Option<String>,
}

/// Twilio's error body: `{"code", "message", "more_info", "status"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Twilio dates are RFC 2822 in GMT ("Fri, 24 May 2019 17:44:50 +0000").
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    // A back-fill reads two dates per text, and chrono's general RFC 2822 reader was a seventh of
    // the time spent reading pages. Twilio always writes the one fixed shape, read directly here;
    // anything else (another offset, a one-digit day, a leap second, a wrong weekday) goes to
    // chrono, so both paths agree on every input.
    twilio_shaped_date(value.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc2822(value)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })
}

/// "Www, DD Mon YYYY HH:MM:SS +0000", or `None` for any other shape.
fn twilio_shaped_date(bytes: &[u8]) -> Option<DateTime<Utc>> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    const WEEKDAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    let shaped: &[u8; 31] = bytes.try_into().ok()?;
    if &shaped[3..5] != b", "
        || shaped[7] != b' '
        || shaped[11] != b' '
        || shaped[16] != b' '
        || shaped[19] != b':'
        || shaped[22] != b':'
        || &shaped[25..] != b" +0000"
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        shaped[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let month = MONTHS.iter().position(|m| m[..] == shaped[8..11])? as u32 + 1;
    let date = chrono::NaiveDate::from_ymd_opt(number(12..16)? as i32, month, number(5..7)?)?;
    let time = date.and_hms_opt(number(17..19)?, number(20..22)?, number(23..25)?)?;
    let weekday = date.weekday().num_days_from_monday() as usize;
    (WEEKDAYS[weekday][..] == shaped[0..3]).then(|| time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_twilio_dates_and_tolerates_missing_fields() {
        let d = parse_date("Fri, 24 May 2019 17:44:50 +0000").unwrap();
        assert_eq!(d.timestamp(), 1_558_719_890);
        assert!(parse_date("yesterday").is_none());
        let m: TwilioMessage = serde_json::from_str(r#"{"sid":"SM1","status":null}"#).unwrap();
        assert!(m.status.is_none() && m.created_at.is_none() && !m.inbound);
    }

    #[test]
    fn twilio_dates_read_directly_agree_with_chrono() {
        let chrono_reads = |value: &str| {
            DateTime::parse_from_rfc2822(value)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        };
        // Every day, at times of day moving through the whole clock, across leap years and the
        // turn of a century, in Twilio's own shape (two-digit day, "+0000").
        let mut at = DateTime::from_timestamp(946_684_800 - 40 * 86_400, 0).unwrap();
        let end = DateTime::from_timestamp(1_798_761_600, 0).unwrap();
        let mut read = 0;
        while at < end {
            let text = at.format("%a, %d %b %Y %H:%M:%S +0000").to_string();
            assert!(twilio_shaped_date(text.as_bytes()).is_some(), "{text}");
            assert_eq!(parse_date(&text), Some(at), "{text}");
            at += chrono::Duration::seconds(86_400 + 3_607);
            read += 1;
        }
        assert!(read > 9_000);
        for odd in [
            "Fri, 24 May 2019 17:44:50 +0100",
            "Fri, 4 May 2019 17:44:50 +0000",
            "Fri, 24 May 2019 17:44:50 GMT",
            "Sat, 24 May 2019 17:44:50 +0000",
            "Fri, 31 Jun 2019 17:44:50 +0000",
            "Fri, 24 May 2019 24:00:00 +0000",
            "Sat, 31 Dec 2016 23:59:60 +0000",
            "Fri, 24 Mai 2019 17:44:50 +0000",
            "Fri, 24 May 2019 17:4x:50 +0000",
            "Fri, 24 May 2019 17:44:50 +0000 ",
            "",
        ] {
            assert_eq!(parse_date(odd), chrono_reads(odd), "{odd}");
        }
        assert_eq!(
            parse_date("Fri, 24 May 2019 17:44:50 +0100").map(|d| d.timestamp()),
            Some(1_558_716_290),
        );
        assert!(parse_date("Sat, 24 May 2019 17:44:50 +0000").is_none());
    }

    #[test]
    fn fields_read_for_their_meaning_keep_it() {
        let m: TwilioMessage = serde_json::from_str(
            r#"{"sid":"SM1","status":"delivered","direction":"inbound",
                "date_created":"Fri, 24 May 2019 17:44:50 +0000","date_sent":null,
                "num_segments":"2","date_updated":"whenever","uri":"/x"}"#,
        )
        .unwrap();
        assert_eq!(m.status, Some(Status::Known(MessageStatus::Delivered)));
        assert!(m.inbound);
        assert_eq!(m.created_at.map(|d| d.timestamp()), Some(1_558_719_890));
        assert_eq!((m.sent_at, m.segments), (None, Some(2)));

        // Escaped text is read too: the parser hands over its unescaped copy.
        let m: TwilioMessage = serde_json::from_str(
            r#"{"sid":"SM2","status":"sent\u0021","direction":"outbound-api","num_segments":"x"}"#,
        )
        .unwrap();
        assert_eq!(m.status, Some(Status::Unrecognised("sent!".to_string())));
        assert!(!m.inbound);
        assert_eq!(m.segments, None);
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_not_a_guess() {
        let err = serde_json::from_str::<TwilioMessage>(r#"{"sid":"SM1","status":3}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a string or null"), "{err}");
    }
}
