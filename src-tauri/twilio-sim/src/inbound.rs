//! A patient's text arriving at a clinic number: stored as an inbound message, then run through
//! Advanced Opt-Out (STOP/START change the opt-out state, HELP gets Twilio's automatic reply).

use std::sync::Arc;

use crate::clock::Millis;
use crate::error::SimError;
use crate::ids::is_e164;
use crate::lifecycle::{Direction, Outcome};
use crate::optout::{classify, Keyword, HELP_REPLY};
use crate::state::{NewMessage, PlannedOutcome, Sim, StoredMessage};

/// Stores an inbound text and applies its keyword. Returns the inbound message and, for HELP,
/// the automatic reply.
pub fn receive(
    sim: &Sim,
    from: &str,
    to: Option<&str>,
    body: &str,
    now: Millis,
) -> Result<(Arc<StoredMessage>, Option<Arc<StoredMessage>>), SimError> {
    if !is_e164(from) {
        return Err(SimError::BadControlRequest(format!(
            "\"from\" must be an E.164 number like +15551230000, got {from:?}"
        )));
    }
    let to = match to {
        Some(to) if sim.config.owns_number(to) => to,
        Some(to) => {
            return Err(SimError::BadControlRequest(format!(
                "\"to\" {to:?} is not one of the account's numbers {:?}",
                sim.config.numbers
            )))
        }
        None => sim
            .config
            .numbers
            .first()
            .map(String::as_str)
            .ok_or_else(|| SimError::Config("the account has no number".into()))?,
    };
    let mut inner = sim.lock();
    let message = inner.create(
        NewMessage {
            from: from.to_string(),
            to: to.to_string(),
            body: body.to_string(),
            direction: Direction::Inbound,
            messaging_service_sid: None,
            outcome: Outcome::Delivered,
        },
        now,
    );
    let mut reply = None;
    match classify(body) {
        Some(Keyword::OptOut) => inner.optouts.opt_out(to, from),
        Some(Keyword::OptIn) => inner.optouts.opt_in(to, from),
        Some(Keyword::Help) => {
            let outcome = match inner.planned_outcome(from) {
                PlannedOutcome::Finish(outcome) => outcome,
                PlannedOutcome::Reject(_) => Outcome::Failed(30008),
            };
            reply = Some(inner.create(
                NewMessage {
                    from: to.to_string(),
                    to: from.to_string(),
                    body: HELP_REPLY.to_string(),
                    direction: Direction::OutboundReply,
                    messaging_service_sid: None,
                    outcome,
                },
                now,
            ));
        }
        None => {}
    }
    Ok((message, reply))
}
