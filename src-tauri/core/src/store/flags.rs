//! Texts staff must look at: an opt-out in plain words to confirm, a reschedule or cancellation
//! request, an answer that could mean more than one appointment. A thread is flagged while any
//! of its flags is open.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use serde_json::json;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::optouts::{insert_opt_event, OptEvent, OptKind, OptSource};
use super::{now_ms, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    PlainWordsOptOut,
    RescheduleRequested,
    CancelRequested,
    AmbiguousReply,
}

impl FlagReason {
    pub fn as_sql(self) -> &'static str {
        match self {
            FlagReason::PlainWordsOptOut => "plain_words_opt_out",
            FlagReason::RescheduleRequested => "reschedule_requested",
            FlagReason::CancelRequested => "cancel_requested",
            FlagReason::AmbiguousReply => "ambiguous_reply",
        }
    }

    pub(crate) fn from_sql(value: &str) -> Self {
        match value {
            "reschedule_requested" => FlagReason::RescheduleRequested,
            "cancel_requested" => FlagReason::CancelRequested,
            "ambiguous_reply" => FlagReason::AmbiguousReply,
            _ => FlagReason::PlainWordsOptOut,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FlagResolution {
    /// Staff confirmed the patient meant to opt out; the opt-out is recorded.
    OptedOut,
    /// Not an opt-out / nothing to do.
    Dismissed,
    /// Staff handled the request (rescheduled, cancelled, picked the appointment).
    Done,
}

impl FlagResolution {
    fn as_sql(self) -> &'static str {
        match self {
            FlagResolution::OptedOut => "opted_out",
            FlagResolution::Dismissed => "dismissed",
            FlagResolution::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StaffFlag {
    pub id: i64,
    pub phone: String,
    pub message_id: i64,
    pub message_sid: Option<String>,
    /// The patient's words, shown beside the flag.
    pub body: String,
    pub reason: FlagReason,
    pub appointment_id: Option<i64>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
}

/// Opens a flag (once per message and reason) and marks the thread flagged.
pub(crate) fn insert_flag(
    tx: &Transaction<'_>,
    phone: &str,
    message_id: i64,
    reason: FlagReason,
    appointment_id: Option<i64>,
    at: i64,
) -> rusqlite::Result<bool> {
    let inserted =
        tx.prepare_cached(
            "INSERT INTO staff_flags (phone, message_id, reason, appointment_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (message_id, reason) DO NOTHING",
        )?
        .execute(params![
            phone,
            message_id,
            reason.as_sql(),
            appointment_id,
            at
        ])? > 0;
    tx.prepare_cached("UPDATE threads SET flagged = 1 WHERE phone = ?1")?
        .execute([phone])?;
    if inserted && reason == FlagReason::PlainWordsOptOut {
        append_audit(
            tx,
            &AuditEntry::new(
                now_ms(),
                "system",
                AuditAction::OptOutFlagged,
                phone,
                json!({"message_id": message_id}),
            ),
        )?;
    }
    Ok(inserted)
}

impl Store {
    /// Open flags (or all, newest first), optionally for one number.
    pub fn staff_flags(
        &self,
        phone: Option<&str>,
        include_resolved: bool,
    ) -> Result<Vec<StaffFlag>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT f.id, f.phone, f.message_id, m.sid, m.body, f.reason, f.appointment_id, \
                        f.created_at, f.resolved_at, f.resolved_by \
                 FROM staff_flags f JOIN messages m ON m.id = f.message_id \
                 WHERE (?1 IS NULL OR f.phone = ?1) AND (?2 OR f.resolved_at IS NULL) \
                 ORDER BY f.created_at DESC, f.id DESC",
            )?;
            let rows = stmt.query_map(params![phone, include_resolved], |row| {
                let reason: String = row.get(5)?;
                Ok(StaffFlag {
                    id: row.get(0)?,
                    phone: row.get(1)?,
                    message_id: row.get(2)?,
                    message_sid: row.get(3)?,
                    body: row.get(4)?,
                    reason: FlagReason::from_sql(&reason),
                    appointment_id: row.get(6)?,
                    created_at: row.get(7)?,
                    resolved_at: row.get(8)?,
                    resolved_by: row.get(9)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Closes a flag. Confirming a plain-words opt-out records the opt-out (source: staff, with
    /// the patient's message as evidence) in the same transaction. Returns the flag's phone.
    pub fn resolve_flag(
        &self,
        id: i64,
        resolution: FlagResolution,
        actor: &str,
    ) -> Result<String, StoreError> {
        let now = now_ms();
        self.write(|tx| {
            let flag: Option<(String, String, Option<String>, Option<i64>)> = tx
                .query_row(
                    "SELECT f.phone, f.reason, m.sid, f.resolved_at FROM staff_flags f \
                     JOIN messages m ON m.id = f.message_id WHERE f.id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((phone, reason, sid, resolved_at)) = flag else {
                return Err(StoreError::NotFound {
                    what: format!("flag {id}"),
                });
            };
            if resolved_at.is_some() {
                return Err(StoreError::Constraint {
                    kind: super::ConstraintKind::Check,
                    message: format!("flag {id} was already resolved"),
                });
            }
            if resolution == FlagResolution::OptedOut {
                if FlagReason::from_sql(&reason) != FlagReason::PlainWordsOptOut {
                    return Err(StoreError::Constraint {
                        kind: super::ConstraintKind::Check,
                        message: format!(
                            "flag {id} is not an opt-out; resolve it as done or dismissed"
                        ),
                    });
                }
                insert_opt_event(
                    tx,
                    &OptEvent {
                        phone: phone.clone(),
                        kind: OptKind::OptOut,
                        source: OptSource::Staff,
                        keyword: None,
                        message_sid: sid,
                        at: now,
                        actor: actor.to_string(),
                    },
                )
                .map_err(|e| self.err(e))?;
            }
            if resolution == FlagResolution::OptedOut {
                append_audit(
                    tx,
                    &AuditEntry::new(
                        now,
                        actor,
                        AuditAction::OptOutConfirmed,
                        phone.as_str(),
                        json!({"flag_id": id}),
                    ),
                )
                .map_err(|e| self.err(e))?;
            }
            tx.execute(
                "UPDATE staff_flags SET resolved_at = ?2, resolved_by = ?3, resolution = ?4 \
                 WHERE id = ?1",
                params![id, now, actor, resolution.as_sql()],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "UPDATE threads SET flagged = EXISTS (SELECT 1 FROM staff_flags \
                 WHERE phone = ?1 AND resolved_at IS NULL) WHERE phone = ?1",
                [&phone],
            )
            .map_err(|e| self.err(e))?;
            Ok(phone)
        })
    }
}
