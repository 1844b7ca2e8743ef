//! Opt-in/out events per number. The newest event is the number's state; events derived from
//! the same inbound message are unique, so every workstation reading the same Twilio history
//! records the same events.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKind {
    OptOut,
    OptIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptSource {
    Keyword,
    Twilio21610,
    Staff,
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
}

/// Records an event inside the caller's transaction (ingest records a keyword's opt-out with its
/// message); false when the same message already produced it.
pub(crate) fn insert_opt_event(tx: &Transaction<'_>, event: &OptEvent) -> rusqlite::Result<bool> {
    let kind = match event.kind {
        OptKind::OptOut => "opt_out",
        OptKind::OptIn => "opt_in",
    };
    let source = match event.source {
        OptSource::Keyword => "keyword",
        OptSource::Twilio21610 => "twilio_21610",
        OptSource::Staff => "staff",
    };
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
    Ok(changed > 0)
}
