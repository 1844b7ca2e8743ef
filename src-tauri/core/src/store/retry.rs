//! Sending a failed text again: under which key, and when it must be refused.
//!
//! The chat's advice and the retry itself both decide through `FailedText::refusal`, so a bubble
//! offers Retry exactly when a retry would queue a copy, and refuses it in the same words.

use rusqlite::{Connection, OptionalExtension};

use super::messages::{RetryAdvice, FAILED_SQL};
use super::outbox::OutboxKind;
use super::{Store, StoreError};
use crate::appointments::texts::key_matches_schedule;
use crate::twilio::error::retry_refusal;

const RETRY_KEY_PREFIX: &str = "retry:";
const LOCAL_PREFIX: &str = "local:";

/// The dedupe key of the copy that retries a failed text: a double-click queues one copy.
/// Keyed on the Twilio SID where the text has one, because that names the same text on every
/// workstation; a text Twilio never named falls back to the local id.
pub fn retry_once_key(sid: Option<&str>, message_id: i64) -> String {
    match sid {
        Some(sid) => format!("{RETRY_KEY_PREFIX}{sid}"),
        None => format!("{RETRY_KEY_PREFIX}{LOCAL_PREFIX}{message_id}"),
    }
}

/// Whether the text `m` was already sent again: this workstation queued its retry copy, or a
/// later outbound text to the same number carries the same words. The second half is what
/// another workstation sees once it polls a copy sent elsewhere (databases are not shared,
/// Twilio is). Both lookups are indexed (outbox's unique once_key, messages_thread).
pub(super) const SENT_AGAIN_SQL: &str =
    "(EXISTS (SELECT 1 FROM outbox r WHERE r.once_key = 'retry:' || COALESCE(m.sid, 'local:' || m.id)) \
      OR EXISTS (SELECT 1 FROM messages n WHERE n.thread_phone = m.thread_phone \
           AND n.created_at >= m.created_at AND (n.created_at > m.created_at OR n.id > m.id) \
           AND n.direction = 'outbound' AND n.body = m.body))";

/// Why a failed text will not be sent again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetryRefusal {
    #[error("it did not fail")]
    NotFailed,
    /// Another workstation (or an earlier click) already sent it again.
    #[error("it was already sent again; the newer copy is further down the chat")]
    AlreadySentAgain,
    #[error("the patient opted out (replied STOP); they must text START before they can be texted again")]
    OptedOut,
    /// A confirmation or reminder whose appointment was cancelled, or moved after the text was
    /// queued: the words speak of a time that no longer holds.
    #[error("the appointment was moved or cancelled; its own texts went out separately")]
    AppointmentChanged,
    #[error("the appointment has started or is over, so the text would come too late")]
    AppointmentOver,
    /// The failure would happen again (a landline, a wrong number, a block).
    #[error("{0}")]
    WouldFailAgain(&'static str),
}

/// Where the appointment a confirmation or reminder speaks of stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStanding {
    /// Still booked at the time the text speaks of.
    Booked { starts_at: i64 },
    /// Arrived, no-show or completed.
    Over,
    /// Cancelled, moved since the text was queued, or no longer on file.
    Changed,
}

/// A text as a retry needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedText {
    pub message_id: i64,
    pub sid: Option<String>,
    pub phone: String,
    pub body: String,
    pub error_code: Option<i64>,
    /// False when the text is inbound or did not fail.
    pub failed: bool,
    /// The outbox row it was sent from, if this workstation sent it.
    pub outbox_kind: Option<OutboxKind>,
    pub appointment_id: Option<i64>,
    /// Its retry copy is queued here, or the same words went to the same number later.
    pub sent_again: bool,
    /// For a confirmation or reminder: where its appointment stands.
    pub appointment: Option<AppointmentStanding>,
}

impl FailedText {
    pub fn once_key(&self) -> String {
        retry_once_key(self.sid.as_deref(), self.message_id)
    }

