//! Appointments: booking, editing, cancelling, marking arrived or no-show, and the day list, all
//! in the clinic's time zone.
//!
//! A booking is stored first and its confirmation text queued second: a texting problem (opted
//! out, invalid number, Twilio not set up) is reported with the booking, never instead of it.
//! Texts about a plan that no longer holds (the old time after a reschedule, a cancelled or
//! finished visit) are cancelled while they are still unsent.

pub mod csv_import;
pub mod local_time;
pub mod reminders;
pub mod texts;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::store::appointments::{
    Appointment, AppointmentSms, AppointmentStatus, Confirmation,
};
pub use texts::SmsOutcome;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::outbox::Sender;
use crate::patients::{patient_record, NewPatient};
use crate::settings;
use crate::store::appointments::{AppointmentRecord, AppointmentUpdate, Inserted};
use crate::store::{Store, StoreError};

/// Appointments are this long unless staff say otherwise.
pub const DEFAULT_DURATION_MINUTES: u32 = 30;
const MAX_DURATION_MINUTES: u32 = 24 * 60;
const MAX_FIELD_CHARS: usize = 100;

/// What staff enter in the booking form.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewAppointment {
    /// The patient's number; a patient already on file with it is used as they are.
    pub phone: String,
    /// The patient's name, used when the number is not on file yet ("Ana Rivera" or
    /// "Rivera, Ana").
    #[serde(default)]
    pub name: String,
    /// Language code for texts when the patient is new (default en).
    #[serde(default)]
    pub language: Option<String>,
    /// Local date and time in the clinic's zone, e.g. "2026-03-10 14:30" or "3/10/2026 2:30 PM".
    pub start: String,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub location: String,
}

/// A booking: the stored appointment, and how its confirmation text fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    pub appointment: Appointment,
    pub patient_created: bool,
    pub sms: SmsOutcome,
}

/// Changes staff make to an appointment; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentChanges {
    /// New local date and time in the clinic's zone.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
}

/// An edited appointment; a new time brings a new confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Edited {
    pub appointment: Appointment,
    pub rescheduled: bool,
    /// Unsent texts about the old time that were cancelled.
    pub cancelled_texts: u32,
    /// The confirmation of the new time (only when rescheduled).
    pub sms: Option<SmsOutcome>,
}

/// A status change, and how many unsent texts it cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusChanged {
    pub appointment: Appointment,
    pub cancelled_texts: u32,
}

/// Splits a full name into first and last: "Ana Rivera", "Ana Maria Rivera" (first word first),
/// "Rivera, Ana" (a comma puts the last name first).
pub fn split_name(full: &str) -> (String, String) {
    let full = full.trim();
    if let Some((last, first)) = full.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    match full.split_once(char::is_whitespace) {
        Some((first, last)) => (first.to_string(), last.trim().to_string()),
        None => (full.to_string(), String::new()),
    }
}

fn clean_field(field: &'static str, label: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(Error::invalid(
            field,
            format!("the {label} is longer than {MAX_FIELD_CHARS} characters; shorten it"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("the {label} contains a control character; retype it"),
        ));
    }
    Ok(value.to_string())
}

fn clean_duration(minutes: Option<u32>) -> Result<i64> {
    let minutes = minutes.unwrap_or(DEFAULT_DURATION_MINUTES);
    if !(1..=MAX_DURATION_MINUTES).contains(&minutes) {
        return Err(Error::invalid(
            "durationMinutes",
            format!("an appointment lasts 1 to {MAX_DURATION_MINUTES} minutes, not {minutes}"),
        ));
    }
    Ok(i64::from(minutes))
}

/// A local date and time typed by staff, as an instant in the clinic's zone.
fn start_from_input(store: &Store, value: &str) -> Result<(i64, String)> {
    let zone = settings::clinic_timezone(store)?;
    let order = local_time::DateOrder::for_region(&settings::clinic_region(store)?);
    let local = local_time::parse_start(value, order)
        .map_err(|e| Error::invalid("start", e.to_string()))?;
    let instant =
        local_time::resolve(zone, local).map_err(|e| Error::invalid("start", e.to_string()))?;
    Ok((instant.timestamp_millis(), zone.name().to_string()))
}

