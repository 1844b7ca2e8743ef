//! Templates for the Settings editor and the chat composer's picker: the list, a preview (with
//! the sample appointment, or filled in for one patient from their next appointment), and saving
//! or resetting one, which needs the admin.
//!
//! A fact nobody has (no upcoming appointment, no clinic phone set) does not stop a preview: its
//! placeholder stays as written, e.g. "{date}", and the answer says why in words, so the
//! receptionist can type it in rather than lose the rest of the text. The composer refuses to
//! send while such a placeholder is left in the text.

use chrono::{DateTime, Utc};
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::composer::segments;
use clinic_desk_core::store::appointments::{Appointment, AppointmentStatus};
use clinic_desk_core::templates::{
    self, Facts, Piece, Placeholder, Template, TemplateKind, TemplatePreview, TemplateWarning,
};
use clinic_desk_core::{appointments, settings, Error, Store};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::blocking;
use crate::admin_session::AdminSessions;
use crate::error::CommandResult;
use crate::state::AppState;

/// Every template and what the editor offers to insert.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateList {
    /// By kind, then language: the clinic's wording where it saved one, else the built-in.
    pub templates: Vec<Template>,
    /// Placeholder names without braces, e.g. "patient_first_name".
    pub placeholders: Vec<String>,
    /// The language texts fall back to when a patient's has no version.
    pub clinic_language: String,
    /// Languages with built-in wording: resetting a version in another language removes it.
    pub built_in_languages: Vec<String>,
}

/// A template filled in as far as the facts allow.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FilledTemplate {
    /// The text with unfilled placeholders left as written, counted as it stands.
    pub preview: TemplatePreview,
    /// Names of the placeholders left in the text, without braces.
    pub unfilled: Vec<String>,
    /// Why each of them is left, in sentences for the receptionist (one per reason).
    pub notes: Vec<String>,
    /// The patient's appointment the facts came from, in words ("Tue, Mar 10 at 2:30 PM with
    /// Dr. Lee"); none for the sample appointment or a patient without one.
    pub appointment: Option<String>,
}

/// A saved template and the editor's warnings about it (which did not stop the save).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedTemplate {
    pub template: Template,
    pub warnings: Vec<TemplateWarning>,
}

#[tauri::command]
pub async fn list_templates(state: State<'_, AppState>) -> CommandResult<TemplateList> {
    blocking(&state.store, list).await
}

/// `language` omitted: the patient's preferred one (with `phone`), else the clinic's. `body`
/// omitted: the saved wording. `phone` omitted: the sample appointment.
#[tauri::command]
pub async fn preview_template(
    state: State<'_, AppState>,
    kind: TemplateKind,
    language: Option<String>,
    body: Option<String>,
    phone: Option<String>,
) -> CommandResult<FilledTemplate> {
    blocking(&state.store, move |store| {
        fill(
            store,
            &SystemClock,
            &Request {
                kind,
                language: language.as_deref(),
                body: body.as_deref(),
                phone: phone.as_deref(),
            },
        )
    })
    .await
}

#[tauri::command]
pub async fn save_template(
    state: State<'_, AppState>,
    kind: TemplateKind,
    language: String,
    body: String,
) -> CommandResult<SavedTemplate> {
    let sessions = state.admin.clone();
    blocking(&state.store, move |store| {
        save_as_admin(&sessions, store, &SystemClock, kind, &language, &body)
    })
    .await
}

/// Returns the version that now stands for this kind and language: the built-in one, or none
/// when there is no built-in wording in that language (the language's version is gone).
#[tauri::command]
pub async fn reset_template(
    state: State<'_, AppState>,
    kind: TemplateKind,
    language: String,
) -> CommandResult<Option<Template>> {
    let sessions = state.admin.clone();
    blocking(&state.store, move |store| {
        reset_as_admin(&sessions, store, &SystemClock, kind, &language)
    })
    .await
}

pub fn list(store: &Store) -> Result<TemplateList, Error> {
    Ok(TemplateList {
        templates: templates::list(store)?,
        placeholders: Placeholder::ALL
            .iter()
            .map(|p| p.name().to_string())
            .collect(),
        clinic_language: settings::clinic_language(store)?,
        built_in_languages: templates::LANGUAGES.iter().map(|l| l.to_string()).collect(),
    })
}

