//! Twilio message statuses and their order. A status never moves backwards: polls and fetches
//! can arrive out of order, so every update is applied only if it ranks higher.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Ours, stored, not yet handed to Twilio.
    Pending,
    Accepted,
    Scheduled,
    Queued,
    Sending,
    Sent,
    Receiving,
    Received,
    Delivered,
    Undelivered,
    Failed,
    Read,
    Canceled,
    PartiallyDelivered,
    /// A status string this version does not know; kept as not-final so it is re-fetched.
    Unknown,
}

impl MessageStatus {
    pub fn parse(value: &str) -> Self {
        match value {
            "accepted" => Self::Accepted,
            "scheduled" => Self::Scheduled,
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "receiving" => Self::Receiving,
            "received" => Self::Received,
            "delivered" => Self::Delivered,
            "undelivered" => Self::Undelivered,
            "failed" => Self::Failed,
            "read" => Self::Read,
            "canceled" => Self::Canceled,
            "partially_delivered" => Self::PartiallyDelivered,
            "pending" => Self::Pending,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Scheduled => "scheduled",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Receiving => "receiving",
            Self::Received => "received",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Read => "read",
            Self::Canceled => "canceled",
            Self::PartiallyDelivered => "partially_delivered",
            Self::Unknown => "unknown",
        }
    }

    /// Position in the lifecycle; updates apply only upwards.
    pub fn rank(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Pending => 1,
            Self::Accepted | Self::Scheduled => 2,
            Self::Queued => 3,
            Self::Sending => 4,
            Self::Sent | Self::Receiving => 5,
            Self::Delivered
            | Self::Undelivered
            | Self::Failed
            | Self::Received
            | Self::Canceled
            | Self::PartiallyDelivered => 6,
            Self::Read => 7,
        }
    }

    /// No further change is expected (`sent` can stay final without a carrier receipt, but
    /// is still refreshed until the cut-off in case one arrives).
    pub fn is_final(self) -> bool {
        self.rank() >= 6
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Self::Undelivered | Self::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_ranks_upwards_and_unknown_is_not_final() {
        let order = ["queued", "sending", "sent", "delivered"].map(MessageStatus::parse);
        assert!(order.windows(2).all(|w| w[0].rank() < w[1].rank()));
        assert!(!MessageStatus::parse("on_the_moon").is_final());
        assert_eq!(MessageStatus::parse("on_the_moon"), MessageStatus::Unknown);
        assert!(MessageStatus::Undelivered.is_final());
        assert!(MessageStatus::Failed.is_failure());
    }
}
