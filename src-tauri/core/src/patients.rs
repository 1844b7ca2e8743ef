//! Adding and listing patients: input from staff or a CSV is checked and normalised here, once,
//! before it reaches the store.

use serde::Deserialize;
use ts_rs::TS;

use crate::composer::phone;
use crate::error::{Error, Result};
use crate::settings;
use crate::store::patients::{LineType, Patient, PatientRecord};
use crate::store::{ConstraintKind, Store, StoreError};

const MAX_NAME_CHARS: usize = 100;

/// What staff type in the New patient form (or a CSV row carries).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewPatient {
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub phone: String,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

fn clean_name(field: &'static str, label: &str, value: &str, required: bool) -> Result<String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Error::invalid(
            field,
            format!("enter the patient's {label}"),
        ));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("the {label} is longer than {MAX_NAME_CHARS} characters"),
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

/// A language code, or empty for "no preference": such a patient's texts follow the clinic's
/// language (`clinic.language`), even after the clinic changes it.
fn clean_language(value: Option<&str>) -> Result<String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(String::new());
    };
    let mut parts = value.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !(primary_ok && rest_ok) {
        return Err(Error::invalid(
            "preferredLanguage",
            format!("\"{value}\" is not a language code; use one like en, es or zh-Hant"),
        ));
    }
    Ok(value.to_string())
}

fn clean_time_zone(value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(zone) => zone
            .parse::<chrono_tz::Tz>()
            .map(|tz| Some(tz.name().to_string()))
            .map_err(|_| {
                Error::invalid(
                    "timeZone",
                    format!("\"{zone}\" is not a time zone; use a name like America/New_York"),
                )
            }),
    }
}

/// Checks and normalises a new patient (number read in `region`), ready to store.
pub fn patient_record(input: &NewPatient, region: &str) -> Result<PatientRecord> {
    Ok(PatientRecord {
        first_name: clean_name("firstName", "first name", &input.first_name, true)?,
        last_name: clean_name("lastName", "last name", &input.last_name, false)?,
        preferred_language: clean_language(input.preferred_language.as_deref())?,
        time_zone: clean_time_zone(input.time_zone.as_deref())?,
        phone_e164: phone::normalize(&input.phone, region)?,
        line_type: LineType::Unknown,
    })
}

pub fn add_patient(store: &Store, input: &NewPatient) -> Result<Patient> {
    let region = settings::clinic_region(store)?;
    let record = patient_record(input, &region)?;
    store.insert_patient(&record).map_err(|err| match err {
        StoreError::Constraint {
            kind: ConstraintKind::Unique,
            ..
        } => Error::Store(StoreError::Constraint {
            kind: ConstraintKind::Unique,
            message: format!(
                "{} is already on file for another patient; search for it in Patients",
                record.phone_e164
            ),
        }),
        other => Error::Store(other),
    })
}

pub fn list_patients(store: &Store) -> Result<Vec<Patient>> {
    Ok(store.list_patients()?)
}
