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
use crate::store::replies::{AnswerEffect, PendingAction, ReplyTarget};
use crate::store::Store;

/// Texts older than this get no automatic answer: a back-filled HELP from last month must not be
/// answered today. Their other effects (flags, confirmations) still apply.
pub const AUTO_REPLY_MAX_AGE_MS: i64 = 60 * 60 * 1000;

/// Pending texts handled per cycle; the rest wait for the next.
const BATCH: usize = 500;

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
    // Texts that only need their pending mark cleared are cleared together at the end, also when
    // a later text fails; a crash before then only means looking at them again.
    let mut finished = Vec::new();
    let mut outcome = Ok(());
    for action in store.pending_actions(BATCH)? {
        if let Err(err) = act_on(store, sender, clock, &action, &mut report, &mut finished) {
            outcome = Err(err);
            break;
        }
        report.handled += 1;
    }
    store.finish_actions(&finished)?;
    outcome?;
    report.flagged.sort();
    report.flagged.dedup();
    Ok(report)
}

/// Acts on one patient's text; `finished` collects the texts with nothing (more) to do.
fn act_on(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    action: &PendingAction,
    report: &mut RepliesReport,
    finished: &mut Vec<i64>,
) -> Result<()> {
    let now = clock.now_ms();
    let fresh = now - action.created_at <= AUTO_REPLY_MAX_AGE_MS;
    match action.action.as_str() {
        "help" => {
            if fresh {
                report.auto_replies += auto_reply(store, sender, clock, action, AutoReply::Help)?;
            }
            finished.push(action.message_id);
        }
        "confirm" | "reschedule" | "cancel_request" => {
            let (effect, reply) = match action.action.as_str() {
                "confirm" => (AnswerEffect::Confirmed, AutoReply::Confirm),
                "reschedule" => (AnswerEffect::RescheduleRequested, AutoReply::Reschedule),
                _ => (AnswerEffect::CancelRequested, AutoReply::Cancel),
            };
            match store.reply_target(&action.phone, action.created_at, now)? {
                ReplyTarget::Appointment(id) => {
                    if fresh {
                        report.auto_replies += auto_reply(store, sender, clock, action, reply)?;
                    }
                    if store.apply_answer(action, id, effect)? {
                        report.flagged.push(action.phone.clone());
                    }
                    report.appointments_changed = true;
                }
                ReplyTarget::Ambiguous => {
                    store.flag_for_staff(action, FlagReason::AmbiguousReply)?;
                    report.flagged.push(action.phone.clone());
                }
                ReplyTarget::Nothing => finished.push(action.message_id),
            }
        }
        "plain_words_opt_out" => {
            store.flag_for_staff(action, FlagReason::PlainWordsOptOut)?;
            report.flagged.push(action.phone.clone());
        }
        other => {
            tracing::warn!(action = other, "unknown pending action; left as a message");
            finished.push(action.message_id);
        }
    }
    Ok(())
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
