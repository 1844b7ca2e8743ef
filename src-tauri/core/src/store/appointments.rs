//! Appointments: their rows, the day list with each one's latest text, and the writes that must
//! land together (a booking with its new patient, a reschedule or cancellation with the
//! cancellation of texts about the old plan, each with its audit entry).
//!
//! Times are UTC milliseconds; `time_zone` is the clinic's zone when the time was set, so the
//! wall-clock time a patient was told stays what it was even if the clinic's setting changes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::outbox::{OutboxKind, OutboxState};
use super::patients::{insert_patient_in, PatientRecord};
use super::{Store, StoreError};
use crate::twilio::error::describe_error_code;
use crate::twilio::MessageStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
    Arrived,
    NoShow,
    Completed,
}

impl AppointmentStatus {
    pub fn as_sql(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Arrived => "arrived",
            AppointmentStatus::NoShow => "no_show",
            AppointmentStatus::Completed => "completed",
        }
    }

    pub fn from_sql(value: &str) -> Self {
        match value {
            "cancelled" => AppointmentStatus::Cancelled,
            "arrived" => AppointmentStatus::Arrived,
            "no_show" => AppointmentStatus::NoShow,
            "completed" => AppointmentStatus::Completed,
            _ => AppointmentStatus::Booked,
        }
    }

    /// For messages to staff ("is cancelled", "is marked no-show").
    pub fn describe(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Arrived => "marked arrived",
            AppointmentStatus::NoShow => "marked no-show",
            AppointmentStatus::Completed => "completed",
        }
    }
}

/// What the patient said about the appointment (their C / R / X answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Unconfirmed,
    Confirmed,
    RescheduleRequested,
    CancelRequested,
}

impl Confirmation {
    pub fn from_sql(value: &str) -> Self {
        match value {
            "confirmed" => Confirmation::Confirmed,
            "reschedule_requested" => Confirmation::RescheduleRequested,
            "cancel_requested" => Confirmation::CancelRequested,
            _ => Confirmation::Unconfirmed,
        }
    }
}

/// Where the appointment's latest text is: in our outbox, at Twilio, or stopped, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentSms {
    pub outbox_id: i64,
    pub kind: OutboxKind,
    pub state: OutboxState,
    /// Twilio's status once Twilio has the text.
    pub twilio_status: Option<MessageStatus>,
    pub error_code: Option<i64>,
    /// The text did not and will not reach the patient.
    pub failed: bool,
    /// Why it failed or is being retried, in plain words.
    pub problem: Option<String>,
    /// One line for the appointments list, e.g. "delivered" or "SMS failed: invalid phone number".
    pub summary: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub id: i64,
    pub patient_id: i64,
    /// First and last name.
    pub patient_name: String,
    pub patient_first_name: String,
    /// The patient's language for texts (templates fall back to the clinic's).
    pub language: String,
    /// The patient's primary number (E.164), if any.
    pub phone: Option<String>,
    /// UTC milliseconds.
    pub starts_at: i64,
    /// The clinic's zone the time was set in.
    pub time_zone: String,
    /// Wall-clock date and time in `time_zone`: "2026-03-10", "14:30".
    pub local_date: String,
    pub local_time: String,
    pub duration_minutes: i64,
    pub provider: String,
    pub location: String,
    pub status: AppointmentStatus,
    pub confirmation: Confirmation,
    /// Came from a CSV import.
    pub imported: bool,
    /// The latest text about this appointment, if any.
    pub sms: Option<AppointmentSms>,
    /// Bumped on every change of start time; keys the automated texts of one schedule.
    #[serde(skip)]
    #[ts(skip)]
    pub schedule_rev: i64,
    /// When the current start time was set (ms).
    #[serde(skip)]
    #[ts(skip)]
    pub start_set_at: i64,
}

impl Appointment {
    pub fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    pub fn start_utc(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.starts_at).unwrap_or_default()
    }
}

/// A new appointment, validated and resolved by the caller.
#[derive(Debug, Clone)]
pub struct AppointmentRecord {
    /// The patient, matched by number or created with this record.
    pub patient: PatientRecord,
    pub starts_at: i64,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub provider: String,
    pub location: String,
    /// Set for imported rows: a second import of the same row adds nothing.
    pub import_key: Option<String>,
}

