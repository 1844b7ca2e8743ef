//! Turning Twilio's message JSON into store records. A message missing what we cannot do
//! without (SID, numbers, a readable creation date) is reported, never silently dropped.

use crate::store::messages::MessageRecord;
use crate::store::threads::Direction;
use crate::twilio::types::TwilioMessage;
use crate::twilio::MessageStatus;

pub fn record_from_twilio(message: &TwilioMessage) -> Result<MessageRecord, String> {
    if message.sid.is_empty() {
        return Err("message without a sid".to_string());
    }
    let from = message
        .from
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{}: no 'from' number", message.sid))?;
    let to = message
        .to
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{}: no 'to' number", message.sid))?;
    let created_at = message
        .created_at()
        .ok_or_else(|| format!("{}: unreadable date_created", message.sid))?
        .timestamp_millis();
    let status = message
        .status
        .as_deref()
        .map(MessageStatus::parse)
        .unwrap_or(MessageStatus::Unknown);
    if status == MessageStatus::Unknown {
        tracing::warn!(
            sid = %message.sid,
            status = message.status.as_deref().unwrap_or(""),
            "unknown message status; stored as unknown and re-fetched"
        );
    }
    Ok(MessageRecord {
        sid: message.sid.clone(),
        direction: if message.is_inbound() {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        from,
        to,
        body: message.body.clone().unwrap_or_default(),
        status,
        error_code: message.error_code,
        error_message: message.error_message.clone(),
        num_segments: message.segments(),
        price: message.price.clone(),
        price_unit: message.price_unit.clone(),
        created_at,
        sent_at: message.sent_at().map(|d| d.timestamp_millis()),
    })
}

/// The moment Twilio sorts the list by: date sent, else date created.
pub fn sort_at(record: &MessageRecord) -> i64 {
    record.sent_at.unwrap_or(record.created_at)
}