/// What to preview.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub kind: TemplateKind,
    pub language: Option<&'a str>,
    pub body: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Where the facts come from.
enum Source<'a> {
    /// The core's sample: "Alex", tomorrow at 14:30 with Dr. Lee.
    Sample,
    Appointment(&'a Appointment),
    /// A patient (or an unknown number) with no upcoming appointment.
    NoAppointment {
        first_name: Option<&'a str>,
    },
}

/// Fills a template for the editor (sample appointment) or for one patient, leaving what cannot
/// be filled as written. A template that cannot be saved (unknown placeholder, stray brace) is
/// refused with the core's words.
pub fn fill(
    store: &Store,
    clock: &dyn Clock,
    request: &Request<'_>,
) -> Result<FilledTemplate, Error> {
    let patient = match request.phone {
        Some(phone) => Some(patient_facts(store, clock, phone)?),
        None => None,
    };
    let wanted = match request
        .language
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .or_else(|| patient.as_ref().and_then(|p| p.language.clone()))
    {
        Some(language) => language,
        None => settings::clinic_language(store)?,
    };
    let (body, language) = match request.body {
        Some(body) => (body.to_string(), templates::normalize_language(&wanted)?),
        // The saved wording in the best language there is, as texts to this patient would use.
        None => {
            let template = templates::resolve(store, request.kind, &wanted)?;
            (template.body, template.language)
        }
    };
    let pieces = templates::parse(&body)?;

    let source = match &patient {
        None => Source::Sample,
        Some(PatientFacts {
            appointment: Some(appointment),
            ..
        }) => Source::Appointment(appointment),
        Some(p) => Source::NoAppointment {
            first_name: p.first_name.as_deref(),
        },
    };
    let mut text = String::with_capacity(body.len() + 64);
    let mut unfilled: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut without_appointment: Vec<&str> = Vec::new();
    for piece in pieces {
        let placeholder = match piece {
            Piece::Text(literal) => {
                text.push_str(literal);
                continue;
            }
            Piece::Fill(placeholder) => placeholder,
        };
        match fill_one(store, clock, request.kind, &language, &source, placeholder)? {
            Filled::Text(value) => text.push_str(&value),
            missing => {
                let name = placeholder.name();
                text.push('{');
                text.push_str(name);
                text.push('}');
                if !unfilled.iter().any(|u| u == name) {
                    unfilled.push(name.to_string());
                }
                match missing {
                    Filled::NoAppointment if !without_appointment.contains(&name) => {
                        without_appointment.push(name)
                    }
                    Filled::Missing(note) if !notes.contains(&note) => notes.push(note),
                    _ => {}
                }
            }
        }
    }
    if !without_appointment.is_empty() {
        let who = match &source {
            Source::NoAppointment {
                first_name: Some(name),
            } => name.to_string(),
            _ => "This number".to_string(),
        };
        notes.insert(
            0,
            format!(
                "{who} has no upcoming appointment, so {} {} left for you to type in before \
                 sending",
                braced_list(&without_appointment),
                if without_appointment.len() == 1 {
                    "is"
                } else {
                    "are"
                },
            ),
        );
    }

    let info = segments::count(&text);
    Ok(FilledTemplate {
        preview: TemplatePreview {
            kind: request.kind,
            language,
            segments: info.segments,
            encoding: info.encoding,
            characters: u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
            warnings: templates::check_template(&body).warnings,
            text,
        },
        unfilled,
        notes,
        appointment: match &source {
            Source::Appointment(appointment) => Some(describe(appointment)),
            _ => None,
        },
    })
}

enum Filled {
    Text(String),
    /// The patient has no appointment to take the fact from.
    NoAppointment,
    /// Nobody has the fact; the core's words say what to add.
    Missing(String),
}

