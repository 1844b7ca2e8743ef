//! Turning Twilio's message JSON into store records. A message missing what we cannot do
//! without (SID, numbers, a readable creation date) is reported, never silently dropped.

use crate::store::messages::MessageRecord;
use crate::store::threads::Direction;
use crate::twilio::types::{Status, TwilioMessage};
use crate::twilio::MessageStatus;

/// Takes the message apart rather than copying it: a back-fill reads tens of thousands.
pub fn record_from_twilio(message: TwilioMessage) -> Result<MessageRecord, String> {
    if message.sid.is_empty() {
        return Err("message without a sid".to_string());
    }
    let created_at = message
        .created_at
        .ok_or_else(|| format!("{}: unreadable date_created", message.sid))?
        .timestamp_millis();
    let sent_at = message.sent_at.map(|d| d.timestamp_millis());
    let direction = if message.inbound {
        Direction::Inbound
    } else {
        Direction::Outbound
    };
    let status = match &message.status {
        Some(Status::Known(status)) => *status,
        unknown => {
            let spelling = match unknown {
                Some(Status::Unrecognised(spelling)) => spelling.as_str(),
                _ => "",
            };
            tracing::warn!(
                sid = %message.sid,
                status = spelling,
                "unknown message status; stored as unknown and re-fetched"
            );
            MessageStatus::Unknown
        }
    };
    let TwilioMessage {
        sid,
        from,
        to,
        body,
        segments: num_segments,
        error_code,
        error_message,
        price,
        price_unit,
        ..
    } = message;
    let from = from
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{sid}: no 'from' number"))?;
    let to = to
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{sid}: no 'to' number"))?;
    Ok(MessageRecord {
        sid,
        direction,
        from,
        to,
        body: body.unwrap_or_default(),
        status,
        error_code,
        error_message,
        num_segments,
        price,
        price_unit,
        created_at,
        sent_at,
    })
}

/// The moment Twilio sorts the list by: date sent, else date created.
pub fn sort_at(record: &MessageRecord) -> i64 {
    record.sent_at.unwrap_or(record.created_at)
}
