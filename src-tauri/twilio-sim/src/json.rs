//! Twilio's JSON shapes, field for field as in the 2010-04-01 OpenAPI spec: Message, Account,
//! IncomingPhoneNumber and the paging envelope; and the Messaging API's (v1) Service.
//!
//! Client libraries find a page's items as the one envelope key that is not paging metadata, so the
//! envelope carries exactly one item key and nothing else of our own.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::clock::{rfc2822, to_datetime, Millis, TwilioDate};
use crate::config::SimConfig;
use crate::ids::stable_sid;
use crate::lifecycle::error_message;
use crate::state::StoredMessage;

pub const API_VERSION: &str = "2010-04-01";

/// A message's own URI, and those of its subresources, written out as the page is serialized
/// rather than kept as strings first.
#[derive(Debug, Clone, Copy)]
pub struct MessageUri<'a> {
    account_sid: &'a str,
    sid: &'a str,
    suffix: &'static str,
}

impl std::fmt::Display for MessageUri<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "/{API_VERSION}/Accounts/{}/Messages/{}{}",
            self.account_sid, self.sid, self.suffix
        )
    }
}

impl Serialize for MessageUri<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Serialize)]
pub struct MessageSubresources<'a> {
    pub media: MessageUri<'a>,
    pub feedback: MessageUri<'a>,
}

/// A count Twilio writes as a string ("1").
#[derive(Debug, Clone, Copy)]
pub struct CountText(pub u32);

impl Serialize for CountText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

#[derive(Debug, Serialize)]
pub struct MessageJson<'a> {
    pub account_sid: &'a str,
    pub api_version: &'static str,
    pub body: &'a str,
    pub date_created: TwilioDate,
    pub date_sent: Option<TwilioDate>,
    pub date_updated: TwilioDate,
    pub direction: &'static str,
    pub error_code: Option<u32>,
    pub error_message: Option<&'static str>,
    pub from: &'a str,
    pub messaging_service_sid: Option<&'a str>,
    pub num_media: &'static str,
    pub num_segments: CountText,
    pub price: Option<String>,
    pub price_unit: &'static str,
    pub sid: &'a str,
    pub status: &'static str,
    pub subresource_uris: MessageSubresources<'a>,
    pub to: &'a str,
    pub uri: MessageUri<'a>,
}

pub fn message<'a>(account_sid: &'a str, m: &'a StoredMessage, now: Millis) -> MessageJson<'a> {
    let view = m.view(now);
    let uri = |suffix| MessageUri {
        account_sid,
        sid: &m.sid,
        suffix,
    };
    // Twilio reports 0 segments until a Messaging Service has picked the sender.
    let num_segments = if view.status == "accepted" {
        0
    } else {
        m.num_segments
    };
    MessageJson {
        account_sid,
        api_version: API_VERSION,
        body: &m.body,
        date_created: rfc2822(m.created),
        date_sent: view.date_sent.map(rfc2822),
        date_updated: rfc2822(view.date_updated),
        direction: m.direction.as_str(),
        error_code: view.error_code,
        error_message: view.error_code.map(error_message),
        from: &m.from,
        messaging_service_sid: m.messaging_service_sid.as_deref(),
        num_media: "0",
        num_segments: CountText(num_segments),
        price: view.price,
        price_unit: "USD",
        sid: &m.sid,
        status: view.status,
        subresource_uris: MessageSubresources {
            media: uri("/Media.json"),
            feedback: uri("/Feedback.json"),
        },
        to: &m.to,
        uri: uri(".json"),
    }
}

