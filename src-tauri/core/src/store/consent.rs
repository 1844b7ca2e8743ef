//! Consent events per number: who recorded that a patient agreed to texts, or withdrew, and how.
//! Checking and normalising the input is `compliance::consent`'s job; this file moves rows.

use rusqlite::{params, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::audit::{append_audit, AuditEntry};
use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    Granted,
    Revoked,
}

impl ConsentKind {
    pub fn as_sql(self) -> &'static str {
        match self {
            ConsentKind::Granted => "granted",
            ConsentKind::Revoked => "revoked",
        }
    }

    fn from_sql(value: &str) -> Self {
        if value == "granted" {
            ConsentKind::Granted
        } else {
            ConsentKind::Revoked
        }
    }
}

/// How the patient gave or withdrew consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// A signed intake or consent form.
    Form,
    /// Said so to staff (in person or by phone).
    Verbal,
    /// Said so in a text.
    Text,
}

impl ConsentMethod {
    pub fn as_sql(self) -> &'static str {
        match self {
            ConsentMethod::Form => "form",
            ConsentMethod::Verbal => "verbal",
            ConsentMethod::Text => "text",
        }
    }

    fn from_sql(value: &str) -> Self {
        match value {
            "form" => ConsentMethod::Form,
            "verbal" => ConsentMethod::Verbal,
            _ => ConsentMethod::Text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentEvent {
    pub id: i64,
    /// E.164.
    pub phone: String,
    pub kind: ConsentKind,
    pub method: ConsentMethod,
    /// Who recorded it.
    pub actor: String,
    pub note: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// A consent event ready to store: already checked and normalised.
#[derive(Debug, Clone)]
pub struct NewConsentEvent {
    pub phone: String,
    pub kind: ConsentKind,
    pub method: ConsentMethod,
    pub actor: String,
    pub note: String,
    pub at: i64,
}

impl Store {
    /// Stores the event and its audit entry together; `audit` builds the entry from the new
    /// event's id, so the log names the row it is about.
    pub fn insert_consent_event(
        &self,
        event: &NewConsentEvent,
        audit: impl FnOnce(i64) -> AuditEntry,
    ) -> Result<ConsentEvent, StoreError> {
        self.write(|tx| insert(tx, event, audit).map_err(|e| self.err(e)))
    }

    /// Events newest first, of one number or of all.
    pub fn consent_events(&self, phone: Option<&str>) -> Result<Vec<ConsentEvent>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, phone, kind, method, actor, note, at FROM consent_events \
                 WHERE ?1 IS NULL OR phone = ?1 ORDER BY at DESC, id DESC",
            )?;
            let rows = stmt.query_map([phone], from_row)?;
            rows.collect()
        })
    }
}

fn insert(
    tx: &Transaction<'_>,
    event: &NewConsentEvent,
    audit: impl FnOnce(i64) -> AuditEntry,
) -> rusqlite::Result<ConsentEvent> {
    tx.execute(
        "INSERT INTO consent_events (phone, kind, method, actor, note, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            event.phone,
            event.kind.as_sql(),
            event.method.as_sql(),
            event.actor,
            event.note,
            event.at
        ],
    )?;
    let id = tx.last_insert_rowid();
    append_audit(tx, &audit(id))?;
    Ok(ConsentEvent {
        id,
        phone: event.phone.clone(),
        kind: event.kind,
        method: event.method,
        actor: event.actor.clone(),
        note: event.note.clone(),
        at: event.at,
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ConsentEvent> {
    let kind: String = row.get(2)?;
    let method: String = row.get(3)?;
    Ok(ConsentEvent {
        id: row.get(0)?,
        phone: row.get(1)?,
        kind: ConsentKind::from_sql(&kind),
        method: ConsentMethod::from_sql(&method),
        actor: row.get(4)?,
        note: row.get(5)?,
        at: row.get(6)?,
    })
}