/// What storing one appointment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created {
        appointment_id: i64,
        patient_created: bool,
    },
    /// An appointment with this import key is already on file.
    AlreadyImported,
}

/// Changes to an appointment's facts; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AppointmentUpdate {
    /// New start (UTC ms) and the zone it was given in.
    pub start: Option<(i64, String)>,
    pub duration_minutes: Option<i64>,
    pub provider: Option<String>,
    pub location: Option<String>,
}

/// What an update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Updated {
    pub rescheduled: bool,
    /// Unsent automated texts about the old time that were cancelled.
    pub cancelled_texts: usize,
}

const COLUMNS: &str = "a.id, a.patient_id, p.first_name, p.last_name, p.preferred_language, \
     (SELECT e164 FROM patient_phones WHERE patient_id = p.id ORDER BY is_primary DESC, id LIMIT 1), \
     a.starts_at, a.time_zone, a.duration_minutes, a.provider, a.location, a.status, \
     a.confirmation, a.import_key IS NOT NULL, a.schedule_rev, a.start_set_at, \
     o.id, o.kind, o.state, o.hold_reason, o.last_error, o.last_error_code, o.updated_at, \
     m.status, m.error_code";

const FROM: &str = "FROM appointments a JOIN patients p ON p.id = a.patient_id \
     LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE appointment_id = a.id) \
     LEFT JOIN messages m ON m.outbox_id = o.id";

fn appointment_from_row(row: &Row<'_>) -> rusqlite::Result<Appointment> {
    let first_name: String = row.get(2)?;
    let last_name: String = row.get(3)?;
    let starts_at: i64 = row.get(6)?;
    let time_zone: String = row.get(7)?;
    let zone: Tz = time_zone.parse().unwrap_or(Tz::UTC);
    let local = DateTime::from_timestamp_millis(starts_at)
        .unwrap_or_default()
        .with_timezone(&zone);
    let status: String = row.get(11)?;
    let confirmation: String = row.get(12)?;
    let sms = match row.get::<_, Option<i64>>(16)? {
        None => None,
        Some(outbox_id) => Some(sms_from_row(row, outbox_id)?),
    };
    Ok(Appointment {
        id: row.get(0)?,
        patient_id: row.get(1)?,
        patient_name: format!("{first_name} {last_name}").trim().to_string(),
        patient_first_name: first_name,
        language: row.get(4)?,
        phone: row.get(5)?,
        starts_at,
        local_date: local.format("%Y-%m-%d").to_string(),
        local_time: local.format("%H:%M").to_string(),
        time_zone,
        duration_minutes: row.get(8)?,
        provider: row.get(9)?,
        location: row.get(10)?,
        status: AppointmentStatus::from_sql(&status),
        confirmation: Confirmation::from_sql(&confirmation),
        imported: row.get(13)?,
        schedule_rev: row.get(14)?,
        start_set_at: row.get(15)?,
        sms,
    })
}

fn sms_from_row(row: &Row<'_>, outbox_id: i64) -> rusqlite::Result<AppointmentSms> {
    let kind: String = row.get(17)?;
    let state = OutboxState::from_sql(&row.get::<_, String>(18)?);
    let hold_reason: Option<String> = row.get(19)?;
    let last_error: Option<String> = row.get(20)?;
    let outbox_code: Option<i64> = row
        .get::<_, Option<String>>(21)?
        .and_then(|c| c.parse().ok());
    let twilio_status = row
        .get::<_, Option<String>>(23)?
        .map(|s| MessageStatus::parse(&s));
    let error_code = row.get::<_, Option<i64>>(24)?.or(outbox_code);
    let (failed, summary, problem) = describe_sms(
        state,
        twilio_status,
        error_code,
        hold_reason.as_deref(),
        last_error.as_deref(),
    );
    Ok(AppointmentSms {
        outbox_id,
        kind: OutboxKind::from_sql(&kind),
        state,
        twilio_status: if state == OutboxState::Submitted {
            twilio_status
        } else {
            None
        },
        error_code,
        failed,
        summary,
        problem,
        updated_at: row.get(22)?,
    })
}

