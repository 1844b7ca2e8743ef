//! Queueing a text: the one entry point the UI, the CLI and automation use. It checks the body
//! and the number, refuses an opted-out patient, and stores the text in the outbox; the engine
//! sends it. Nothing here touches the network, so it works offline.

use crate::clock::Clock;
use crate::compliance::quiet_hours::{
    check_manual, describe_local, utc_from_ms, SendingPolicy, WindowCheck,
};
use crate::composer::{phone, segments};
use crate::error::{Error, Result};
use crate::outbox::Sender;
use crate::settings;
use crate::store::audit::AuditAction;
use crate::store::outbox::{NewOutboxText, OutboxItem, OutboxKind};
use crate::store::retry::RetryRefusal;
use crate::store::{Store, StoreError};
use serde_json::json;

/// Twilio's limit on a message body.
pub const MAX_BODY_CHARS: usize = 1600;

#[derive(Debug, Clone)]
pub struct TextRequest<'a> {
    pub to: &'a str,
    pub body: &'a str,
    pub kind: OutboxKind,
    /// Who asked for it: a staff member's name, or "system" for automation.
    pub actor: &'a str,
    pub appointment_id: Option<i64>,
    /// Automation's dedupe key: a second request with the same key queues nothing.
    pub once_key: Option<String>,
    /// Staff's reason for sending a manual text outside the sending window (logged).
    pub override_reason: Option<String>,
    /// An audit entry written in the same transaction as the text (see `NewOutboxText`).
    pub(crate) audit_with: Option<(AuditAction, serde_json::Value)>,
}

impl<'a> TextRequest<'a> {
    pub fn new(to: &'a str, body: &'a str, kind: OutboxKind, actor: &'a str) -> Self {
        Self {
            to,
            body,
            kind,
            actor,
            appointment_id: None,
            once_key: None,
            override_reason: None,
            audit_with: None,
        }
    }

    pub fn for_appointment(mut self, appointment_id: i64) -> Self {
        self.appointment_id = Some(appointment_id);
        self
    }

    pub fn once(mut self, key: impl Into<String>) -> Self {
        self.once_key = Some(key.into());
        self
    }

    pub fn overriding_quiet_hours(mut self, reason: impl Into<String>) -> Self {
        self.override_reason = Some(reason.into());
        self
    }
}

/// Checks a body the way the composer does, with a message staff can act on.
pub fn check_body(body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(Error::invalid("body", "the text is empty; type a message"));
    }
    let chars = body.chars().count();
    if chars > MAX_BODY_CHARS {
        return Err(Error::invalid(
            "body",
            format!(
                "the text is {chars} characters; the limit is {MAX_BODY_CHARS}, shorten it by {}",
                chars - MAX_BODY_CHARS
            ),
        ));
    }
    if let Some((position, c)) = body
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::invalid(
            "body",
            format!(
                "the text contains an invisible control character (U+{:04X}) at position {}; \
                 retype that part",
                c as u32,
                position + 1
            ),
        ));
    }
    Ok(())
}

/// Stores a text for sending. Returns the outbox row (its bubble shows at once in the thread).
pub fn queue_text(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    request: &TextRequest<'_>,
) -> Result<OutboxItem> {
    queue_text_once(store, sender, clock, request)?.ok_or_else(|| {
        Error::invalid(
            "body",
            "this text was already queued (same automation key); nothing was added",
        )
    })
}

/// Like `queue_text`, but `None` when a text with the request's `once_key` is already queued.
///
/// The sending rules apply here, before anything is stored: an opted-out number is refused; an
/// automated text outside the sending window is stored held until it opens; a manual one needs
/// an override with a reason (kept on the text); the first text to a number gets the opt-out
/// instructions appended.
pub fn queue_text_once(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    request: &TextRequest<'_>,
) -> Result<Option<OutboxItem>> {
    check_body(request.body)?;
    let region = settings::clinic_region(store)?;
    let to = phone::normalize(request.to, &region)?;
    if store.is_opted_out(&to)? {
        return Err(Error::OptedOut { phone: to });
    }
    let now = clock.now_ms();
    let policy = SendingPolicy::load(store)?;
    let patient_zone = store.patient_time_zone(&to)?;
    let mut hold_reason = None;
    let mut not_before = now;
    let mut override_by = None;
    let mut override_reason = None;
    if request.kind == OutboxKind::Manual {
        let zone = policy.zone_for(patient_zone.as_deref());
        if let WindowCheck::Quiet {
            next_allowed,
            local_now,
        } = check_manual(&policy.window, zone, utc_from_ms(now))
        {
            match request.override_reason.as_deref().map(str::trim) {
                Some(reason) if !reason.is_empty() => {
                    override_by = Some(request.actor.to_string());
                    override_reason = Some(reason.to_string());
                }
                _ => {
                    return Err(Error::QuietHours {
                        phone: to,
                        local_time: local_now.format("%H:%M").to_string(),
                        next_allowed: describe_local(zone, next_allowed),
                    })
                }
            }
        }
    } else if let Some((until, reason)) = policy.hold(request.kind, patient_zone.as_deref(), now) {
        not_before = until;
        hold_reason = Some(reason);
    }
    let body = with_first_contact_footer(store, &to, request.body)?;
    check_body(&body)?;
    Ok(store.enqueue(&NewOutboxText {
        to,
        from: sender.from.clone(),
        messaging_service_sid: sender.messaging_service_sid.clone(),
        body,
        kind: request.kind,
        created_by: request.actor.to_string(),
        appointment_id: request.appointment_id,
        not_before,
        once_key: request.once_key.clone(),
        hold_reason,
        override_by,
        override_reason,
        audit_with: request.audit_with.clone(),
    })?)
}

