//! Queueing a text: the one entry point the UI, the CLI and automation use. It checks the body
//! and the number, refuses an opted-out patient, and stores the text in the outbox; the engine
//! sends it. Nothing here touches the network, so it works offline.

use crate::clock::Clock;
use crate::composer::{phone, segments};
use crate::error::{Error, Result};
use crate::outbox::Sender;
use crate::settings;
use crate::store::outbox::{NewOutboxText, OutboxItem, OutboxKind};
use crate::store::Store;

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
    Ok(store.enqueue(&NewOutboxText {
        to,
        from: sender.from.clone(),
        messaging_service_sid: sender.messaging_service_sid.clone(),
        body: request.body.to_string(),
        kind: request.kind,
        created_by: request.actor.to_string(),
        appointment_id: request.appointment_id,
        not_before: clock.now_ms(),
        once_key: request.once_key.clone(),
        hold_reason: None,
        override_by: None,
        override_reason: None,
    })?)
}

/// Segments a body will cost, for replies to the CLI and UI.
pub fn segments_of(body: &str) -> u32 {
    segments::count(body).segments
}
