//! Text templates: confirmation, reminder, running late, intake form link and directions, one
//! version per language. Templates carry appointment facts only, through a fixed set of
//! placeholders checked when a template is saved; the patient's language picks the version,
//! falling back to the clinic's. Built-in defaults stand wherever the clinic saved nothing.

mod check;
mod defaults;
mod render;

use chrono::{Duration, NaiveTime, TimeZone};
use serde::Serialize;
use ts_rs::TS;

pub use check::{
    asks_for_opt_out_word, check_template, parse, Piece, Placeholder, TemplateCheck, TemplateError,
    TemplateWarning, WarningKind,
};
pub use defaults::{default_body, CLINIC_LANGUAGE, LANGUAGES};
pub use render::{format_date, format_time, render, Facts};

pub use crate::store::templates::TemplateKind;

use crate::clock::Clock;
use crate::compliance::audit::check_actor;
use crate::composer::segments::{self, Encoding};
use crate::error::{Error, Result};
use crate::messaging::check_body;
use crate::settings;
use crate::store::appointments::Appointment;
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::templates::StoredTemplate;
use crate::store::Store;

impl From<TemplateError> for Error {
    fn from(err: TemplateError) -> Self {
        Error::invalid("body", err.to_string())
    }
}

/// A template as the clinic has it: its own wording or the built-in one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub kind: TemplateKind,
    pub language: String,
    pub body: String,
    /// The clinic saved this wording (otherwise it is the built-in default).
    pub custom: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

impl Template {
    fn built_in(kind: TemplateKind, language: &str, body: &str) -> Self {
        Self {
            kind,
            language: language.to_string(),
            body: body.to_string(),
            custom: false,
            updated_by: None,
            updated_at: None,
        }
    }

    fn stored(stored: StoredTemplate) -> Self {
        Self {
            kind: stored.kind,
            language: stored.language,
            body: stored.body,
            custom: true,
            updated_by: Some(stored.updated_by),
            updated_at: Some(stored.updated_at),
        }
    }
}

/// A language tag as templates are keyed: lower case, checked ("es", "pt-br").
pub fn normalize_language(value: &str) -> Result<String> {
    let value = value.trim().to_lowercase();
    let mut parts = value.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !(primary_ok && rest_ok) {
        return Err(Error::invalid(
            "language",
            format!("\"{value}\" is not a language code; use one like en, es or pt-BR"),
        ));
    }
    Ok(value)
}

/// Languages to try for a patient, best first: theirs, its primary subtag, the clinic's, then
/// English (the one every kind has built-in wording in).
fn language_chain(preferred: &str, clinic: &str) -> Vec<String> {
    let mut chain = Vec::new();
    if let Ok(language) = normalize_language(preferred) {
        if let Some((primary, _)) = language.split_once('-') {
            let primary = primary.to_string();
            chain.push(language);
            chain.push(primary);
        } else {
            chain.push(language);
        }
    }
    if let Some((primary, _)) = clinic.split_once('-') {
        chain.push(clinic.to_string());
        chain.push(primary.to_string());
    } else {
        chain.push(clinic.to_string());
    }
    chain.push(CLINIC_LANGUAGE.to_string());
    let mut seen = std::collections::HashSet::new();
    chain.retain(|language| seen.insert(language.clone()));
    chain
}

/// Every template: built-in ones and the clinic's, by kind then language.
pub fn list(store: &Store) -> Result<Vec<Template>> {
    let mut templates: Vec<Template> = store
        .stored_templates()?
        .into_iter()
        .map(Template::stored)
        .collect();
    for kind in TemplateKind::ALL {
        for language in LANGUAGES {
            let saved = templates
                .iter()
                .any(|t| t.kind == kind && t.language == *language);
            if let (false, Some(body)) = (saved, default_body(kind, language)) {
                templates.push(Template::built_in(kind, language, body));
            }
        }
    }
    templates.sort_by(|a, b| (a.kind, &a.language).cmp(&(b.kind, &b.language)));
    Ok(templates)
}

/// The version of `kind` for a patient who prefers `language`: the clinic's wording or the
/// built-in one in that language, else in the clinic's language.
pub fn resolve(store: &Store, kind: TemplateKind, language: &str) -> Result<Template> {
    let clinic = settings::clinic_language(store)?;
    for candidate in language_chain(language, &clinic) {
        if let Some(stored) = store.template(kind, &candidate)? {
            return Ok(Template::stored(stored));
        }
        if let Some(body) = default_body(kind, &candidate) {
            return Ok(Template::built_in(kind, &candidate, body));
        }
    }
    let body = default_body(kind, CLINIC_LANGUAGE).unwrap_or_default();
    Ok(Template::built_in(kind, CLINIC_LANGUAGE, body))
}