pub fn get(store: &Store, id: i64) -> Result<Appointment> {
    store.appointment(id)?.ok_or_else(|| {
        Error::Store(StoreError::NotFound {
            what: format!("appointment {id}"),
        })
    })
}

/// Books an appointment (adding the patient when the number is new), then queues its
/// confirmation. `sender` is `None` when Twilio is not set up: the booking stands and says so.
pub fn book(
    store: &Store,
    sender: Option<&Sender>,
    clock: &dyn Clock,
    input: &NewAppointment,
    actor: &str,
) -> Result<Booking> {
    let region = settings::clinic_region(store)?;
    let phone = crate::composer::phone::normalize(&input.phone, &region)?;
    let (first_name, last_name) = split_name(&input.name);
    // A patient on file is matched by number and keeps their name; only a new one needs it.
    let first_name = match (first_name.is_empty(), store.patient_on_file(&phone)?) {
        (false, _) => first_name,
        (true, Some(_)) => phone.clone(),
        (true, None) => {
            return Err(Error::invalid(
                "name",
                format!("{phone} is not on file yet; enter the patient's name"),
            ))
        }
    };
    let patient = patient_record(
        &NewPatient {
            first_name,
            last_name,
            phone,
            preferred_language: input.language.clone(),
            time_zone: None,
        },
        &region,
    )?;
    let (starts_at, time_zone) = start_from_input(store, &input.start)?;
    let record = AppointmentRecord {
        patient,
        starts_at,
        time_zone,
        duration_minutes: clean_duration(input.duration_minutes)?,
        provider: clean_field("provider", "provider", &input.provider)?,
        location: clean_field("location", "location", &input.location)?,
        import_key: None,
    };
    let (id, patient_created) = match store.insert_appointment(&record, clock.now_ms(), actor)? {
        Inserted::Created {
            appointment_id,
            patient_created,
        } => (appointment_id, patient_created),
        // Only imports carry a key; a booking is always new.
        Inserted::AlreadyImported => {
            return Err(Error::invalid(
                "start",
                "this appointment is already on file",
            ))
        }
    };
    let appointment = get(store, id)?;
    let sms = texts::confirm(store, sender, clock, &appointment, actor);
    let appointment = get(store, id)?;
    let sms = sms.after_sending(&appointment);
    Ok(Booking {
        appointment,
        patient_created,
        sms,
    })
}

/// Changes an appointment's time, length, provider or location. A new time cancels the unsent
/// texts about the old one, re-arms the reminders and sends a confirmation of the new time.
pub fn edit(
    store: &Store,
    sender: Option<&Sender>,
    clock: &dyn Clock,
    id: i64,
    changes: &AppointmentChanges,
    actor: &str,
) -> Result<Edited> {
    let current = get(store, id)?;
    if current.status != AppointmentStatus::Booked {
        return Err(Error::invalid(
            "status",
            format!(
                "appointment {id} is {}; only a booked appointment can be changed (book a new one)",
                current.status.describe()
            ),
        ));
    }
    let update = AppointmentUpdate {
        start: changes
            .start
            .as_deref()
            .map(|s| start_from_input(store, s))
            .transpose()?,
        duration_minutes: changes
            .duration_minutes
            .map(|m| clean_duration(Some(m)))
            .transpose()?,
        provider: changes
            .provider
            .as_deref()
            .map(|p| clean_field("provider", "provider", p))
            .transpose()?,
        location: changes
            .location
            .as_deref()
            .map(|l| clean_field("location", "location", l))
            .transpose()?,
    };
    let updated = store
        .update_appointment(id, &update, clock.now_ms(), actor)?
        .ok_or_else(|| {
            Error::invalid(
                "status",
                format!("appointment {id} changed meanwhile and is no longer booked"),
            )
        })?;
    let appointment = get(store, id)?;
    let sms = if updated.rescheduled {
        let outcome = texts::confirm(store, sender, clock, &appointment, actor);
        Some(outcome)
    } else {
        None
    };
    let appointment = get(store, id)?;
    Ok(Edited {
        sms: sms.map(|s| s.after_sending(&appointment)),
        appointment,
        rescheduled: updated.rescheduled,
        cancelled_texts: updated.cancelled_texts as u32,
    })
}