/// One placeholder through the core's own rendering, so dates, times and fallbacks read exactly
/// as in the texts the clinic sends.
fn fill_one(
    store: &Store,
    clock: &dyn Clock,
    kind: TemplateKind,
    language: &str,
    source: &Source<'_>,
    placeholder: Placeholder,
) -> Result<Filled, Error> {
    let alone = format!("{{{}}}", placeholder.name());
    let rendered = match source {
        Source::Sample => {
            templates::preview(store, clock, kind, language, Some(&alone), None, None)
                .map(|p| p.text)
        }
        Source::Appointment(appointment) => {
            templates::fill_for_appointment(store, &alone, language, appointment, None)
        }
        Source::NoAppointment { first_name } => {
            let appointment_fact = matches!(
                placeholder,
                Placeholder::Date
                    | Placeholder::Time
                    | Placeholder::Provider
                    | Placeholder::Location
            );
            if appointment_fact
                || (placeholder == Placeholder::PatientFirstName && first_name.is_none())
            {
                return Ok(Filled::NoAppointment);
            }
            let clinic_name = settings::clinic_name(store)?;
            let clinic_phone = settings::clinic_phone(store)?;
            let link = settings::clinic_link(store)?;
            templates::render(
                &alone,
                language,
                &Facts {
                    patient_first_name: first_name.unwrap_or_default(),
                    clinic_name: &clinic_name,
                    clinic_phone: clinic_phone.as_deref(),
                    start: None,
                    provider: "",
                    location: "",
                    link: link.as_deref(),
                },
            )
            .map_err(Error::from)
        }
    };
    match rendered {
        Ok(text) => Ok(Filled::Text(text)),
        // The placeholder is a known one on its own, so the only refusal left is a missing fact.
        Err(Error::InvalidInput { message, .. }) => Ok(Filled::Missing(message)),
        Err(other) => Err(other),
    }
}

struct PatientFacts {
    first_name: Option<String>,
    language: Option<String>,
    appointment: Option<Appointment>,
}

/// The patient on this number and their next booked appointment, if any.
fn patient_facts(store: &Store, clock: &dyn Clock, phone: &str) -> Result<PatientFacts, Error> {
    let phone = phone.trim();
    let Some(patient_id) = store.patient_id_by_phone(phone)? else {
        return Ok(PatientFacts {
            first_name: None,
            language: None,
            appointment: None,
        });
    };
    let patient = store.patient(patient_id)?;
    // The same appointments the chat's side panel lists; the next one still booked.
    let appointment = appointments::upcoming_for_phone(store, clock, phone)?
        .into_iter()
        .find(|a| a.status == AppointmentStatus::Booked);
    Ok(PatientFacts {
        first_name: patient
            .as_ref()
            .map(|p| p.first_name.trim().to_string())
            .filter(|n| !n.is_empty()),
        // Empty means no preference: the clinic's language applies.
        language: patient
            .map(|p| p.preferred_language)
            .filter(|l| !l.trim().is_empty()),
        appointment,
    })
}

/// "Tue, Mar 10 at 2:30 PM with Dr. Lee", in the appointment's zone.
fn describe(appointment: &Appointment) -> String {
    let start: DateTime<Utc> = appointment.start_utc();
    let local = start.with_timezone(&appointment.zone());
    let mut words = format!(
        "{} at {}",
        templates::format_date(local, false),
        templates::format_time(local, false)
    );
    if !appointment.provider.trim().is_empty() {
        words.push_str(" with ");
        words.push_str(appointment.provider.trim());
    }
    words
}

