//! How a message's status moves with the clock, computed lazily at read time.
//!
//! A stored message never changes after it is created: its status, `date_sent`, `date_updated`,
//! price and error are a pure function of its creation time, its planned outcome and "now". That
//! keeps the store lock-free of timers, makes `/_sim/clock` instant, and lets the list index key
//! on a date that never moves.

use crate::clock::{Millis, SECOND};

/// Time from creation to each transition of an outbound text.
pub const QUEUED_AFTER: Millis = SECOND / 2;
pub const SENDING_AFTER: Millis = SECOND;
pub const SENT_AFTER: Millis = 2 * SECOND;
pub const FINAL_AFTER: Millis = 4 * SECOND;

/// Twilio's list price for one US SMS segment.
/// In hundred-thousandths of a dollar (0.0079), Twilio's price resolution.
const PRICE_PER_SEGMENT: u64 = 790;

/// How an accepted outbound text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Undelivered(u32),
    Failed(u32),
    /// The carrier never sends a receipt: the text stays `sent`.
    Sent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    OutboundApi,
    OutboundReply,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::OutboundApi => "outbound-api",
            Direction::OutboundReply => "outbound-reply",
        }
    }
}

/// Everything about a message that depends on the clock.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    pub status: &'static str,
    pub date_sent: Option<Millis>,
    pub date_updated: Millis,
    pub price: Option<String>,
    pub error_code: Option<u32>,
}

pub fn price(segments: u32) -> String {
    let price = PRICE_PER_SEGMENT * u64::from(segments.max(1));
    format!("-{}.{:05}", price / 100_000, price % 100_000)
}

pub fn error_message(code: u32) -> &'static str {
    match code {
        30001 => "Queue overflow",
        30002 => "Account suspended",
        30003 => "Unreachable destination handset",
        30004 => "Message blocked",
        30005 => "Unknown destination handset",
        30006 => "Landline or unreachable carrier",
        30007 => "Message filtered",
        30008 => "Unknown error",
        _ => "Message delivery failed",
    }
}

/// The date the list is sorted and filtered by: when the text was (or will be) sent.
pub fn sort_date(direction: Direction, created: Millis) -> Millis {
    match direction {
        Direction::Inbound => created,
        Direction::OutboundApi | Direction::OutboundReply => created + SENDING_AFTER,
    }
}

pub fn inbound_view(created: Millis, segments: u32) -> StatusView {
    StatusView {
        status: "received",
        date_sent: Some(created),
        date_updated: created,
        price: Some(price(segments)),
        error_code: None,
    }
}

pub fn outbound_view(
    created: Millis,
    via_service: bool,
    outcome: Outcome,
    segments: u32,
    now: Millis,
) -> StatusView {
    let age = now - created;
    let sent_at = created + SENDING_AFTER;
    let view = |status, updated_after: Millis, priced: bool, error_code| StatusView {
        status,
        date_sent: (age >= SENDING_AFTER).then_some(sent_at),
        date_updated: created + updated_after,
        price: priced.then(|| price(segments)),
        error_code,
    };
    if age < QUEUED_AFTER && via_service {
        return view("accepted", 0, false, None);
    }
    if age < SENDING_AFTER {
        return view(
            "queued",
            if via_service { QUEUED_AFTER } else { 0 },
            false,
            None,
        );
    }
    if age < SENT_AFTER {
        return view("sending", SENDING_AFTER, false, None);
    }
    if let Outcome::Failed(code) = outcome {
        return view("failed", SENT_AFTER, false, Some(code));
    }
    if age < FINAL_AFTER {
        return view("sent", SENT_AFTER, true, None);
    }
    match outcome {
        Outcome::Delivered => view("delivered", FINAL_AFTER, true, None),
        Outcome::Undelivered(code) => view("undelivered", FINAL_AFTER, true, Some(code)),
        Outcome::Sent | Outcome::Failed(_) => view("sent", SENT_AFTER, true, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_the_default_lifecycle() {
        let at = |ms| outbound_view(0, false, Outcome::Delivered, 1, ms);
        assert_eq!(at(0).status, "queued");
        assert_eq!(at(0).date_sent, None);
        assert_eq!(at(1_000).status, "sending");
        assert_eq!(at(1_000).date_sent, Some(1_000));
        assert_eq!(at(2_500).status, "sent");
        assert_eq!(at(2_500).price.as_deref(), Some("-0.00790"));
        let done = at(60_000);
        assert_eq!(done.status, "delivered");
        assert_eq!(done.date_updated, 4_000);
    }

    #[test]
    fn ends_as_planned() {
        let failed = outbound_view(0, false, Outcome::Failed(30007), 1, 10_000);
        assert_eq!((failed.status, failed.error_code), ("failed", Some(30007)));
        assert_eq!(failed.price, None);
        let undelivered = outbound_view(0, false, Outcome::Undelivered(30003), 2, 10_000);
        assert_eq!(undelivered.status, "undelivered");
        assert_eq!(undelivered.price.as_deref(), Some("-0.01580"));
        let no_receipt = outbound_view(0, false, Outcome::Sent, 1, 10_000);
        assert_eq!(
            (no_receipt.status, no_receipt.date_updated),
            ("sent", 2_000)
        );
    }

    #[test]
    fn messaging_service_starts_accepted() {
        assert_eq!(
            outbound_view(0, true, Outcome::Delivered, 1, 0).status,
            "accepted"
        );
        assert_eq!(
            outbound_view(0, true, Outcome::Delivered, 1, 600).status,
            "queued"
        );
    }
}