pub fn account(config: &SimConfig, created: Millis) -> serde_json::Value {
    let sid = &config.account_sid;
    let base = format!("/{API_VERSION}/Accounts/{sid}");
    let sub = |name: &str| format!("{base}/{name}.json");
    let date = rfc2822(created);
    serde_json::json!({
        "auth_token": config.auth_token,
        "date_created": date,
        "date_updated": date,
        "friendly_name": config.friendly_name,
        "owner_account_sid": sid,
        "sid": sid,
        "status": config.account_status.as_str(),
        "subresource_uris": {
            "addresses": sub("Addresses"),
            "conferences": sub("Conferences"),
            "signing_keys": sub("SigningKeys"),
            "transcriptions": sub("Transcriptions"),
            "connect_apps": sub("ConnectApps"),
            "sip": sub("SIP"),
            "authorized_connect_apps": sub("AuthorizedConnectApps"),
            "usage": sub("Usage"),
            "keys": sub("Keys"),
            "applications": sub("Applications"),
            "recordings": sub("Recordings"),
            "short_codes": sub("SMS/ShortCodes"),
            "calls": sub("Calls"),
            "notifications": sub("Notifications"),
            "incoming_phone_numbers": sub("IncomingPhoneNumbers"),
            "queues": sub("Queues"),
            "messages": sub("Messages"),
            "outgoing_caller_ids": sub("OutgoingCallerIds"),
            "available_phone_numbers": sub("AvailablePhoneNumbers"),
            "balance": sub("Balance"),
        },
        "type": config.account_type.as_str(),
        "uri": format!("{base}.json"),
    })
}

pub fn incoming_phone_number(
    config: &SimConfig,
    number: &str,
    created: Millis,
) -> serde_json::Value {
    let sid = stable_sid("PN", number);
    let account_sid = &config.account_sid;
    let date = rfc2822(created);
    serde_json::json!({
        "account_sid": account_sid,
        "address_sid": null,
        "address_requirements": "none",
        "api_version": API_VERSION,
        "beta": false,
        "capabilities": {"voice": true, "sms": true, "mms": true, "fax": false},
        "date_created": date,
        "date_updated": date,
        "friendly_name": format_friendly(number),
        "identity_sid": null,
        "phone_number": number,
        "origin": "twilio",
        "sid": sid,
        "sms_application_sid": null,
        "sms_fallback_method": "POST",
        "sms_fallback_url": null,
        "sms_method": "POST",
        "sms_url": null,
        "status_callback": null,
        "status_callback_method": "POST",
        "trunk_sid": null,
        "uri": format!("/{API_VERSION}/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json"),
        "voice_receive_mode": "voice",
        "voice_application_sid": null,
        "voice_caller_id_lookup": false,
        "voice_fallback_method": "POST",
        "voice_fallback_url": null,
        "voice_method": "POST",
        "voice_url": null,
        "emergency_status": "Inactive",
        "emergency_address_sid": null,
        "emergency_address_status": "unregistered",
        "bundle_sid": null,
        "status": "in-use",
        "type": null,
    })
}

/// A Messaging Service as the Messaging API (v1) returns it. Unlike the 2010 API, v1 dates are
/// ISO 8601 and `url` is absolute (on messaging.twilio.com in production).
pub fn messaging_service(
    config: &SimConfig,
    service_sid: &str,
    base_url: &str,
    created: Millis,
) -> serde_json::Value {
    let url = format!("{base_url}/v1/Services/{service_sid}");
    let link = |name: &str| format!("{url}/{name}");
    let date = to_datetime(created)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    serde_json::json!({
        "account_sid": config.account_sid,
        "area_code_geomatch": true,
        "date_created": date,
        "date_updated": date,
        "fallback_method": "POST",
        "fallback_to_long_code": true,
        "fallback_url": null,
        "friendly_name": format!("{} messaging", config.friendly_name),
        "inbound_method": "POST",
        "inbound_request_url": null,
        "links": {
            "phone_numbers": link("PhoneNumbers"),
            "short_codes": link("ShortCodes"),
            "alpha_senders": link("AlphaSenders"),
            "messages": link("Messages"),
            "us_app_to_person": link("Compliance/Usa2p"),
            "us_app_to_person_usecases": link("Compliance/Usa2p/Usecases"),
            "channel_senders": link("ChannelSenders"),
            "destination_alpha_senders": link("DestinationAlphaSenders"),
        },
        "mms_converter": true,
        "scan_message_content": "inherit",
        "sid": service_sid,
        "smart_encoding": true,
        "status_callback": null,
        "sticky_sender": true,
        "synchronous_validation": false,
        "url": url,
        "us_app_to_person_registered": false,
        "use_inbound_webhook_on_number": false,
        "usecase": "undeclared",
        "validity_period": 14400,
    })
}

