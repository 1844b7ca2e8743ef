//! Twilio's JSON, as the Messages API returns it. Every field we do not strictly need is
//! optional: a missing or null field must not make a whole page of replies unreadable.

use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct TwilioMessage {
    pub sid: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_sent: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub num_segments: Option<String>,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub price_unit: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
}

impl TwilioMessage {
    pub fn is_inbound(&self) -> bool {
        self.direction.as_deref() == Some("inbound")
    }

    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.date_created.as_deref().and_then(parse_date)
    }

    pub fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.date_sent.as_deref().and_then(parse_date)
    }

    pub fn segments(&self) -> Option<i64> {
        self.num_segments.as_deref().and_then(|s| s.parse().ok())
    }
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
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
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
        assert!(m.status.is_none() && m.created_at().is_none());
    }
}
