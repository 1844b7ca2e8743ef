//! Consent records: when a patient agreed to texts or withdrew, how, and who wrote it down.
//! Each record is audited with its method and id; the free-text note stays out of the audit
//! log, which must not carry anything a patient said.
//!
//! Limits: a consent record does not by itself block or allow texts; the opt-out state (STOP,
//! 21610, staff-confirmed opt-outs) is what the outbox checks.

use crate::composer::phone;
use crate::error::{Error, Result};
use crate::settings;
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::consent::NewConsentEvent;
use crate::store::{now_ms, Store};

pub use crate::store::consent::{ConsentEvent, ConsentKind, ConsentMethod};

use super::audit::check_actor;

/// Longest note kept with a consent record.
pub const MAX_NOTE_CHARS: usize = 500;

/// Records a consent event for `phone` (any common format, read in the clinic's region).
pub fn record(
    store: &Store,
    phone: &str,
    kind: ConsentKind,
    method: ConsentMethod,
    actor: &str,
    note: &str,
) -> Result<ConsentEvent> {
    let phone = phone::normalize(phone, &settings::clinic_region(store)?)?;
    let actor = check_actor(actor)?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::invalid(
            "note",
            format!("the note is too long; keep it to {MAX_NOTE_CHARS} characters"),
        ));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(
            "note",
            "the note contains control characters; type it as plain text",
        ));
    }
    let action = match kind {
        ConsentKind::Granted => AuditAction::ConsentGranted,
        ConsentKind::Revoked => AuditAction::ConsentRevoked,
    };
    let at = now_ms();
    let event = NewConsentEvent {
        phone: phone.clone(),
        kind,
        method,
        actor: actor.clone(),
        note: note.to_string(),
        at,
    };
    Ok(store.insert_consent_event(&event, |id| {
        AuditEntry::new(
            at,
            actor.as_str(),
            action,
            phone.as_str(),
            serde_json::json!({ "consent_id": id, "method": method.as_sql() }),
        )
    })?)
}

/// Consent events newest first, of one number (any common format) or of all.
pub fn list(store: &Store, phone: Option<&str>) -> Result<Vec<ConsentEvent>> {
    let phone = match phone {
        Some(p) => Some(phone::normalize(p, &settings::clinic_region(store)?)?),
        None => None,
    };
    Ok(store.consent_events(phone.as_deref())?)
}