fn change_status(
    store: &Store,
    clock: &dyn Clock,
    id: i64,
    allowed_from: &[AppointmentStatus],
    to: AppointmentStatus,
    actor: &str,
) -> Result<StatusChanged> {
    let current = get(store, id)?;
    if current.status == to {
        return Ok(StatusChanged {
            appointment: current,
            cancelled_texts: 0,
        });
    }
    if !allowed_from.contains(&current.status) {
        return Err(Error::invalid(
            "status",
            format!(
                "appointment {id} is {}; it cannot be {}",
                current.status.describe(),
                to.describe()
            ),
        ));
    }
    let cancelled = store
        .set_appointment_status(id, current.status, to, clock.now_ms(), actor)?
        .ok_or_else(|| {
            Error::invalid(
                "status",
                format!("appointment {id} changed meanwhile; reload and try again"),
            )
        })?;
    Ok(StatusChanged {
        appointment: get(store, id)?,
        cancelled_texts: cancelled as u32,
    })
}

/// Cancels a booked appointment and its unsent confirmation and reminders.
pub fn cancel(store: &Store, clock: &dyn Clock, id: i64, actor: &str) -> Result<StatusChanged> {
    change_status(
        store,
        clock,
        id,
        &[AppointmentStatus::Booked],
        AppointmentStatus::Cancelled,
        actor,
    )
}

pub fn mark_arrived(
    store: &Store,
    clock: &dyn Clock,
    id: i64,
    actor: &str,
) -> Result<StatusChanged> {
    change_status(
        store,
        clock,
        id,
        &[AppointmentStatus::Booked, AppointmentStatus::NoShow],
        AppointmentStatus::Arrived,
        actor,
    )
}

pub fn mark_no_show(
    store: &Store,
    clock: &dyn Clock,
    id: i64,
    actor: &str,
) -> Result<StatusChanged> {
    change_status(
        store,
        clock,
        id,
        &[AppointmentStatus::Booked],
        AppointmentStatus::NoShow,
        actor,
    )
}

pub fn mark_completed(
    store: &Store,
    clock: &dyn Clock,
    id: i64,
    actor: &str,
) -> Result<StatusChanged> {
    change_status(
        store,
        clock,
        id,
        &[AppointmentStatus::Arrived],
        AppointmentStatus::Completed,
        actor,
    )
}

/// A day as staff type it (any format the CSV import accepts, slash dates in the order of the
/// clinic's region).
pub fn parse_day(store: &Store, value: &str) -> Result<NaiveDate> {
    let order = local_time::DateOrder::for_region(&settings::clinic_region(store)?);
    local_time::parse_date(value, order).map_err(|e| Error::invalid("date", e.to_string()))
}

/// Today in the clinic's zone.
pub fn today(store: &Store, clock: &dyn Clock) -> Result<NaiveDate> {
    let zone = settings::clinic_timezone(store)?;
    Ok(chrono::DateTime::from_timestamp_millis(clock.now_ms())
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive())
}

/// How many upcoming appointments the chat shows beside a thread.
pub const UPCOMING_LIMIT: u32 = 10;

/// The patient's appointments still ahead (not cancelled), earliest first, each with its latest
/// text; for the panel beside their chat.
pub fn upcoming_for_phone(
    store: &Store,
    clock: &dyn Clock,
    phone: &str,
) -> Result<Vec<Appointment>> {
    Ok(store.upcoming_appointments_for_phone(phone, clock.now_ms(), UPCOMING_LIMIT)?)
}

/// The appointments of one day in the clinic's zone, earliest first, each with its latest text.
pub fn list_day(store: &Store, day: NaiveDate) -> Result<Vec<Appointment>> {
    let zone = settings::clinic_timezone(store)?;
    let (from, until) = local_time::day_bounds(zone, day);
    Ok(store.appointments_between(from, until)?)
}
