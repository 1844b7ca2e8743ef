//! Acting on what patients text back: HELP gets the clinic's help text, C / R / X answer the
//! appointment they refer to (or are flagged for staff when that is not clear), and an opt-out
//! in plain words is flagged for staff to confirm. Opt-out and opt-in keywords need no action
//! here: they are recorded with the message itself.
//!
//! Every step is safe to repeat: an auto-reply carries its message's SID as the outbox once-key
//! and the text stays pending until its effect is committed, so a crash in between neither loses
//! the action nor answers twice.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::messaging::{queue_text_once, TextRequest};
use crate::outbox::Sender;
use crate::settings::{self, AutoReply};
use crate::store::flags::FlagReason;
use crate::store::outbox::OutboxKind;
use crate::store::replies::{ActionOutcome, AnswerEffect, PendingAction, ReplyTarget};
use crate::store::Store;

/// Texts older than this get no automatic answer: a back-filled HELP from last month must not be
/// answered today. Their other effects (flags, confirmations) still apply.
pub const AUTO_REPLY_MAX_AGE_MS: i64 = 60 * 60 * 1000;

/// Pending texts handled per cycle; the rest wait for the next. Their outcomes are written in one
/// transaction, so a back-fill's answers to appointments (a few thousand in a busy clinic's
/// history) are applied in its first cycle.
const BATCH: usize = 5_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepliesReport {
    pub handled: usize,
    pub auto_replies: usize,
    /// Numbers whose flags changed.
    pub flagged: Vec<String>,
    pub appointments_changed: bool,
}

pub fn act_on_pending(store: &Store, sender: &Sender, clock: &dyn Clock) -> Result<RepliesReport> {
    let mut report = RepliesReport::default();
    // Outcomes are written together at the end, also when a later text fails. A crash before then
    // only means acting on the texts again: each automatic answer is queued once per text.
    let mut decided = Vec::new();
    let mut failure = Ok(());
    let pending = store.pending_actions(BATCH)?;
    if pending.is_empty() {
        return Ok(report);
    }
    let answers_can_match = store.any_booked_appointment_ahead(clock.now_ms())?;
    for action in pending {
        match act_on(
            store,
            sender,
            clock,
            &action,
            answers_can_match,
            &mut report,
        ) {
            Ok(outcome) => decided.push((action, outcome)),
            Err(err) => {
                failure = Err(err);
                break;
            }
        }
    }
    let written = match store.settle_actions(&decided) {
        Ok(written) => written,
        Err(err) => {
            if let Err(earlier) = &failure {
                tracing::warn!("acting on a patient's text failed before the write did: {earlier}");
            }
            return Err(err.into());
        }
    };
    report.handled = decided.len() - written.left_pending;
    report.appointments_changed = written.appointments_changed;
    report.flagged = written.flagged;
    failure?;
    report.flagged.sort();
    report.flagged.dedup();
    Ok(report)
}

/// Decides what one patient's text does, queuing the clinic's automatic answer when it is fresh.
fn act_on(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    action: &PendingAction,
    answers_can_match: bool,
    report: &mut RepliesReport,
) -> Result<ActionOutcome> {
    let now = clock.now_ms();
    let fresh = now - action.created_at <= AUTO_REPLY_MAX_AGE_MS;
    Ok(match action.action.as_str() {
        "help" => {
            if fresh {
                report.auto_replies += auto_reply(store, sender, clock, action, AutoReply::Help)?;
            }
            ActionOutcome::Done
        }
        "confirm" | "reschedule" | "cancel_request" => {
            let (effect, reply) = match action.action.as_str() {
                "confirm" => (AnswerEffect::Confirmed, AutoReply::Confirm),
                "reschedule" => (AnswerEffect::RescheduleRequested, AutoReply::Reschedule),
                _ => (AnswerEffect::CancelRequested, AutoReply::Cancel),
            };
            let target = if answers_can_match {
                store.reply_target(&action.phone, action.created_at, now)?
            } else {
                ReplyTarget::Nothing
            };
            match target {
                ReplyTarget::Appointment { id, schedule_rev } => {
                    if fresh {
                        report.auto_replies += auto_reply(store, sender, clock, action, reply)?;
                    }
                    ActionOutcome::Answered {
                        appointment_id: id,
                        schedule_rev,
                        effect,
                    }
                }
                ReplyTarget::Ambiguous => ActionOutcome::Flagged(FlagReason::AmbiguousReply),
                ReplyTarget::Nothing => ActionOutcome::Done,
            }
        }
        "plain_words_opt_out" => ActionOutcome::Flagged(FlagReason::PlainWordsOptOut),
        other => {
            tracing::warn!(action = other, "unknown pending action; left as a message");
            ActionOutcome::Done
        }
    })
}

/// Queues the clinic's answer (once per patient text). A number that cannot be texted (opted out
/// meanwhile, invalid) gets no answer; that never stops the other actions.
fn auto_reply(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    action: &PendingAction,
    which: AutoReply,
) -> Result<usize> {
    let Some(body) = settings::auto_reply(store, which)? else {
        return Ok(0);
    };
    let request = TextRequest::new(&action.phone, &body, OutboxKind::AutoReply, "system")
        .once(format!("auto-reply:{}", action.sid));
    match queue_text_once(store, sender, clock, &request) {
        Ok(Some(_)) => Ok(1),
        Ok(None) => Ok(0),
        Err(
            err @ (Error::OptedOut { .. } | Error::InvalidNumber(_) | Error::InvalidInput { .. }),
        ) => {
            tracing::info!(sid = %action.sid, "no automatic answer: {err}");
            Ok(0)
        }
        Err(err) => Err(err),
    }
}
