//! Reminder scheduling: one pass queues every reminder that has come due, exactly once.
//!
//! For each booked appointment still ahead and each rule (hours before, from the settings), a
//! reminder is due once the clock passes its moment, computed in the appointment's zone (see
//! `local_time::reminder_due`). Nothing is remembered between passes: the outbox's unique
//! once-key makes a second pass, a restart, another scheduler thread or another process on the
//! same database queue nothing twice. A pass after the app was closed sends a missed reminder
//! late, but only while the appointment is still ahead, and when several rules passed meanwhile
//! only the nearest one goes out (one text saying the same thing, not two). A rule whose moment
//! came before the booking (or reschedule) is covered by that booking's confirmation. Quiet
//! hours are applied by the outbox queue (automated texts wait for the sending window).

use serde::Serialize;
use ts_rs::TS;

use super::local_time::reminder_due;
use super::texts::{confirmation_key, queue_automated, Automated};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::outbox::Sender;
use crate::settings;
use crate::store::outbox::OutboxState;
use crate::store::Store;

/// How far past a rule's nominal hours a wall-clock day can reach (a DST change shifts it by at
/// most an hour in practice; two keeps the scan safe for unusual zones).
const DST_MARGIN_MS: i64 = 2 * 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueuedReminder {
    pub appointment_id: i64,
    pub hours_before: u32,
    pub outbox_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReminderFailure {
    pub appointment_id: i64,
    pub hours_before: u32,
    /// Why it could not be queued (opted out, invalid number, ...), in plain words.
    pub reason: String,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReminderReport {
    /// Booked appointments with a reminder due.
    pub checked: u32,
    pub queued: Vec<QueuedReminder>,
    /// Due reminders an earlier pass (or another workstation) already queued.
    pub already_queued: u32,
    /// Due rules left out because a nearer rule is due too.
    pub superseded: u32,
    /// Due rules whose moment came before the booking's confirmation went out.
    pub covered_by_confirmation: u32,
    pub failed: Vec<ReminderFailure>,
    /// Confirmations and reminders still waiting (held for quiet time) when their appointment
    /// started, now cancelled.
    pub expired: u32,
}

/// One scheduling pass at the clock's current time.
pub fn run_pass(store: &Store, sender: &Sender, clock: &dyn Clock) -> Result<ReminderReport> {
    let now = clock.now_ms();
    let mut report = ReminderReport {
        expired: store.cancel_texts_for_started_appointments(now)? as u32,
        ..ReminderReport::default()
    };
    let rules = settings::reminder_hours(store)?;
    let Some(widest) = rules.iter().copied().max() else {
        return Ok(report);
    };
    let horizon = now + i64::from(widest) * 3_600_000 + DST_MARGIN_MS;
    for appointment in store.booked_appointments_ahead(now, horizon)? {
        let zone = appointment.zone();
        let start = appointment.start_utc();
        let due: Vec<(u32, i64)> = rules
            .iter()
            .map(|&hours| (hours, reminder_due(zone, start, hours).timestamp_millis()))
            .filter(|(_, at)| *at <= now)
            .collect();
        let Some(&(hours, due_at)) = due.iter().min_by_key(|(hours, _)| *hours) else {
            continue;
        };
        report.checked += 1;
        report.superseded += due.len() as u32 - 1;
        let text = Automated::reminder(&appointment, hours);
        if store.once_key_state(&text.key)?.is_some() {
            report.already_queued += 1;
            continue;
        }
        if appointment.start_set_at >= due_at && confirmation_live(store, &appointment)? {
            report.covered_by_confirmation += 1;
            continue;
        }
        match queue_automated(store, sender, clock, &appointment, &text, "system") {
            Ok(Some(item)) => report.queued.push(QueuedReminder {
                appointment_id: appointment.id,
                hours_before: hours,
                outbox_id: item.id,
            }),
            Ok(None) => report.already_queued += 1,
            // The database failing is not about this appointment: stop and say so.
            Err(err @ Error::Store(_)) => return Err(err),
            Err(err) => report.failed.push(ReminderFailure {
                appointment_id: appointment.id,
                hours_before: hours,
                reason: err.to_string(),
            }),
        }
    }
    Ok(report)
}

/// The confirmation of the appointment's current schedule is on its way or went out.
fn confirmation_live(store: &Store, appointment: &super::Appointment) -> Result<bool> {
    Ok(matches!(
        store.once_key_state(&confirmation_key(appointment))?,
        Some(state) if !matches!(
            state,
            OutboxState::Failed | OutboxState::Blocked | OutboxState::Cancelled
        )
    ))
}
