//! The outbox's rows: every text is written here (with its chat bubble) before any request.
//!
//! States: `queued` (waiting for its attempt time) → `sending` (claimed: a request may be in
//! flight; after a crash or an unanswered request it stays here until reconciled against
//! Twilio's list) → `submitted` (Twilio named it; its status then lives on the message row).
//! Or `held` (waiting for sending hours), `blocked` (opted out, never sent), `failed` (Twilio
//! refused it for good), `cancelled`.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use serde_json::json;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::messages::{ensure_patient_for, MessageRecord};
use super::{now_ms, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    Manual,
    Confirmation,
    Reminder,
    Bulk,
    AutoReply,
    Test,
}

impl OutboxKind {
    pub fn as_sql(self) -> &'static str {
        match self {
            OutboxKind::Manual => "manual",
            OutboxKind::Confirmation => "confirmation",
            OutboxKind::Reminder => "reminder",
            OutboxKind::Bulk => "bulk",
            OutboxKind::AutoReply => "auto_reply",
            OutboxKind::Test => "test",
        }
    }

    pub fn from_sql(value: &str) -> Self {
        match value {
            "confirmation" => OutboxKind::Confirmation,
            "reminder" => OutboxKind::Reminder,
            "bulk" => OutboxKind::Bulk,
            "auto_reply" => OutboxKind::AutoReply,
            "test" => OutboxKind::Test,
            _ => OutboxKind::Manual,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Submitted,
    Held,
    Blocked,
    Failed,
    Cancelled,
}

impl OutboxState {
    pub fn as_sql(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Submitted => "submitted",
            OutboxState::Held => "held",
            OutboxState::Blocked => "blocked",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    pub fn from_sql(value: &str) -> Self {
        match value {
            "sending" => OutboxState::Sending,
            "submitted" => OutboxState::Submitted,
            "held" => OutboxState::Held,
            "blocked" => OutboxState::Blocked,
            "failed" => OutboxState::Failed,
            "cancelled" => OutboxState::Cancelled,
            _ => OutboxState::Queued,
        }
    }
}

/// A text to queue. Already validated (number normalised, body checked) by the caller.
#[derive(Debug, Clone)]
pub struct NewOutboxText {
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub kind: OutboxKind,
    pub created_by: String,
    pub appointment_id: Option<i64>,
    /// Earliest moment to send (ms).
    pub not_before: i64,
    /// When set, a text with the same key already in the outbox makes this a no-op.
    pub once_key: Option<String>,
    /// Outside the sending window: held until `not_before`, with the reason shown on the bubble.
    pub hold_reason: Option<String>,
    /// A manual send outside the sending window: who allowed it and why.
    pub override_by: Option<String>,
    pub override_reason: Option<String>,
    /// One more audit entry to write with the text (e.g. `text.retried`), so the log never
    /// shows a text without the act that queued it; its detail gains the new `outbox_id`.
    pub audit_with: Option<(AuditAction, serde_json::Value)>,
}

/// Given a text's kind and the patient's zone (if on file): until when (ms) to hold it, and why.
pub type HoldPolicy<'a> = dyn Fn(OutboxKind, Option<&str>) -> Option<(i64, String)> + 'a;

/// What one claim did: the texts to send now, and how many it blocked or held instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    pub items: Vec<OutboxItem>,
    pub blocked: usize,
    pub held: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub message_id: i64,
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub kind: OutboxKind,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sending_since: Option<i64>,
    pub sid: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

const ITEM_COLUMNS: &str = "o.id, m.id, o.to_number, o.from_number, o.messaging_service_sid, \
     o.body, o.kind, o.state, o.attempts, o.next_attempt_at, o.sending_since, o.sid, \
     o.last_error, o.created_at";

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    let kind: String = row.get(6)?;
    let state: String = row.get(7)?;
    Ok(OutboxItem {
        id: row.get(0)?,
        message_id: row.get(1)?,
        to: row.get(2)?,
        from: row.get(3)?,
        messaging_service_sid: row.get(4)?,
        body: row.get(5)?,
        kind: OutboxKind::from_sql(&kind),
        state: OutboxState::from_sql(&state),
        attempts: row.get(8)?,
        next_attempt_at: row.get(9)?,
        sending_since: row.get(10)?,
        sid: row.get(11)?,
        last_error: row.get(12)?,
        created_at: row.get(13)?,
    })
}

impl Store {
    /// Stores a text and its chat bubble in one transaction; nothing has been sent yet.
    /// `None` when a text with the same `once_key` is already in the outbox.
    pub fn enqueue(&self, text: &NewOutboxText) -> Result<Option<OutboxItem>, StoreError> {
        let now = now_ms();
        let id = self.write(|tx| {
            let inserted = tx
                .execute(
                    "INSERT INTO outbox (to_number, from_number, messaging_service_sid, body, \
                     kind, state, next_attempt_at, appointment_id, created_by, created_at, \
                     updated_at, once_key, hold_reason, override_by, override_reason) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14) \
                     ON CONFLICT (once_key) DO NOTHING",
                    params![
                        text.to,
                        text.from,
                        text.messaging_service_sid,
                        text.body,
                        text.kind.as_sql(),
                        if text.hold_reason.is_some() {
                            "held"
                        } else {
                            "queued"
                        },
                        text.not_before,
                        text.appointment_id,
                        text.created_by,
                        now,
                        text.once_key,
                        text.hold_reason,
                        text.override_by,
                        text.override_reason
                    ],
                )
                .map_err(|e| self.err(e))?;
            if inserted == 0 {
                return Ok(None);
            }
            let id = tx.last_insert_rowid();
            let action = if text.kind == OutboxKind::AutoReply {
                AuditAction::AutoReplyQueued
            } else {
                AuditAction::TextQueued
            };
            append_audit(
                tx,
                &AuditEntry::new(
                    now,
                    text.created_by.as_str(),
                    action,
                    text.to.as_str(),
                    json!({
                        "outbox_id": id,
                        "kind": text.kind.as_sql(),
                        "held_until": text.hold_reason.as_ref().map(|_| text.not_before),
                        "appointment_id": text.appointment_id,
                    }),
                ),
            )
            .map_err(|e| self.err(e))?;
            if let Some((action, detail)) = &text.audit_with {
                let mut detail = detail.clone();
                if let Some(map) = detail.as_object_mut() {
                    map.insert("outbox_id".into(), json!(id));
                }
                append_audit(
                    tx,
                    &AuditEntry::new(
                        now,
                        text.created_by.as_str(),
                        *action,
                        text.to.as_str(),
                        detail,
                    ),
                )
                .map_err(|e| self.err(e))?;
            }
            if let (Some(by), Some(reason)) = (&text.override_by, &text.override_reason) {
                append_audit(
                    tx,
                    &AuditEntry::new(
                        now,
                        by.as_str(),
                        AuditAction::QuietHoursOverride,
                        text.to.as_str(),
                        json!({"outbox_id": id, "reason": reason}),
                    ),
                )
                .map_err(|e| self.err(e))?;
            }
            tx.execute(
                "INSERT INTO messages (outbox_id, direction, from_number, to_number, \
                 thread_phone, body, status, created_at, updated_at) \
                 VALUES (?1, 'outbound', ?2, ?3, ?3, ?4, 'pending', ?5, ?5)",
                params![
                    id,
                    text.from
                        .as_deref()
                        .or(text.messaging_service_sid.as_deref())
                        .unwrap_or(""),
                    text.to,
                    text.body,
                    now
                ],
            )
            .map_err(|e| self.err(e))?;
            let patient_id = ensure_patient_for(tx, &text.to).map_err(|e| self.err(e))?;
            // A reply by staff means they read the thread.
            let read_now = text.kind == OutboxKind::Manual;
            tx.execute(
                "INSERT INTO threads (phone, patient_id, last_at, last_body, last_direction, unread) \
                 VALUES (?1, ?2, ?3, ?4, 'outbound', 0) \
                 ON CONFLICT (phone) DO UPDATE SET last_at = max(threads.last_at, excluded.last_at), \
                   last_body = excluded.last_body, last_direction = 'outbound', \
                   unread = CASE WHEN ?5 THEN 0 ELSE threads.unread END",
                params![text.to, patient_id, now, text.body, read_now],
            )
            .map_err(|e| self.err(e))?;
            if read_now {
                tx.execute(
                    "UPDATE messages SET read_at = ?2 WHERE thread_phone = ?1 \
                     AND direction = 'inbound' AND read_at IS NULL",
                    params![text.to, now],
                )
                .map_err(|e| self.err(e))?;
            }
            Ok(Some(id))
        })?;
        match id {
            None => Ok(None),
            Some(id) => self
                .outbox_item(id)?
                .map(Some)
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("outbox text {id}"),
                }),
        }
    }

    pub fn outbox_item(&self, id: i64) -> Result<Option<OutboxItem>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM outbox o JOIN messages m ON m.outbox_id = o.id \
                     WHERE o.id = ?1"
                ),
                [id],
                item_from_row,
            )
            .optional()
        })
    }

    /// Texts whose request may have reached Twilio without an answer (or whose sender crashed):
    /// they must be looked up in Twilio's list before any retry.
    pub fn outbox_in_doubt(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM outbox o JOIN messages m ON m.outbox_id = o.id \
                 WHERE o.state = 'sending' ORDER BY o.id"
            ))?;
            let rows = stmt.query_map([], item_from_row)?;
            rows.collect()
        })
    }

    /// Claims up to `limit` due texts for sending. The claim is committed before any request
    /// leaves, so a crash after it leaves the text `sending` (reconciled), never `queued`
    /// (which could send it twice).
    ///
    /// The last checks happen here, in the claiming transaction, so nothing slips between check
    /// and send: a text to a number that has opted out since it was queued is blocked, and
    /// `hold` (given the kind and the patient's zone, if known) may hold it for quiet time.
    pub fn claim_due(
        &self,
        now: i64,
        limit: usize,
        hold: &HoldPolicy<'_>,
    ) -> Result<Claim, StoreError> {
        self.write(|tx| {
            let due: Vec<(i64, String, bool, Option<String>)> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT o.id, o.kind, \
                           (SELECT kind FROM opt_events e WHERE e.phone = o.to_number \
                            ORDER BY e.at DESC, e.id DESC LIMIT 1) IS 'opt_out', \
                           (SELECT p.time_zone FROM patient_phones pp \
                            JOIN patients p ON p.id = pp.patient_id WHERE pp.e164 = o.to_number) \
                         FROM outbox o \
                         WHERE o.state IN ('queued', 'held') AND o.next_attempt_at <= ?1 \
                         ORDER BY o.next_attempt_at, o.id LIMIT ?2",
                    )
                    .map_err(|e| self.err(e))?;
                let rows = stmt
                    .query_map(params![now, limit as i64], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })
                    .map_err(|e| self.err(e))?;
                rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
            };
            let mut claim = Claim {
                items: Vec::with_capacity(due.len()),
                ..Claim::default()
            };
            for (id, kind, opted_out, zone) in due {
                if opted_out {
                    set_state(
                        tx,
                        id,
                        "blocked",
                        None,
                        None,
                        Some("not sent: this number has opted out of texts (replied STOP)"),
                    )
                    .map_err(|e| self.err(e))?;
                    audit_outbox_state(tx, id, "blocked", None).map_err(|e| self.err(e))?;
                    claim.blocked += 1;
                    continue;
                }
                if let Some((until, reason)) = hold(OutboxKind::from_sql(&kind), zone.as_deref()) {
                    tx.execute(
                        "UPDATE outbox SET state = 'held', next_attempt_at = ?2, \
                         hold_reason = ?3, updated_at = ?4 WHERE id = ?1",
                        params![id, until, reason, now],
                    )
                    .map_err(|e| self.err(e))?;
                    claim.held += 1;
                    continue;
                }
                tx.execute(
                    "UPDATE outbox SET state = 'sending', sending_since = ?2, hold_reason = NULL, \
                     attempts = attempts + 1, updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )
                .map_err(|e| self.err(e))?;
                let item = tx
                    .query_row(
                        &format!(
                            "SELECT {ITEM_COLUMNS} FROM outbox o \
                             JOIN messages m ON m.outbox_id = o.id WHERE o.id = ?1"
                        ),
                        [id],
                        item_from_row,
                    )
                    .map_err(|e| self.err(e))?;
                claim.items.push(item);
            }
            Ok(claim)
        })
    }

    /// Twilio accepted the text: record its SID and status on the outbox row and the bubble.
    /// If the poller already stored that SID as a stranger's row (it saw the text in the list
    /// before we learnt the SID), that row is folded into ours.
    pub fn mark_submitted(&self, id: i64, message: &MessageRecord) -> Result<(), StoreError> {
        let now = now_ms();
        self.write(|tx| {
            let owner: Option<Option<i64>> = tx
                .query_row(
                    "SELECT outbox_id FROM messages WHERE sid = ?1",
                    [&message.sid],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            match owner {
                Some(Some(other)) if other != id => {
                    return Err(StoreError::Constraint {
                        kind: super::ConstraintKind::Unique,
                        message: format!(
                            "message {} already belongs to outbox text {other}",
                            message.sid
                        ),
                    })
                }
                Some(None) => {
                    tx.execute(
                        "DELETE FROM messages WHERE sid = ?1 AND outbox_id IS NULL",
                        [&message.sid],
                    )
                    .map_err(|e| self.err(e))?;
                }
                _ => {}
            }
            tx.execute(
                "UPDATE outbox SET state = 'submitted', sid = ?2, sending_since = NULL, \
                 last_error = NULL, last_error_code = NULL, updated_at = ?3 WHERE id = ?1",
                params![id, message.sid, now],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "UPDATE messages SET sid = ?2, status = ?3, error_code = ?4, error_message = ?5, \
                 num_segments = COALESCE(?6, num_segments), price = ?7, price_unit = ?8, \
                 sent_at = ?9, from_number = ?10, updated_at = ?11, created_at = ?12 \
                 WHERE outbox_id = ?1",
                params![
                    id,
                    message.sid,
                    message.status.as_str(),
                    message.error_code,
                    message.error_message,
                    message.num_segments,
                    message.price,
                    message.price_unit,
                    message.sent_at,
                    message.from,
                    now,
                    // Twilio's clock orders the thread, for our texts as for replies.
                    message.created_at
                ],
            )
            .map_err(|e| self.err(e))?;
            append_audit(
                tx,
                &AuditEntry::new(
                    now,
                    "system",
                    AuditAction::TextSent,
                    message.to.as_str(),
                    json!({"outbox_id": id, "sid": message.sid, "status": message.status.as_str()}),
                ),
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Not sent (or proven not to exist at Twilio): try again at `next_attempt_at`.
    pub fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: i64,
        error_code: Option<&str>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            set_state(
                tx,
                id,
                "queued",
                Some(next_attempt_at),
                error_code,
                Some(error),
            )
            .map_err(|e| self.err(e))
        })
    }

    /// Returns a claimed text to the queue without counting the attempt (e.g. the outbox
    /// paused for credentials before sending it).
    pub fn release_claim(&self, id: i64) -> Result<(), StoreError> {
        let now = now_ms();
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'queued', sending_since = NULL, \
                 attempts = max(attempts - 1, 0), updated_at = ?2 \
                 WHERE id = ?1 AND state = 'sending'",
                params![id, now],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Twilio refused the text for good: the bubble shows the reason.
    pub fn mark_failed(&self, id: i64, code: Option<i64>, error: &str) -> Result<(), StoreError> {
        let code_text = code.map(|c| c.to_string());
        self.write(|tx| {
            set_state(tx, id, "failed", None, code_text.as_deref(), Some(error))
                .map_err(|e| self.err(e))?;
            audit_outbox_state(tx, id, "failed", code).map_err(|e| self.err(e))?;
            tx.execute(
                "UPDATE messages SET status = 'failed', error_code = ?2, error_message = ?3, \
                 updated_at = ?4 WHERE outbox_id = ?1",
                params![id, code, error, now_ms()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Never sent, on purpose (opted out): kept visible in the thread with the reason.
    pub fn mark_blocked(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            set_state(tx, id, "blocked", None, None, Some(reason)).map_err(|e| self.err(e))
        })
    }

    /// Texts waiting to go out (queued, sending or held): for the status bar and the poller's
    /// "reply expected" guess.
    pub fn outbox_pending_count(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'held')",
                [],
                |row| row.get(0),
            )
        })
    }

    /// The earliest moment a queued text becomes due, if any.
    pub fn next_outbox_attempt(&self) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'",
                [],
                |row| row.get(0),
            )
        })
    }

    /// SIDs already adopted by an outbox text other than `id`.
    pub fn sid_owned_by_other_outbox(&self, sid: &str, id: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT 1 FROM outbox WHERE sid = ?1 AND id != ?2",
                params![sid, id],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
        })
    }
}

/// Records a text that ended without reaching the patient (failed, blocked).
fn audit_outbox_state(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    state: &str,
    error_code: Option<i64>,
) -> rusqlite::Result<()> {
    let to: String = tx.query_row("SELECT to_number FROM outbox WHERE id = ?1", [id], |row| {
        row.get(0)
    })?;
    append_audit(
        tx,
        &AuditEntry::new(
            now_ms(),
            "system",
            AuditAction::TextStatus,
            to,
            json!({"outbox_id": id, "state": state, "error_code": error_code}),
        ),
    )?;
    Ok(())
}

fn set_state(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    state: &str,
    next_attempt_at: Option<i64>,
    error_code: Option<&str>,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE outbox SET state = ?2, next_attempt_at = COALESCE(?3, next_attempt_at), \
         sending_since = NULL, last_error_code = ?4, last_error = ?5, updated_at = ?6 \
         WHERE id = ?1",
        params![id, state, next_attempt_at, error_code, error, now_ms()],
    )?;
    Ok(())
}
