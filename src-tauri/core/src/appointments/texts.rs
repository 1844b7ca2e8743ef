//! The automated texts about an appointment (confirmation, reminders): their dedupe keys and how
//! they are queued. A key names the appointment, its schedule revision and start time (and the
//! reminder rule), so the outbox's unique once-key gives exactly one text per appointment, rule
//! and schedule across restarts, concurrent schedulers and processes, while a reschedule
//! (a new revision) arms them again.

use serde::Serialize;
use ts_rs::TS;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::messaging::{queue_text_once, TextRequest};
use crate::outbox::Sender;
use crate::store::appointments::Appointment;
use crate::store::outbox::{OutboxItem, OutboxKind};
use crate::store::templates::TemplateKind;
use crate::store::Store;
use crate::templates;

pub fn confirmation_key(appointment: &Appointment) -> String {
    format!(
        "confirmation:{}:rev{}:{}",
        appointment.id, appointment.schedule_rev, appointment.starts_at
    )
}

pub fn reminder_key(appointment: &Appointment, hours: u32) -> String {
    format!(
        "reminder:{}:{hours}h:rev{}:{}",
        appointment.id, appointment.schedule_rev, appointment.starts_at
    )
}

/// Whether `key` is the once-key of a confirmation or reminder about this appointment's current
/// schedule. A text queued before a reschedule has an older revision and start in its key, and
/// speaks of a time that no longer holds.
pub fn key_matches_schedule(
    key: &str,
    appointment_id: i64,
    schedule_rev: i64,
    starts_at: i64,
) -> bool {
    let about_it = key.starts_with(&format!("confirmation:{appointment_id}:"))
        || key.starts_with(&format!("reminder:{appointment_id}:"));
    about_it && key.ends_with(&format!(":rev{schedule_rev}:{starts_at}"))
}

/// One automated text: which template, which outbox kind, and its once-key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Automated {
    pub template: TemplateKind,
    pub kind: OutboxKind,
    pub key: String,
}

impl Automated {
    pub fn confirmation(appointment: &Appointment) -> Self {
        Self {
            template: TemplateKind::Confirmation,
            kind: OutboxKind::Confirmation,
            key: confirmation_key(appointment),
        }
    }

    pub fn reminder(appointment: &Appointment, hours: u32) -> Self {
        Self {
            template: TemplateKind::Reminder,
            kind: OutboxKind::Reminder,
            key: reminder_key(appointment, hours),
        }
    }
}

/// Renders the patient's version of the text's template for the appointment and queues it once
/// under its key. `None` when a text with that key was already queued.
pub fn queue_automated(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    appointment: &Appointment,
    text: &Automated,
    actor: &str,
) -> Result<Option<OutboxItem>> {
    let phone = appointment.phone.as_deref().ok_or_else(|| {
        Error::invalid(
            "phone",
            format!(
                "{} has no phone number on file; add one to text them",
                appointment.patient_name
            ),
        )
    })?;
    let chosen = templates::resolve(store, text.template, &appointment.language)?;
    let body =
        templates::fill_for_appointment(store, &chosen.body, &chosen.language, appointment, None)?;
    queue_text_once(
        store,
        sender,
        clock,
        &TextRequest::new(phone, &body, text.kind, actor)
            .for_appointment(appointment.id)
            .once(text.key.clone()),
    )
}

/// How the text that goes with a booking fared. It never decides whether the booking stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsOutcome {
    pub ok: bool,
    /// Why no text is on its way, in plain words.
    pub reason: Option<String>,
    pub outbox_id: Option<i64>,
    /// One line for staff: "SMS queued", "SMS failed: <reason>".
    pub summary: String,
}

impl SmsOutcome {
    pub fn queued(outbox_id: Option<i64>, summary: impl Into<String>) -> Self {
        Self {
            ok: true,
            reason: None,
            outbox_id,
            summary: summary.into(),
        }
    }

    pub fn failed(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self {
            ok: false,
            summary: format!("SMS failed: {reason}"),
            reason: Some(reason),
            outbox_id: None,
        }
    }

    /// The outcome once the outbox has tried the text: a text Twilio refused, or the patient's
    /// number blocked, turns into a failure with Twilio's reason in plain words.
    pub fn after_sending(self, appointment: &Appointment) -> Self {
        match (&appointment.sms, self.outbox_id) {
            (Some(sms), Some(id)) if sms.outbox_id == id && sms.failed => Self {
                outbox_id: Some(id),
                ..Self::failed(sms.problem.clone().unwrap_or_else(|| sms.summary.clone()))
            },
            (Some(sms), Some(id)) if sms.outbox_id == id => {
                Self::queued(Some(id), format!("SMS {}", sms.summary))
            }
            _ => self,
        }
    }
}

/// Queues the confirmation of an appointment's current time and says how that went; never an
/// error, because the booking it goes with has already been stored.
pub fn confirm(
    store: &Store,
    sender: Option<&Sender>,
    clock: &dyn Clock,
    appointment: &Appointment,
    actor: &str,
) -> SmsOutcome {
    let Some(sender) = sender else {
        return SmsOutcome::failed(Error::NotConfigured.to_string());
    };
    if appointment.starts_at <= clock.now_ms() {
        return SmsOutcome::failed("the appointment time has passed, so no confirmation was sent");
    }
    let text = Automated::confirmation(appointment);
    match queue_automated(store, sender, clock, appointment, &text, actor) {
        Ok(Some(item)) => SmsOutcome::queued(Some(item.id), "SMS queued"),
        Ok(None) => SmsOutcome::queued(None, "SMS already queued"),
        Err(err) => SmsOutcome::failed(err.to_string()),
    }
}