    /// Why it must not be sent again; `None` when a copy may get through. `opted_out` is the
    /// number's current state: an earlier 21610 no longer counts once the patient texted START.
    pub fn refusal(&self, opted_out: bool, now: i64) -> Option<RetryRefusal> {
        if !self.failed {
            return Some(RetryRefusal::NotFailed);
        }
        if self.sent_again {
            return Some(RetryRefusal::AlreadySentAgain);
        }
        if opted_out {
            return Some(RetryRefusal::OptedOut);
        }
        match self.appointment {
            Some(AppointmentStanding::Changed) => return Some(RetryRefusal::AppointmentChanged),
            Some(AppointmentStanding::Over) => return Some(RetryRefusal::AppointmentOver),
            Some(AppointmentStanding::Booked { starts_at }) if starts_at <= now => {
                return Some(RetryRefusal::AppointmentOver)
            }
            _ => {}
        }
        retry_refusal(self.error_code).map(RetryRefusal::WouldFailAgain)
    }

    /// What the chat shows under it; `None` for a text that did not fail.
    pub fn advice(&self, opted_out: bool, now: i64) -> Option<RetryAdvice> {
        if !self.failed {
            return None;
        }
        Some(match self.refusal(opted_out, now) {
            None => RetryAdvice::Allowed,
            Some(RetryRefusal::AlreadySentAgain) => RetryAdvice::Retried,
            Some(refusal) => RetryAdvice::Refused {
                reason: refusal.to_string(),
            },
        })
    }
}