/// Saves the clinic's wording after checking it (placeholders, braces, length, invisible
/// characters), with its audit entry in the same transaction. Returns the editor's warnings,
/// which do not stop the save.
pub fn set(
    store: &Store,
    kind: TemplateKind,
    language: &str,
    body: &str,
    actor: &str,
    now: i64,
) -> Result<TemplateCheck> {
    let language = normalize_language(language)?;
    parse(body)?;
    check_body(body)?;
    let audit = change_entry(now, actor, kind, &language, "saved")?;
    store.save_template(kind, &language, body, &audit)?;
    Ok(check_template(body))
}

/// Goes back to the built-in wording (audited when the clinic had its own). Returns whether the
/// clinic had its own.
pub fn reset(
    store: &Store,
    kind: TemplateKind,
    language: &str,
    actor: &str,
    now: i64,
) -> Result<bool> {
    let language = normalize_language(language)?;
    let audit = change_entry(now, actor, kind, &language, "reset to the built-in wording")?;
    Ok(store.delete_template(kind, &language, &audit)?)
}

/// Template changes are settings changes: who changed which template, never its wording.
fn change_entry(
    now: i64,
    actor: &str,
    kind: TemplateKind,
    language: &str,
    change: &str,
) -> Result<AuditEntry> {
    Ok(AuditEntry::new(
        now,
        check_actor(actor)?,
        AuditAction::SettingsChanged,
        "",
        serde_json::json!({ "template": kind.as_sql(), "language": language, "change": change }),
    ))
}

/// Parses a kind name, listing the valid ones when it is not one.
pub fn parse_kind(value: &str) -> Result<TemplateKind> {
    TemplateKind::parse(value).ok_or_else(|| {
        let kinds: Vec<&str> = TemplateKind::ALL.iter().map(|k| k.as_sql()).collect();
        Error::invalid(
            "kind",
            format!(
                "\"{}\" is not a template kind; use one of {}",
                value.trim(),
                kinds.join(", ")
            ),
        )
    })
}

/// The text of `body` for one appointment, in `language`, with the clinic's name and phone.
pub fn fill_for_appointment(
    store: &Store,
    body: &str,
    language: &str,
    appointment: &Appointment,
    link: Option<&str>,
) -> Result<String> {
    let clinic_name = settings::clinic_name(store)?;
    let clinic_phone = settings::clinic_phone(store)?;
    let clinic_link = match link {
        Some(link) => Some(link.to_string()),
        None => settings::clinic_link(store)?,
    };
    let start = appointment.start_utc().with_timezone(&appointment.zone());
    Ok(render(
        body,
        language,
        &Facts {
            patient_first_name: &appointment.patient_first_name,
            clinic_name: &clinic_name,
            clinic_phone: clinic_phone.as_deref(),
            start: Some(start),
            provider: &appointment.provider,
            location: &appointment.location,
            link: clinic_link.as_deref(),
        },
    )?)
}

/// What the editor's preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplatePreview {
    pub kind: TemplateKind,
    pub language: String,
    pub text: String,
    pub segments: u32,
    pub encoding: Encoding,
    pub characters: u32,
    pub warnings: Vec<TemplateWarning>,
}

/// Renders a template (the saved one, or `body` being edited) for an appointment, or for a
/// sample one tomorrow at 14:30 when none is given, with its segment count.
pub fn preview(
    store: &Store,
    clock: &dyn Clock,
    kind: TemplateKind,
    language: &str,
    body: Option<&str>,
    appointment: Option<&Appointment>,
    link: Option<&str>,
) -> Result<TemplatePreview> {
    let language = normalize_language(language)?;
    let body = match body {
        Some(body) => body.to_string(),
        None => resolve(store, kind, &language)?.body,
    };
    let text = match appointment {
        Some(appointment) => fill_for_appointment(store, &body, &language, appointment, link)?,
        None => {
            let zone = settings::clinic_timezone(store)?;
            let today = chrono::DateTime::from_timestamp_millis(clock.now_ms())
                .unwrap_or_default()
                .with_timezone(&zone)
                .date_naive();
            let sample = (today + Duration::days(1))
                .and_time(NaiveTime::from_hms_opt(14, 30, 0).unwrap_or_default());
            let start = zone.from_local_datetime(&sample).earliest();
            let clinic_name = settings::clinic_name(store)?;
            let clinic_phone = settings::clinic_phone(store)?;
            render(
                &body,
                &language,
                &Facts {
                    patient_first_name: "Alex",
                    clinic_name: &clinic_name,
                    clinic_phone: clinic_phone.as_deref(),
                    start,
                    provider: "Dr. Lee",
                    location: "Suite 200",
                    link: Some(link.unwrap_or("https://example.com/forms")),
                },
            )?
        }
    };
    let info = segments::count(&text);
    Ok(TemplatePreview {
        kind,
        language,
        segments: info.segments,
        encoding: info.encoding,
        characters: text.chars().count() as u32,
        warnings: check_template(&body).warnings,
        text,
    })
}
