//! Opt-in/out events per number. The newest event is the number's state; events derived from
//! the same inbound message are unique, so every workstation reading the same Twilio history
//! records the same events.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::{now_ms, Store, StoreError};

/// When to record an opt-out learnt from Twilio refusing a send (21610) at `now_ms`: just before
/// the start of that second. Twilio dates a patient's texts to the whole second, and a 21610
/// means Twilio had seen no START before the send; so a START stamped in the same second came
/// after it and must win, which it does only if the opt-out sorts earlier.
pub fn refused_send_stamp(now_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(1000) - 1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKind {
    OptOut,
    OptIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub enum OptSource {
    #[serde(rename = "keyword")]
    Keyword,
    #[serde(rename = "twilio_21610")]
    Twilio21610,
    #[serde(rename = "staff")]
    Staff,
}

impl OptSource {
    pub fn as_sql(self) -> &'static str {
        match self {
            OptSource::Keyword => "keyword",
            OptSource::Twilio21610 => "twilio_21610",
            OptSource::Staff => "staff",
        }
    }

    fn from_sql(value: &str) -> Self {
        match value {
            "keyword" => OptSource::Keyword,
            "twilio_21610" => OptSource::Twilio21610,
            _ => OptSource::Staff,
        }
    }
}

/// Whether a number may be texted, by its latest event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OptStatus {
    OptedOut,
    OptedIn,
}

/// A number's current state and the event that set it (the evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OptState {
    pub phone: String,
    pub state: OptStatus,
    pub keyword: Option<String>,
    /// The SID of the message that carried the keyword or got the 21610.
    pub sid: Option<String>,
    /// Epoch milliseconds of the event.
    pub at: i64,
    pub source: OptSource,
}

#[derive(Debug, Clone)]
pub struct OptEvent {
    pub phone: String,
    pub kind: OptKind,
    pub source: OptSource,
    pub keyword: Option<String>,
    pub message_sid: Option<String>,
    pub at: i64,
    pub actor: String,
}

impl Store {
    /// Records an event; returns false when the same message already produced it.
    pub fn record_opt_event(&self, event: &OptEvent) -> Result<bool, StoreError> {
        self.write(|tx| insert_opt_event(tx, event).map_err(|e| self.err(e)))
    }

    pub fn is_opted_out(&self, phone: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT kind FROM opt_events WHERE phone = ?1 ORDER BY at DESC, id DESC LIMIT 1",
                [phone],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map(|kind| kind.as_deref() == Some("opt_out"))
        })
    }

    /// Every number that ever opted out or in, with its latest event, newest first.
    pub fn opt_states(&self) -> Result<Vec<OptState>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT phone, kind, keyword, message_sid, at, source FROM (                    SELECT *, ROW_NUMBER() OVER (PARTITION BY phone ORDER BY at DESC, id DESC) AS n                    FROM opt_events)                  WHERE n = 1 ORDER BY at DESC, phone",
            )?;
            let rows = stmt.query_map([], |row| {
                let kind: String = row.get(1)?;
                let source: String = row.get(5)?;
                Ok(OptState {
                    phone: row.get(0)?,
                    state: if kind == "opt_out" {
                        OptStatus::OptedOut
                    } else {
                        OptStatus::OptedIn
                    },
                    keyword: row.get(2)?,
                    sid: row.get(3)?,
                    at: row.get(4)?,
                    source: OptSource::from_sql(&source),
                })
            })?;
            rows.collect()
        })
    }
}

/// Records an event inside the caller's transaction (ingest records a keyword's opt-out with its
/// message); false when the same message already produced it.
pub(crate) fn insert_opt_event(tx: &Transaction<'_>, event: &OptEvent) -> rusqlite::Result<bool> {
    let kind = match event.kind {
        OptKind::OptOut => "opt_out",
        OptKind::OptIn => "opt_in",
    };
    let source = event.source.as_sql();
    let changed = tx
        .prepare_cached(
            "INSERT INTO opt_events (phone, kind, source, keyword, message_sid, at, actor) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (message_sid, kind) DO NOTHING",
        )?
        .execute(params![
            event.phone,
            kind,
            source,
            event.keyword,
            event.message_sid,
            event.at,
            event.actor
        ])?;
    if changed > 0 {
        let action = match event.kind {
            OptKind::OptOut => AuditAction::OptOutRecorded,
            OptKind::OptIn => AuditAction::OptInRecorded,
        };
        let detail = serde_json::json!({
            "source": source,
            "keyword": event.keyword,
            "sid": event.message_sid,
            "event_at": event.at,
        });
        append_audit(
            tx,
            &AuditEntry::new(now_ms(), &event.actor, action, &event.phone, detail),
        )?;
    }
    Ok(changed > 0)
}