/// Where the appointment of a confirmation or reminder stands; `None` for any other text.
/// `once_key` is the outbox key the text was queued under.
pub(super) fn standing_in(
    conn: &Connection,
    kind: Option<OutboxKind>,
    appointment_id: Option<i64>,
    once_key: Option<&str>,
) -> rusqlite::Result<Option<AppointmentStanding>> {
    let Some(appointment_id) = appointment_id else {
        return Ok(None);
    };
    if !matches!(kind, Some(OutboxKind::Confirmation | OutboxKind::Reminder)) {
        return Ok(None);
    }
    let current: Option<(String, i64, i64)> = conn
        .prepare_cached("SELECT status, starts_at, schedule_rev FROM appointments WHERE id = ?1")?
        .query_row([appointment_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((status, starts_at, schedule_rev)) = current else {
        return Ok(Some(AppointmentStanding::Changed));
    };
    Ok(Some(match status.as_str() {
        "booked" => {
            let origin = match once_key {
                Some(key) => origin_key_in(conn, key)?,
                None => None,
            };
            // A text whose schedule cannot be told is treated as outdated: a wrong time sent
            // to a patient costs more than a Retry staff cannot press.
            match origin {
                Some(key)
                    if key_matches_schedule(&key, appointment_id, schedule_rev, starts_at) =>
                {
                    AppointmentStanding::Booked { starts_at }
                }
                _ => AppointmentStanding::Changed,
            }
        }
        "cancelled" => AppointmentStanding::Changed,
        _ => AppointmentStanding::Over,
    }))
}

/// Retry copies are keyed on the text they copy, not on the schedule: follow them back to the
/// automated text's own key, which names the schedule. `None` when the chain breaks.
fn origin_key_in(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    // Each copy needs a failed predecessor, so a real chain is short; the bound only guards
    // against a damaged database looping.
    const MAX_STEPS: usize = 64;
    let mut key = key.to_string();
    for _ in 0..MAX_STEPS {
        let Some(copied) = key.strip_prefix(RETRY_KEY_PREFIX) else {
            return Ok(Some(key));
        };
        let previous: Option<Option<String>> = match copied.strip_prefix(LOCAL_PREFIX) {
            Some(id) => match id.parse::<i64>() {
                Ok(id) => conn
                    .prepare_cached(
                        "SELECT o.once_key FROM messages m JOIN outbox o ON o.id = m.outbox_id \
                         WHERE m.id = ?1",
                    )?
                    .query_row([id], |row| row.get(0))
                    .optional()?,
                Err(_) => None,
            },
            None => conn
                .prepare_cached(
                    "SELECT o.once_key FROM messages m JOIN outbox o ON o.id = m.outbox_id \
                     WHERE m.sid = ?1",
                )?
                .query_row([copied], |row| row.get(0))
                .optional()?,
        };
        match previous.flatten() {
            Some(previous) => key = previous,
            None => return Ok(None),
        }
    }
    Ok(None)
}

impl Store {
    /// One text as a retry needs it; `None` when no text has this id.
    pub fn failed_text(&self, message_id: i64) -> Result<Option<FailedText>, StoreError> {
        self.read(|conn| {
            let row = conn
                .query_row(
                    &format!(
                        "SELECT m.id, m.sid, m.thread_phone, m.body, m.error_code, {FAILED_SQL}, \
                                o.kind, o.appointment_id, o.once_key, {SENT_AGAIN_SQL} \
                         FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id WHERE m.id = ?1"
                    ),
                    [message_id],
                    |row| {
                        let text = FailedText {
                            message_id: row.get(0)?,
                            sid: row.get(1)?,
                            phone: row.get(2)?,
                            body: row.get(3)?,
                            error_code: row.get(4)?,
                            failed: row.get(5)?,
                            outbox_kind: row
                                .get::<_, Option<String>>(6)?
                                .map(|k| OutboxKind::from_sql(&k)),
                            appointment_id: row.get(7)?,
                            sent_again: row.get(9)?,
                            appointment: None,
                        };
                        Ok((text, row.get::<_, Option<String>>(8)?))
                    },
                )
                .optional()?;
            let Some((mut text, once_key)) = row else {
                return Ok(None);
            };
            text.appointment = standing_in(
                conn,
                text.outbox_kind,
                text.appointment_id,
                once_key.as_deref(),
            )?;
            Ok(Some(text))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<i64>) -> FailedText {
        FailedText {
            message_id: 1,
            sid: Some("SM0".to_string()),
            phone: "+14155550134".to_string(),
            body: "See you Tuesday at 9:00".to_string(),
            error_code: code,
            failed: true,
            outbox_kind: None,
            appointment_id: None,
            sent_again: false,
            appointment: None,
        }
    }

    #[test]
    fn carrier_caps_and_timeouts_may_pass_later() {
        for code in [30022, 30023, 30027, 30410, 30003] {
            assert_eq!(failed(Some(code)).refusal(false, 0), None, "{code}");
        }
        assert!(matches!(
            failed(Some(30006)).refusal(false, 0),
            Some(RetryRefusal::WouldFailAgain(reason)) if reason.contains("landline")
        ));
    }

    #[test]
    fn an_opt_out_is_judged_by_the_numbers_current_state() {
        assert_eq!(failed(Some(21610)).refusal(false, 0), None);
        assert_eq!(
            failed(Some(21610)).refusal(true, 0),
            Some(RetryRefusal::OptedOut)
        );
        assert_eq!(
            failed(Some(30003)).refusal(true, 0),
            Some(RetryRefusal::OptedOut)
        );
    }

    #[test]
    fn the_appointment_decides_before_the_code() {
        let mut text = failed(Some(30003));
        text.appointment = Some(AppointmentStanding::Booked { starts_at: 1_000 });
        assert_eq!(text.refusal(false, 999), None);
        assert_eq!(
            text.refusal(false, 1_000),
            Some(RetryRefusal::AppointmentOver)
        );
        text.appointment = Some(AppointmentStanding::Changed);
        assert_eq!(
            text.advice(false, 0),
            Some(RetryAdvice::Refused {
                reason: "the appointment was moved or cancelled; its own texts went out separately"
                    .to_string()
            })
        );
        text.sent_again = true;
        assert_eq!(text.advice(false, 0), Some(RetryAdvice::Retried));
        text.failed = false;
        assert_eq!(text.advice(false, 0), None);
        assert_eq!(text.refusal(false, 0), Some(RetryRefusal::NotFailed));
    }

    #[test]
    fn a_key_matches_only_its_own_appointment_revision_and_start() {
        assert!(key_matches_schedule("confirmation:7:rev1:1000", 7, 1, 1000));
        assert!(key_matches_schedule("reminder:7:24h:rev1:1000", 7, 1, 1000));
        assert!(!key_matches_schedule(
            "confirmation:7:rev11:1000",
            7,
            1,
            1000
        ));
        assert!(!key_matches_schedule(
            "confirmation:7:rev1:21000",
            7,
            1,
            1000
        ));
        assert!(!key_matches_schedule(
            "confirmation:77:rev1:1000",
            7,
            1,
            1000
        ));
        assert!(!key_matches_schedule("retry:SM0", 7, 1, 1000));
    }

    #[test]
    fn the_key_falls_back_to_the_local_id_without_a_sid() {
        assert_eq!(retry_once_key(Some("SMabc"), 5), "retry:SMabc");
        assert_eq!(retry_once_key(None, 5), "retry:local:5");
    }
}