/// Whether the text failed for good, what to show staff, and the problem in plain words.
fn describe_sms(
    state: OutboxState,
    status: Option<MessageStatus>,
    error_code: Option<i64>,
    hold_reason: Option<&str>,
    last_error: Option<&str>,
) -> (bool, String, Option<String>) {
    let failure = |fallback: Option<&str>| {
        let problem = match (error_code, fallback) {
            (Some(code), _) => describe_error_code(code).to_string(),
            (None, Some(reason)) => reason.to_string(),
            (None, None) => "delivery failed".to_string(),
        };
        (true, format!("SMS failed: {problem}"), Some(problem))
    };
    let fine = |summary: &str| (false, summary.to_string(), None);
    match state {
        OutboxState::Queued => match last_error {
            Some(error) => (
                false,
                format!("waiting to retry ({error})"),
                Some(error.to_string()),
            ),
            None => fine("waiting to send"),
        },
        OutboxState::Sending => fine("sending"),
        OutboxState::Held => fine(hold_reason.unwrap_or("held")),
        OutboxState::Blocked | OutboxState::Failed => failure(last_error),
        OutboxState::Cancelled => fine("not sent (cancelled)"),
        OutboxState::Submitted => match status {
            Some(MessageStatus::Delivered | MessageStatus::Read) => fine("delivered"),
            Some(MessageStatus::Sent) => fine("sent"),
            Some(MessageStatus::Canceled) => failure(Some("cancelled at Twilio")),
            Some(s) if s.is_failure() => failure(None),
            _ => fine("sending"),
        },
    }
}

/// Sets the unsent automated texts of an appointment (queued or held, not yet claimed for
/// sending) to cancelled: they speak of a time or a visit that no longer holds.
fn cancel_unsent_in(
    tx: &Transaction<'_>,
    appointment_id: i64,
    now: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE outbox SET state = 'cancelled', updated_at = ?2 \
         WHERE appointment_id = ?1 AND state IN ('queued', 'held') AND kind != 'manual'",
        params![appointment_id, now],
    )
}

fn audit_in(
    tx: &Transaction<'_>,
    now: i64,
    actor: &str,
    action: AuditAction,
    appointment_id: i64,
    detail: serde_json::Value,
) -> rusqlite::Result<()> {
    let phone: Option<String> = tx
        .query_row(
            "SELECT ph.e164 FROM appointments a JOIN patient_phones ph \
             ON ph.patient_id = a.patient_id WHERE a.id = ?1 \
             ORDER BY ph.is_primary DESC, ph.id LIMIT 1",
            [appointment_id],
            |row| row.get(0),
        )
        .optional()?;
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("appointment_id".into(), json!(appointment_id));
    }
    append_audit(
        tx,
        &AuditEntry::new(now, actor, action, phone.unwrap_or_default(), detail),
    )?;
    Ok(())
}