/// "+15555550100" → "(555) 555-0100", as Twilio names North American numbers.
fn format_friendly(number: &str) -> String {
    match number.strip_prefix("+1") {
        Some(d) if d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit()) => {
            format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..])
        }
        _ => number.to_string(),
    }
}

/// Twilio's paging envelope around one page of items.
#[derive(Debug)]
pub struct Envelope<T> {
    pub key: &'static str,
    pub items: Vec<T>,
    pub page: u64,
    pub page_size: usize,
    pub uri: String,
    pub first_page_uri: String,
    pub next_page_uri: Option<String>,
    pub previous_page_uri: Option<String>,
}

impl<T> Envelope<T> {
    /// The indexes of the page's first and last items. Twilio reports `end` as the index of the
    /// last item, or `start` for an empty page.
    fn bounds(&self) -> (u64, u64) {
        let start = self.page.saturating_mul(self.page_size as u64);
        let end = (start + self.items.len() as u64)
            .saturating_sub(1)
            .max(start);
        (start, end)
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (start, end) = self.bounds();
        let mut map = serializer.serialize_map(Some(9))?;
        map.serialize_entry("end", &end)?;
        map.serialize_entry("first_page_uri", &self.first_page_uri)?;
        map.serialize_entry(self.key, &self.items)?;
        map.serialize_entry("next_page_uri", &self.next_page_uri)?;
        map.serialize_entry("page", &self.page)?;
        map.serialize_entry("page_size", &self.page_size)?;
        map.serialize_entry("previous_page_uri", &self.previous_page_uri)?;
        map.serialize_entry("start", &start)?;
        map.serialize_entry("uri", &self.uri)?;
        map.end()
    }
}

/// A page of messages written straight into bytes, the same JSON as its `Serialize` form
/// (tested). serde_json checks every byte of every string for escapes one at a time, which was
/// most of the simulator's time serving a catch-up; here each string is checked in one pass that
/// the compiler vectorizes and copied whole when it needs no escape, as almost none do.
impl Envelope<MessageJson<'_>> {
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let (start, end) = self.bounds();
        let fields: [FieldWriter<'_>; 9] = [
            ("end", &|out| push_number(out, end)),
            ("first_page_uri", &|out| push_str(out, &self.first_page_uri)),
            (self.key, &|out| {
                out.push(b'[');
                for (i, item) in self.items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_json(out);
                }
                out.push(b']');
            }),
            ("next_page_uri", &|out| {
                push_opt_str(out, self.next_page_uri.as_deref())
            }),
            ("page", &|out| push_number(out, self.page)),
            ("page_size", &|out| push_number(out, self.page_size as u64)),
            ("previous_page_uri", &|out| {
                push_opt_str(out, self.previous_page_uri.as_deref())
            }),
            ("start", &|out| push_number(out, start)),
            ("uri", &|out| push_str(out, &self.uri)),
        ];
        write_object(out, &fields);
    }
}

/// A field's key and how to write its value.
type FieldWriter<'a> = (&'static str, &'a dyn Fn(&mut Vec<u8>));