/// The opt-out instructions every first text to a number carries.
pub const FIRST_CONTACT_FOOTER: &str = "Reply STOP to opt out.";

/// The body as it will be sent: with the opt-out footer when the clinic has never texted this
/// number and the text does not already say how to opt out. The composer shows the same, so the
/// segment count staff see is the one Twilio bills.
pub fn with_first_contact_footer(store: &Store, to: &str, body: &str) -> Result<String> {
    if store.has_texted(to)? || mentions_opt_out(body) {
        return Ok(body.to_string());
    }
    Ok(format!("{}\n{FIRST_CONTACT_FOOTER}", body.trim_end()))
}

fn mentions_opt_out(body: &str) -> bool {
    let upper = body.to_uppercase();
    upper.contains("REPLY STOP") || upper.contains("TEXT STOP")
}

/// Segments a body will cost, for replies to the CLI and UI.
pub fn segments_of(body: &str) -> u32 {
    segments::count(body).segments
}

/// A retry's result: the copy in the outbox, and whether this call queued it (a second click
/// finds the copy the first one queued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedText {
    pub item: OutboxItem,
    pub newly_queued: bool,
}

/// Sends a failed text again, as a new outbox text with the same body to the same number.
///
/// The failed text stays as it is (a final Twilio status is history, never rewritten). Refused
/// with the reason (`RetryRefusal`) when the number has opted out, the failure would happen
/// again (a landline, a wrong number, a block), the appointment a confirmation or reminder
/// speaks of was moved, cancelled or has started, or the text was already sent again (here or,
/// as polling shows, from another workstation). Only once per failed text, however often it is
/// asked for: a second call here returns the copy the first one queued. An automated text keeps
/// its kind, so quiet time holds it instead of refusing it.
pub fn retry_failed(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    message_id: i64,
    actor: &str,
) -> Result<QueuedText> {
    let text = store
        .failed_text(message_id)?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("text {message_id}"),
        })?;
    let once_key = text.once_key();
    if text.failed {
        if let Some(item) = existing_copy(store, &once_key)? {
            return Ok(QueuedText {
                item,
                newly_queued: false,
            });
        }
    }
    match text.refusal(store.is_opted_out(&text.phone)?, clock.now_ms()) {
        None => {}
        Some(RetryRefusal::OptedOut) => return Err(Error::OptedOut { phone: text.phone }),
        Some(reason) => return Err(Error::NotRetryable { reason }),
    }
    let mut request = TextRequest::new(
        &text.phone,
        &text.body,
        text.outbox_kind.unwrap_or(OutboxKind::Manual),
        actor,
    )
    .once(once_key.clone());
    request.appointment_id = text.appointment_id;
    request.audit_with = Some((
        AuditAction::TextRetried,
        json!({"failed_message_id": message_id, "failed_sid": text.sid,
               "error_code": text.error_code}),
    ));
    let Some(item) = queue_text_once(store, sender, clock, &request)? else {
        // Another click or process on this database queued the copy between the check and the
        // insert.
        let item = existing_copy(store, &once_key)?.ok_or_else(|| StoreError::NotFound {
            what: format!("the retry of text {message_id}"),
        })?;
        return Ok(QueuedText {
            item,
            newly_queued: false,
        });
    };
    Ok(QueuedText {
        item,
        newly_queued: true,
    })
}

pub(crate) fn existing_copy(store: &Store, once_key: &str) -> Result<Option<OutboxItem>> {
    match store.outbox_id_for_once_key(once_key)? {
        Some(id) => Ok(store.outbox_item(id)?),
        None => Ok(None),
    }
}
