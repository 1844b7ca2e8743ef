//! The inbox: one thread per patient number, summarised for fast listing.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSummary {
    pub phone: String,
    pub patient_id: Option<i64>,
    pub patient_name: Option<String>,
    pub unread: u32,
    /// Milliseconds since the epoch, UTC.
    pub last_at: i64,
    pub last_body: String,
    pub last_direction: Direction,
    /// A text in it waits for staff (plain-words opt-out, reschedule or cancel request, ...).
    pub flagged: bool,
    /// The number has opted out of texts.
    pub opted_out: bool,
}

impl Store {
    /// Unread replies across every conversation, for the tray badge.
    pub fn unread_total(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            let total: i64 =
                conn.query_row("SELECT COALESCE(SUM(unread), 0) FROM threads", [], |row| {
                    row.get(0)
                })?;
            Ok(u64::try_from(total).unwrap_or(0))
        })
    }

    /// Threads by last activity, newest first.
    pub fn list_threads(&self) -> Result<Vec<ThreadSummary>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT t.phone, t.patient_id, \
                        CASE WHEN p.id IS NULL OR p.is_stub = 1 THEN NULL \
                             ELSE trim(p.first_name || ' ' || p.last_name) END, \
                        t.unread, t.last_at, t.last_body, t.last_direction, t.flagged, \
                        (SELECT e.kind FROM opt_events e WHERE e.phone = t.phone \
                         ORDER BY e.at DESC, e.id DESC LIMIT 1) IS 'opt_out' \
                 FROM threads t LEFT JOIN patients p ON p.id = t.patient_id \
                 ORDER BY t.last_at DESC, t.phone",
            )?;
            let rows = stmt.query_map([], |row| {
                let direction: String = row.get(6)?;
                Ok(ThreadSummary {
                    phone: row.get(0)?,
                    patient_id: row.get(1)?,
                    patient_name: row.get(2)?,
                    unread: row.get(3)?,
                    last_at: row.get(4)?,
                    last_body: row.get(5)?,
                    last_direction: if direction == "inbound" {
                        Direction::Inbound
                    } else {
                        Direction::Outbound
                    },
                    flagged: row.get(7)?,
                    opted_out: row.get(8)?,
                })
            })?;
            rows.collect()
        })
    }
}

impl Store {
    /// The display name for a thread's number, if it belongs to a patient on file.
    pub fn patient_name_for(&self, phone: &str) -> Result<Option<String>, StoreError> {
        // Asked once per new reply: after a catch-up, for every reply of the last day.
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT trim(p.first_name || ' ' || p.last_name) FROM patient_phones ph \
                 JOIN patients p ON p.id = ph.patient_id WHERE ph.e164 = ?1 AND p.is_stub = 0",
            )?
            .query_row([phone], |row| row.get(0))
            .optional()
        })
    }

    /// When this workstation last texted anyone (ms), for the poller's "reply expected" guess.
    pub fn last_outbound_at(&self) -> Result<Option<i64>, StoreError> {
        self.read(|conn| conn.query_row("SELECT max(created_at) FROM outbox", [], |row| row.get(0)))
    }
}