impl MessageJson<'_> {
    /// The message as its `Serialize` impl writes it, fields in the same order.
    fn write_json(&self, out: &mut Vec<u8>) {
        let fields: [FieldWriter<'_>; 20] = [
            ("account_sid", &|out| push_str(out, self.account_sid)),
            ("api_version", &|out| push_str(out, self.api_version)),
            ("body", &|out| push_str(out, self.body)),
            ("date_created", &|out| {
                push_str(out, self.date_created.as_str())
            }),
            ("date_sent", &|out| {
                push_opt_str(out, self.date_sent.as_ref().map(TwilioDate::as_str))
            }),
            ("date_updated", &|out| {
                push_str(out, self.date_updated.as_str())
            }),
            ("direction", &|out| push_str(out, self.direction)),
            ("error_code", &|out| match self.error_code {
                Some(code) => push_number(out, code),
                None => out.extend_from_slice(b"null"),
            }),
            ("error_message", &|out| {
                push_opt_str(out, self.error_message)
            }),
            ("from", &|out| push_str(out, self.from)),
            ("messaging_service_sid", &|out| {
                push_opt_str(out, self.messaging_service_sid)
            }),
            ("num_media", &|out| push_str(out, self.num_media)),
            ("num_segments", &|out| {
                out.push(b'"');
                push_number(out, self.num_segments.0);
                out.push(b'"');
            }),
            ("price", &|out| push_opt_str(out, self.price.as_deref())),
            ("price_unit", &|out| push_str(out, self.price_unit)),
            ("sid", &|out| push_str(out, self.sid)),
            ("status", &|out| push_str(out, self.status)),
            ("subresource_uris", &|out| {
                out.push(b'{');
                push_key(out, "media");
                self.subresource_uris.media.write_json(out);
                out.push(b',');
                push_key(out, "feedback");
                self.subresource_uris.feedback.write_json(out);
                out.push(b'}');
            }),
            ("to", &|out| push_str(out, self.to)),
            ("uri", &|out| self.uri.write_json(out)),
        ];
        write_object(out, &fields);
    }
}

fn write_object(out: &mut Vec<u8>, fields: &[FieldWriter<'_>]) {
    out.push(b'{');
    for (i, (key, write_value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_key(out, key);
        write_value(out);
    }
    out.push(b'}');
}

impl MessageUri<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        if needs_escape(self.account_sid) || needs_escape(self.sid) {
            return push_str(out, &self.to_string());
        }
        out.extend_from_slice(b"\"/");
        out.extend_from_slice(API_VERSION.as_bytes());
        out.extend_from_slice(b"/Accounts/");
        out.extend_from_slice(self.account_sid.as_bytes());
        out.extend_from_slice(b"/Messages/");
        out.extend_from_slice(self.sid.as_bytes());
        out.extend_from_slice(self.suffix.as_bytes());
        out.push(b'"');
    }
}

