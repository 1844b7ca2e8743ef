//! Patients' texts that ask something of the clinic, and the appointment an answer refers to.

use rusqlite::{params, OptionalExtension};

use serde_json::json;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::flags::{insert_flag, FlagReason};
use super::{now_ms, Store, StoreError};

/// A stored patient text still to be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    pub message_id: i64,
    pub sid: String,
    pub phone: String,
    pub action: String,
    pub created_at: i64,
}

/// Which appointment an answer (C, R, X) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyTarget {
    /// This appointment, as scheduled at `schedule_rev` when the answer was read.
    Appointment { id: i64, schedule_rev: i64 },
    /// Several upcoming appointments and nothing says which: staff decide.
    Ambiguous,
    /// No upcoming appointment: the text is just a message.
    Nothing,
}

/// What acting on one patient's text decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionOutcome {
    /// Nothing (more) to do: an old HELP, an answer with no appointment ahead.
    Done,
    /// Staff decide.
    Flagged(FlagReason),
    /// The answer applies to this appointment, as scheduled at `schedule_rev`.
    Answered {
        appointment_id: i64,
        schedule_rev: i64,
        effect: AnswerEffect,
    },
}

/// What writing a cycle's outcomes did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    /// Numbers to tell the UI about: every text flagged for staff, and answers whose flag is new.
    pub flagged: Vec<String>,
    pub appointments_changed: bool,
    /// Answers whose appointment changed since they were read, left for the next cycle.
    pub left_pending: usize,
}

/// What an answer does to its appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerEffect {
    Confirmed,
    RescheduleRequested,
    CancelRequested,
}

impl AnswerEffect {
    fn confirmation(self) -> &'static str {
        match self {
            AnswerEffect::Confirmed => "confirmed",
            AnswerEffect::RescheduleRequested => "reschedule_requested",
            AnswerEffect::CancelRequested => "cancel_requested",
        }
    }

    fn flag(self) -> Option<FlagReason> {
        match self {
            AnswerEffect::Confirmed => None,
            AnswerEffect::RescheduleRequested => Some(FlagReason::RescheduleRequested),
            AnswerEffect::CancelRequested => Some(FlagReason::CancelRequested),
        }
    }
}

impl Store {
    pub fn pending_actions(&self, limit: usize) -> Result<Vec<PendingAction>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT m.id, m.sid, m.thread_phone, p.action, m.created_at \
                 FROM pending_actions p JOIN messages m ON m.id = p.message_id \
                 ORDER BY p.message_id LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit as i64], |row| {
                Ok(PendingAction {
                    message_id: row.get(0)?,
                    sid: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    phone: row.get(2)?,
                    action: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    /// The appointment a patient's answer sent at `sent_at` refers to: among their booked
    /// appointments still ahead at `now`, the one whose confirmation or reminder went to this
    /// number most recently before the answer; with no such text, their only upcoming
    /// appointment booked before the answer. Anything else is ambiguous.
    pub fn reply_target(
        &self,
        phone: &str,
        sent_at: i64,
        now: i64,
    ) -> Result<ReplyTarget, StoreError> {
        self.read(|conn| {
            let upcoming: Vec<(i64, i64, i64)> = conn
                .prepare_cached(
                    "SELECT a.id, a.created_at, a.schedule_rev FROM appointments a \
                     JOIN patient_phones pp ON pp.patient_id = a.patient_id \
                     WHERE pp.e164 = ?1 AND a.status = 'booked' AND a.starts_at > ?2",
                )?
                .query_map(params![phone, now], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            if upcoming.is_empty() {
                return Ok(ReplyTarget::Nothing);
            }
            let recent: Vec<(i64, i64, i64)> = conn
                .prepare_cached(
                    "SELECT o.appointment_id, o.created_at, a.schedule_rev FROM outbox o \
                     JOIN appointments a ON a.id = o.appointment_id \
                     WHERE o.to_number = ?1 AND o.kind IN ('confirmation', 'reminder') \
                       AND o.state IN ('sending', 'submitted') AND o.created_at <= ?2 \
                       AND a.status = 'booked' AND a.starts_at > ?3 \
                     ORDER BY o.created_at DESC, o.id DESC LIMIT 2",
                )?
                .query_map(params![phone, sent_at, now], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            Ok(match recent.as_slice() {
                [(first, at, _), (second, second_at, _), ..]
                    if at == second_at && first != second =>
                {
                    ReplyTarget::Ambiguous
                }
                [(id, _, schedule_rev), ..] => ReplyTarget::Appointment {
                    id: *id,
                    schedule_rev: *schedule_rev,
                },
                [] => {
                    let booked_before: Vec<(i64, i64)> = upcoming
                        .iter()
                        .filter(|(_, created_at, _)| *created_at <= sent_at)
                        .map(|(id, _, schedule_rev)| (*id, *schedule_rev))
                        .collect();
                    match booked_before.as_slice() {
                        [(id, schedule_rev)] => ReplyTarget::Appointment {
                            id: *id,
                            schedule_rev: *schedule_rev,
                        },
                        [] => ReplyTarget::Nothing,
                        _ => ReplyTarget::Ambiguous,
                    }
                }
            })
        })
    }

    /// Applies what acting on a cycle's patient texts decided, in one transaction, and clears
    /// their pending marks. An answer whose appointment was cancelled or moved since it was read
    /// is left pending, to be looked at again against the appointment as it now is.
    pub fn settle_actions(
        &self,
        decided: &[(PendingAction, ActionOutcome)],
    ) -> Result<Settled, StoreError> {
        let mut settled = Settled::default();
        if decided.is_empty() {
            return Ok(settled);
        }
        let now = now_ms();
        self.write(|tx| {
            let mut done = Vec::with_capacity(decided.len());
            for (action, outcome) in decided {
                let result = settle(tx, action, *outcome, now).map_err(|e| self.err(e))?;
                match result {
                    SettledText::LookAgain => {
                        settled.left_pending += 1;
                        continue;
                    }
                    SettledText::Done { flagged } => {
                        if flagged {
                            settled.flagged.push(action.phone.clone());
                        }
                        if matches!(outcome, ActionOutcome::Answered { .. }) {
                            settled.appointments_changed = true;
                        }
                    }
                }
                done.push(action.message_id);
            }
            clear_pending(tx, &done).map_err(|e| self.err(e))?;
            Ok(())
        })?;
        Ok(settled)
    }

    /// Whether any appointment is booked after `now`: without one, no patient's answer can be
    /// about an appointment, and acting on a catch-up's answers need not look for one each.
    pub fn any_booked_appointment_ahead(&self, now: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM appointments \
                 WHERE status = 'booked' AND starts_at > ?1)",
                [now],
                |row| row.get(0),
            )
        })
    }

    /// The confirmation state of an appointment (tests and the CLI).
    pub fn appointment_confirmation(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT confirmation FROM appointments WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()
        })
    }
}