/// Stores one appointment with its patient (matched by number, else created) in the caller's
/// transaction.
fn insert_in(
    tx: &Transaction<'_>,
    record: &AppointmentRecord,
    now: i64,
    actor: &str,
) -> rusqlite::Result<Inserted> {
    let on_file: Option<(i64, bool)> = tx
        .query_row(
            "SELECT p.id, p.is_stub FROM patient_phones ph JOIN patients p ON p.id = ph.patient_id \
             WHERE ph.e164 = ?1",
            [&record.patient.phone_e164],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    // Check the import key before touching patients, so a re-import creates nobody.
    if let Some(key) = &record.import_key {
        let known: Option<i64> = tx
            .query_row(
                "SELECT id FROM appointments WHERE import_key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?;
        if known.is_some() {
            return Ok(Inserted::AlreadyImported);
        }
    }
    let (patient_id, patient_created) = match on_file {
        Some((id, false)) => (id, false),
        // A stub (the number texted in first) becomes this patient.
        _ => (insert_patient_in(tx, &record.patient, now)?, true),
    };
    tx.execute(
        "INSERT INTO appointments (patient_id, starts_at, time_zone, duration_minutes, provider, \
         location, import_key, start_set_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)",
        params![
            patient_id,
            record.starts_at,
            record.time_zone,
            record.duration_minutes,
            record.provider,
            record.location,
            record.import_key,
            now
        ],
    )?;
    let appointment_id = tx.last_insert_rowid();
    audit_in(
        tx,
        now,
        actor,
        AuditAction::AppointmentCreated,
        appointment_id,
        json!({ "starts_at": record.starts_at, "imported": record.import_key.is_some() }),
    )?;
    Ok(Inserted::Created {
        appointment_id,
        patient_created,
    })
}

impl Store {
    /// Books one appointment (and its patient when the number is new), in one transaction.
    pub fn insert_appointment(
        &self,
        record: &AppointmentRecord,
        now: i64,
        actor: &str,
    ) -> Result<Inserted, StoreError> {
        self.write(|tx| insert_in(tx, record, now, actor).map_err(|e| self.err(e)))
    }

    /// Stores a whole import in one transaction (one disk sync, not one per row). Rows whose
    /// import key is already on file are reported, not stored again.
    pub fn insert_appointments(
        &self,
        records: &[AppointmentRecord],
        now: i64,
        actor: &str,
    ) -> Result<Vec<Inserted>, StoreError> {
        self.write(|tx| {
            records
                .iter()
                .map(|record| insert_in(tx, record, now, actor).map_err(|e| self.err(e)))
                .collect()
        })
    }

    pub fn appointment(&self, id: i64) -> Result<Option<Appointment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.id = ?1");
        self.read(|conn| {
            conn.prepare_cached(&sql)?
                .query_row([id], appointment_from_row)
                .optional()
        })
    }

    /// Appointments starting in `[from_ms, until_ms)`, earliest first.
    pub fn appointments_between(
        &self,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE a.starts_at >= ?1 AND a.starts_at < ?2 \
             ORDER BY a.starts_at, a.id"
        );
        self.read(|conn| {
            conn.prepare_cached(&sql)?
                .query_map(params![from_ms, until_ms], appointment_from_row)?
                .collect()
        })
    }

    /// The appointments still ahead (not cancelled, starting at or after `now`) of the patient
    /// who owns `phone`, earliest first, at most `limit`.
    pub fn upcoming_appointments_for_phone(
        &self,
        phone: &str,
        now: i64,
        limit: u32,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} \
             WHERE a.patient_id = (SELECT patient_id FROM patient_phones WHERE e164 = ?1) \
               AND a.status != 'cancelled' AND a.starts_at >= ?2 \
             ORDER BY a.starts_at, a.id LIMIT ?3"
        );
        self.read(|conn| {
            conn.prepare_cached(&sql)?
                .query_map(params![phone, now, limit], appointment_from_row)?
                .collect()
        })
    }

    /// Booked appointments starting after `now` and no later than `until_ms`: those a reminder
    /// may be due for.
    pub fn booked_appointments_ahead(
        &self,
        now: i64,
        until_ms: i64,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE a.status = 'booked' AND a.starts_at > ?1 \
             AND a.starts_at <= ?2 ORDER BY a.starts_at, a.id"
        );
        self.read(|conn| {
            conn.prepare_cached(&sql)?
                .query_map(params![now, until_ms], appointment_from_row)?
                .collect()
        })
    }

    /// Changes an appointment's facts. A new start time bumps the schedule revision (re-arming
    /// its automated texts) and cancels the unsent ones about the old time, in the same
    /// transaction. `None` when the appointment is not booked (any more).
    pub fn update_appointment(
        &self,
        id: i64,
        update: &AppointmentUpdate,
        now: i64,
        actor: &str,
    ) -> Result<Option<Updated>, StoreError> {
        self.write(|tx| {
            let current: Option<i64> = tx
                .query_row(
                    "SELECT starts_at FROM appointments WHERE id = ?1 AND status = 'booked'",
                    [id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            let Some(current_start) = current else {
                return Ok(None);
            };
            let mut outcome = Updated::default();
            if let Some((starts_at, zone)) = &update.start {
                if *starts_at != current_start {
                    tx.execute(
                        "UPDATE appointments SET starts_at = ?2, time_zone = ?3, \
                         schedule_rev = schedule_rev + 1, start_set_at = ?4, \
                         confirmation = 'unconfirmed' WHERE id = ?1",
                        params![id, starts_at, zone, now],
                    )
                    .map_err(|e| self.err(e))?;
                    outcome.rescheduled = true;
                    outcome.cancelled_texts =
                        cancel_unsent_in(tx, id, now).map_err(|e| self.err(e))?;
                }
            }
            tx.execute(
                "UPDATE appointments SET duration_minutes = COALESCE(?2, duration_minutes), \
                 provider = COALESCE(?3, provider), location = COALESCE(?4, location), \
                 updated_at = ?5 WHERE id = ?1",
                params![
                    id,
                    update.duration_minutes,
                    update.provider,
                    update.location,
                    now
                ],
            )
            .map_err(|e| self.err(e))?;
            audit_in(
                tx,
                now,
                actor,
                AuditAction::AppointmentUpdated,
                id,
                json!({
                    "rescheduled": outcome.rescheduled,
                    "starts_at": update.start.as_ref().map(|(s, _)| *s).unwrap_or(current_start),
                    "cancelled_texts": outcome.cancelled_texts,
                }),
            )
            .map_err(|e| self.err(e))?;
            Ok(Some(outcome))
        })
    }

    /// Moves an appointment from `from` to `to`. Leaving `booked` cancels its unsent automated
    /// texts in the same transaction. Returns how many were cancelled, or `None` when the
    /// appointment is not in `from` (any more).
    pub fn set_appointment_status(
        &self,
        id: i64,
        from: AppointmentStatus,
        to: AppointmentStatus,
        now: i64,
        actor: &str,
    ) -> Result<Option<usize>, StoreError> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE appointments SET status = ?3, updated_at = ?4 \
                     WHERE id = ?1 AND status = ?2",
                    params![id, from.as_sql(), to.as_sql(), now],
                )
                .map_err(|e| self.err(e))?;
            if changed == 0 {
                return Ok(None);
            }
            let cancelled = if from == AppointmentStatus::Booked {
                cancel_unsent_in(tx, id, now).map_err(|e| self.err(e))?
            } else {
                0
            };
            let action = if to == AppointmentStatus::Cancelled {
                AuditAction::AppointmentCancelled
            } else {
                AuditAction::AppointmentUpdated
            };
            audit_in(
                tx,
                now,
                actor,
                action,
                id,
                json!({ "status": to.as_sql(), "cancelled_texts": cancelled }),
            )
            .map_err(|e| self.err(e))?;
            Ok(Some(cancelled))
        })
    }

    /// Cancels the appointment's automated texts that have not gone out yet (queued or held).
    /// Returns how many.
    pub fn cancel_unsent_appointment_texts(
        &self,
        appointment_id: i64,
        now: i64,
    ) -> Result<usize, StoreError> {
        self.write(|tx| cancel_unsent_in(tx, appointment_id, now).map_err(|e| self.err(e)))
    }

    /// Cancels confirmations and reminders still waiting (e.g. held for quiet time) for
    /// appointments that have already started: they would arrive too late to help.
    pub fn cancel_texts_for_started_appointments(&self, now: i64) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'cancelled', updated_at = ?1 \
                 WHERE state IN ('queued', 'held') AND kind IN ('confirmation', 'reminder') \
                   AND appointment_id IN (SELECT id FROM appointments WHERE starts_at <= ?1)",
                [now],
            )
            .map_err(|e| self.err(e))
        })
    }

    /// The patient on file with this number (a contact stub for a number that only texted in
    /// does not count).
    pub fn patient_on_file(&self, e164: &str) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT p.id FROM patient_phones ph JOIN patients p ON p.id = ph.patient_id \
                 WHERE ph.e164 = ?1 AND p.is_stub = 0",
                [e164],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// Where the automated text with this once-key is, if one was ever queued.
    pub fn once_key_state(&self, once_key: &str) -> Result<Option<OutboxState>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT state FROM outbox WHERE once_key = ?1",
                [once_key],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map(|state| state.map(|s| OutboxState::from_sql(&s)))
        })
    }
}