/// Whether serde_json would escape anything in `text` (control characters, quote, backslash).
fn needs_escape(text: &str) -> bool {
    // No early exit, so the loop vectorizes: strings here are short.
    text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

fn push_str(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text) {
        // serde_json's own escaping; writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

fn push_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_str(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn push_key(out: &mut Vec<u8>, key: &str) {
    push_str(out, key);
    out.push(b':');
}

fn push_number(out: &mut Vec<u8>, value: impl Into<u64>) {
    let mut value = value.into();
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    loop {
        first -= 1;
        digits[first] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[first..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{Direction, Outcome};

    #[test]
    fn message_has_every_spec_field() {
        let m = StoredMessage {
            sid: "SM00000000000000000000000000000001".into(),
            from: "+15555550100".into(),
            to: "+15551230000".into(),
            body: "hello".into(),
            direction: Direction::OutboundApi,
            created: 1_558_719_890_000,
            sort_date: 1_558_719_891_000,
            visible_at: 0,
            messaging_service_sid: None,
            num_segments: 1,
            outcome: Outcome::Delivered,
        };
        let queued = serde_json::to_value(message("AC1", &m, m.created)).unwrap();
        assert_eq!(queued["status"], "queued");
        assert_eq!(queued["date_sent"], serde_json::Value::Null);
        assert_eq!(queued["price"], serde_json::Value::Null);
        assert_eq!(queued["num_segments"], "1");
        assert_eq!(queued["date_created"], "Fri, 24 May 2019 17:44:50 +0000");
        let own = "/2010-04-01/Accounts/AC1/Messages/SM00000000000000000000000000000001";
        assert_eq!(queued["uri"], format!("{own}.json"));
        assert_eq!(
            queued["subresource_uris"]["media"],
            format!("{own}/Media.json")
        );
        assert_eq!(
            queued["subresource_uris"]["feedback"],
            format!("{own}/Feedback.json")
        );
        let keys: Vec<_> = queued.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 20);
        let done = serde_json::to_value(message("AC1", &m, m.created + 60_000)).unwrap();
        assert_eq!(done["status"], "delivered");
        assert_eq!(done["price"], "-0.00790");
        assert_eq!(done["date_updated"], "Fri, 24 May 2019 17:44:54 +0000");
    }

    /// The hand-written page is byte for byte what serde_json writes, for plain texts and for
    /// every kind of string that needs escaping.
    #[test]
    fn a_written_page_is_what_serde_json_writes() {
        let stored = |n: u32, body: &str, outcome: Outcome| StoredMessage {
            sid: format!("SM{n:032x}"),
            from: "+15555550100".into(),
            to: if n.is_multiple_of(2) {
                "+15551230000".into()
            } else {
                "+1555\"quoted\\".into()
            },
            body: body.into(),
            direction: if n.is_multiple_of(3) {
                Direction::Inbound
            } else {
                Direction::OutboundApi
            },
            created: 1_558_719_890_000 + i64::from(n) * 7_919,
            sort_date: 1_558_719_891_000 + i64::from(n) * 7_919,
            visible_at: 0,
            messaging_service_sid: n.is_multiple_of(4).then(|| format!("MG{n:032x}")),
            num_segments: n % 5,
            outcome,
        };
        let stored = [
            stored(1, "hello", Outcome::Delivered),
            stored(2, "line one\nline \"two\"\t\\ end", Outcome::Delivered),
            stored(
                3,
                "control \u{1} \u{1f} and DEL \u{7f}",
                Outcome::Failed(30007),
            ),
            stored(
                4,
                "caf\u{e9} \u{1f600} \u{2028} </script>",
                Outcome::Undelivered(30003),
            ),
            stored(5, "", Outcome::Delivered),
        ];
        for account_sid in ["AC1", "AC\"odd\\"] {
            for now in [stored[0].created, stored[0].created + 3_600_000] {
                let envelope = Envelope {
                    key: "messages",
                    items: stored
                        .iter()
                        .map(|m| message(account_sid, m, now))
                        .collect(),
                    page: 2,
                    page_size: 5,
                    uri: "/2010-04-01/Accounts/AC1/Messages.json?PageSize=5&Page=2".into(),
                    first_page_uri: "/2010-04-01/Accounts/AC1/Messages.json?PageSize=5".into(),
                    next_page_uri: None,
                    previous_page_uri: Some("/u?To=%2B1&\"x\"".into()),
                };
                let mut written = Vec::new();
                envelope.write_json(&mut written);
                let expected = serde_json::to_vec(&envelope).unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap()
                );
            }
        }
    }

    #[test]
    fn empty_page_envelope() {
        let envelope = Envelope::<u8> {
            key: "messages",
            items: vec![],
            page: 0,
            page_size: 50,
            uri: "/u".into(),
            first_page_uri: "/u".into(),
            next_page_uri: None,
            previous_page_uri: None,
        };
        let value = serde_json::to_value(&envelope).unwrap();
        assert_eq!(value["end"], 0);
        assert_eq!(value["start"], 0);
        assert_eq!(value.as_object().unwrap().len(), 9);
    }
}