/// What writing one text's outcome did.
enum SettledText {
    /// Written; `flagged` when the UI should hear of a flag on its number.
    Done { flagged: bool },
    /// The appointment changed since the answer was read: nothing written.
    LookAgain,
}

fn settle(
    tx: &rusqlite::Transaction<'_>,
    action: &PendingAction,
    outcome: ActionOutcome,
    now: i64,
) -> rusqlite::Result<SettledText> {
    let flagged = match outcome {
        ActionOutcome::Done => false,
        ActionOutcome::Flagged(reason) => {
            insert_flag(
                tx,
                &action.phone,
                action.message_id,
                reason,
                None,
                action.created_at,
            )?;
            true
        }
        ActionOutcome::Answered {
            appointment_id,
            schedule_rev,
            effect,
        } => {
            let applied = tx
                .prepare_cached(
                    "UPDATE appointments SET confirmation = ?2, updated_at = ?3 \
                     WHERE id = ?1 AND status = 'booked' AND schedule_rev = ?4",
                )?
                .execute(params![
                    appointment_id,
                    effect.confirmation(),
                    now,
                    schedule_rev
                ])?;
            if applied == 0 {
                return Ok(SettledText::LookAgain);
            }
            append_audit(
                tx,
                &AuditEntry::new(
                    now,
                    "patient",
                    AuditAction::AppointmentConfirmation,
                    action.phone.as_str(),
                    json!({"appointment_id": appointment_id, "confirmation": effect.confirmation(),
                           "sid": action.sid}),
                ),
            )?;
            match effect.flag() {
                Some(reason) => insert_flag(
                    tx,
                    &action.phone,
                    action.message_id,
                    reason,
                    Some(appointment_id),
                    action.created_at,
                )?,
                None => false,
            }
        }
    };
    Ok(SettledText::Done { flagged })
}

/// Clears the pending marks of the texts acted on, in one statement: a catch-up can bring
/// thousands of old answers, and one statement each was a tenth of acting on them.
fn clear_pending(tx: &rusqlite::Transaction<'_>, message_ids: &[i64]) -> rusqlite::Result<()> {
    if message_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::Value::from(message_ids).to_string();
    tx.prepare_cached(
        "DELETE FROM pending_actions WHERE message_id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([ids])?;
    Ok(())
}