/// "{date}", "{date} and {time}", "{date}, {time} and {provider}".
fn braced_list(names: &[&str]) -> String {
    let braced: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
    match braced.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// [`save`] behind the admin gate, as the admin who unlocked.
pub fn save_as_admin(
    sessions: &AdminSessions,
    store: &Store,
    clock: &dyn Clock,
    kind: TemplateKind,
    language: &str,
    body: &str,
) -> Result<SavedTemplate, Error> {
    let actor = sessions.require()?.actor;
    save(store, clock, &actor, kind, language, body)
}

/// Checks and saves the clinic's wording as `actor` (the core audits it).
pub fn save(
    store: &Store,
    clock: &dyn Clock,
    actor: &str,
    kind: TemplateKind,
    language: &str,
    body: &str,
) -> Result<SavedTemplate, Error> {
    let now = clock.now_ms();
    let check = templates::set(store, kind, language, body, actor, now)?;
    let language = templates::normalize_language(language)?;
    let template = templates::list(store)?
        .into_iter()
        .find(|t| t.kind == kind && t.language == language && t.custom)
        .ok_or_else(|| {
            Error::invalid(
                "body",
                "the template was saved but cannot be read back; reload the list",
            )
        })?;
    Ok(SavedTemplate {
        template,
        warnings: check.warnings,
    })
}

/// [`reset`] behind the admin gate.
pub fn reset_as_admin(
    sessions: &AdminSessions,
    store: &Store,
    clock: &dyn Clock,
    kind: TemplateKind,
    language: &str,
) -> Result<Option<Template>, Error> {
    let actor = sessions.require()?.actor;
    reset(store, clock, &actor, kind, language)
}

pub fn reset(
    store: &Store,
    clock: &dyn Clock,
    actor: &str,
    kind: TemplateKind,
    language: &str,
) -> Result<Option<Template>, Error> {
    let language = templates::normalize_language(language)?;
    templates::reset(store, kind, &language, actor, clock.now_ms())?;
    Ok(templates::list(store)?
        .into_iter()
        .find(|t| t.kind == kind && t.language == language))
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::access;
    use clinic_desk_core::appointments::NewAppointment;
    use clinic_desk_core::store::audit::{AuditAction, AuditFilter};
    use clinic_desk_core::templates::WarningKind;
    use clinic_desk_core::ErrorCode;

    use super::*;

    /// 2026-03-09 15:00 UTC, a Monday.
    const NOW: i64 = 1_773_068_400_000;
    const PHONE: &str = "+14155550134";

    struct FixedClock(i64);

    impl Clock for FixedClock {
        fn now_ms(&self) -> i64 {
            self.0
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        settings::set(&store, settings::CLINIC_NAME, "Harbor Clinic", "test").unwrap();
        settings::set(
            &store,
            settings::CLINIC_TIMEZONE,
            "America/New_York",
            "test",
        )
        .unwrap();
        (dir, store)
    }

    fn request(kind: TemplateKind) -> Request<'static> {
        Request {
            kind,
            language: None,
            body: None,
            phone: None,
        }
    }

    fn book(store: &Store, language: &str, start: &str) -> Appointment {
        let booking = appointments::book(
            store,
            None,
            &FixedClock(NOW),
            &NewAppointment {
                name: "Nadia Rivera".into(),
                phone: PHONE.into(),
                start: start.into(),
                duration_minutes: None,
                provider: "Dr. Okafor".into(),
                location: "Suite 4".into(),
                language: Some(language.into()),
            },
            "test",
        )
        .unwrap();
        booking.appointment
    }

    fn template_audits(store: &Store) -> Vec<serde_json::Value> {
        let mut rows = Vec::new();
        store
            .scan_audit(&AuditFilter::default(), |row| {
                if row.action == AuditAction::SettingsChanged.as_str()
                    && row.detail.contains("template")
                {
                    rows.push(serde_json::from_str(&row.detail).unwrap());
                }
                std::ops::ControlFlow::Continue(())
            })
            .unwrap();
        rows
    }

    #[test]
    fn the_list_has_every_kind_in_both_built_in_languages_and_the_placeholders() {
        let (_dir, store) = store();
        let list = list(&store).unwrap();
        assert_eq!(list.templates.len(), TemplateKind::ALL.len() * 2);
        assert!(list.templates.iter().all(|t| !t.custom));
        assert!(list
            .placeholders
            .contains(&"patient_first_name".to_string()));
        assert_eq!(list.placeholders.len(), 8);
        assert_eq!(list.clinic_language, "en");
        assert_eq!(list.built_in_languages, vec!["en", "es"]);
    }

    #[test]
    fn the_editor_preview_fills_the_sample_and_counts_segments() {
        let (_dir, store) = store();
        let filled = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                language: Some("en"),
                body: Some("{clinic_name}: see you {date} at {time}, {patient_first_name}."),
                ..request(TemplateKind::Reminder)
            },
        )
        .unwrap();
        assert_eq!(
            filled.preview.text,
            "Harbor Clinic: see you Tue, Mar 10 at 2:30 PM, Alex."
        );
        assert_eq!(filled.preview.segments, 1);
        assert_eq!(filled.preview.characters, 52);
        assert!(filled.unfilled.is_empty());
        assert!(filled.notes.is_empty());
        assert_eq!(filled.appointment, None);
    }

    #[test]
    fn an_unknown_placeholder_is_refused_in_words() {
        let (_dir, store) = store();
        let err = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                language: Some("en"),
                body: Some("See you {dat}"),
                ..request(TemplateKind::Reminder)
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(
            err.to_string()
                .starts_with("{dat} is not a placeholder; use one of {patient_first_name}"),
            "{err}"
        );
    }

    #[test]
    fn warnings_come_with_the_preview() {
        let (_dir, store) = store();
        let filled = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                language: Some("en"),
                body: Some("Your test results are in. Reply CANCEL to cancel."),
                ..request(TemplateKind::Reminder)
            },
        )
        .unwrap();
        let kinds: Vec<WarningKind> = filled.preview.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            vec![WarningKind::OptOutWord, WarningKind::ClinicalDetail]
        );
    }

    #[test]
    fn a_fact_nobody_has_stays_as_written_with_the_reason() {
        let (_dir, store) = store();
        // No clinic phone is set, and the directions text needs it.
        let filled = fill(&store, &FixedClock(NOW), &request(TemplateKind::Directions)).unwrap();
        assert!(
            filled.preview.text.ends_with("Call {clinic_phone}."),
            "{}",
            filled.preview.text
        );
        assert_eq!(filled.unfilled, vec!["clinic_phone".to_string()]);
        assert_eq!(filled.notes.len(), 1);
        assert!(
            filled.notes[0].contains("the clinic's phone is not set"),
            "{:?}",
            filled.notes
        );
    }

    #[test]
    fn for_a_patient_the_next_appointment_and_their_language_fill_it() {
        let (_dir, store) = store();
        // The earlier one is past: the next one ahead is used.
        book(&store, "es", "2026-03-02 09:00");
        book(&store, "es", "2026-03-12 10:00");
        book(&store, "es", "2026-03-20 10:00");
        let filled = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                phone: Some(PHONE),
                ..request(TemplateKind::Confirmation)
            },
        )
        .unwrap();
        assert_eq!(filled.preview.language, "es");
        assert!(
            filled.preview.text.starts_with("Harbor Clinic: Hola Nadia, su cita con Dr. Okafor es el jueves 12 de marzo a las 10:00 a. m."),
            "{}",
            filled.preview.text
        );
        assert!(filled.unfilled.is_empty());
        assert_eq!(
            filled.appointment.as_deref(),
            Some("Thu, Mar 12 at 10:00 AM with Dr. Okafor")
        );

        // A language asked for explicitly wins over the patient's.
        let english = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                phone: Some(PHONE),
                language: Some("en"),
                ..request(TemplateKind::Confirmation)
            },
        )
        .unwrap();
        assert!(english.preview.text.starts_with("Harbor Clinic: Hi Nadia, your appointment with Dr. Okafor is on Thu, Mar 12 at 10:00 AM."), "{}", english.preview.text);
    }

    #[test]
    fn without_an_upcoming_appointment_what_can_be_filled_is_and_the_rest_is_named() {
        let (_dir, store) = store();
        let appointment = book(&store, "en", "2026-03-12 10:00");
        appointments::cancel(&store, &FixedClock(NOW), appointment.id, "test").unwrap();
        let filled = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                phone: Some(PHONE),
                ..request(TemplateKind::Confirmation)
            },
        )
        .unwrap();
        assert_eq!(
            filled.preview.text,
            "Harbor Clinic: Hi Nadia, your appointment with {provider} is on {date} at {time}. Reply C to confirm or R to reschedule."
        );
        assert_eq!(filled.unfilled, vec!["provider", "date", "time"]);
        assert_eq!(
            filled.notes,
            vec!["Nadia has no upcoming appointment, so {provider}, {date} and {time} are left for you to type in before sending".to_string()]
        );
        assert_eq!(filled.appointment, None);

        // A number that is not a patient: not even the name.
        let stranger = fill(
            &store,
            &FixedClock(NOW),
            &Request {
                phone: Some("+14155550199"),
                ..request(TemplateKind::RunningLate)
            },
        )
        .unwrap();
        assert!(stranger
            .preview
            .text
            .starts_with("Harbor Clinic: Hi {patient_first_name}, "));
        assert!(stranger.notes[0].starts_with("This number has no upcoming appointment"));
    }

    #[test]
    fn saving_checks_warns_audits_and_reset_goes_back_to_the_built_in() {
        let (_dir, store) = store();
        let saved = save(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Reminder,
            "ES",
            "{clinic_name}: su cita es el {date}. Reply CANCEL to cancel.",
        )
        .unwrap();
        assert!(saved.template.custom);
        assert_eq!(saved.template.language, "es");
        assert_eq!(saved.template.updated_by.as_deref(), Some("admin"));
        assert_eq!(saved.warnings.len(), 1);
        assert_eq!(saved.warnings[0].kind, WarningKind::OptOutWord);
        assert_eq!(
            template_audits(&store),
            vec![serde_json::json!({"template": "reminder", "language": "es", "change": "saved"})]
        );

        let back = reset(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Reminder,
            "es",
        )
        .unwrap()
        .unwrap();
        assert!(!back.custom);
        assert_eq!(template_audits(&store).len(), 2);
        // Nothing to reset: nothing audited.
        reset(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Reminder,
            "es",
        )
        .unwrap();
        assert_eq!(template_audits(&store).len(), 2);
    }

    #[test]
    fn a_new_language_version_is_listed_and_goes_away_on_reset() {
        let (_dir, store) = store();
        save(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Directions,
            "fr",
            "{clinic_name}: nous sommes au {location}.",
        )
        .unwrap();
        assert!(list(&store)
            .unwrap()
            .templates
            .iter()
            .any(|t| t.language == "fr" && t.kind == TemplateKind::Directions));
        let standing = reset(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Directions,
            "fr",
        )
        .unwrap();
        assert_eq!(standing, None);
    }

    #[test]
    fn an_unknown_placeholder_is_not_saved() {
        let (_dir, store) = store();
        let err = save(
            &store,
            &FixedClock(NOW),
            "admin",
            TemplateKind::Reminder,
            "en",
            "See you {when}",
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(
            err.to_string().contains("{when} is not a placeholder"),
            "{err}"
        );
        let reminder = templates::resolve(&store, TemplateKind::Reminder, "en").unwrap();
        assert!(!reminder.custom);
        assert!(template_audits(&store).is_empty());
    }

    #[test]
    fn saving_and_resetting_need_an_admin_session() {
        let (_dir, store) = store();
        let sessions = AdminSessions::default();
        let err = save_as_admin(
            &sessions,
            &store,
            &FixedClock(NOW),
            TemplateKind::Reminder,
            "en",
            "See you {date}",
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::AdminRequired);
        assert!(
            !templates::resolve(&store, TemplateKind::Reminder, "en")
                .unwrap()
                .custom
        );
        let err = reset_as_admin(
            &sessions,
            &store,
            &FixedClock(NOW),
            TemplateKind::Reminder,
            "en",
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::AdminRequired);

        access::set_passphrase(&store, "a long passphrase", None, "admin").unwrap();
        sessions.start(access::verify(&store, "a long passphrase", "admin").unwrap());
        let saved = save_as_admin(
            &sessions,
            &store,
            &FixedClock(NOW),
            TemplateKind::Reminder,
            "en",
            "See you {date}",
        )
        .unwrap();
        assert_eq!(saved.template.updated_by.as_deref(), Some("admin"));
        assert!(reset_as_admin(
            &sessions,
            &store,
            &FixedClock(NOW),
            TemplateKind::Reminder,
            "en"
        )
        .unwrap()
        .is_some());
    }
}
