//! Filling a template with an appointment's facts, with dates and times written the way the
//! patient's language writes them ("Tue, Mar 10" and "2:30 PM"; "martes 10 de marzo" and
//! "2:30 p. m."). Languages without their own format use English's.

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;

use super::check::{parse, Piece, Placeholder, TemplateError};

/// The facts a text may carry. `None` or empty means the clinic or appointment has none.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub patient_first_name: &'a str,
    pub clinic_name: &'a str,
    pub clinic_phone: Option<&'a str>,
    /// The appointment's start in the clinic's zone.
    pub start: Option<DateTime<Tz>>,
    pub provider: &'a str,
    pub location: &'a str,
    pub link: Option<&'a str>,
}

/// The template's text with every placeholder filled. A fact the text needs but nobody has
/// (no link given, no clinic phone set) is an error saying what to add; an appointment without
/// a provider or location reads "our team" or the clinic's name instead.
pub fn render(body: &str, language: &str, facts: &Facts<'_>) -> Result<String, TemplateError> {
    let spanish = primary(language) == "es";
    let mut out = String::with_capacity(body.len() + 64);
    for piece in parse(body)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Fill(placeholder) => out.push_str(&fill(placeholder, spanish, facts)?),
        }
    }
    Ok(out)
}

fn primary(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

fn fill(
    placeholder: Placeholder,
    spanish: bool,
    facts: &Facts<'_>,
) -> Result<String, TemplateError> {
    let missing = |what: &str| TemplateError::MissingFact {
        placeholder: placeholder.name(),
        what: what.to_string(),
    };
    let start = || {
        facts
            .start
            .ok_or_else(|| missing("there is no appointment to take it from; pick one"))
    };
    Ok(match placeholder {
        Placeholder::PatientFirstName => facts.patient_first_name.trim().to_string(),
        Placeholder::ClinicName => facts.clinic_name.trim().to_string(),
        Placeholder::ClinicPhone => facts
            .clinic_phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                missing("the clinic's phone is not set; an admin can set clinic.phone in Settings")
            })?
            .to_string(),
        Placeholder::Date => format_date(start()?, spanish),
        Placeholder::Time => format_time(start()?, spanish),
        Placeholder::Provider => match facts.provider.trim() {
            "" if spanish => "nuestro equipo".to_string(),
            "" => "our team".to_string(),
            provider => provider.to_string(),
        },
        Placeholder::Location => match facts.location.trim() {
            "" => facts.clinic_name.trim().to_string(),
            location => location.to_string(),
        },
        Placeholder::Link => facts
            .link
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| missing("no link was given; add the link to send"))?
            .to_string(),
    })
}

const WEEKDAYS_ES: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

pub fn format_date(start: DateTime<Tz>, spanish: bool) -> String {
    if spanish {
        let weekday = WEEKDAYS_ES[start.weekday().num_days_from_monday() as usize];
        let month = MONTHS_ES[start.month0() as usize];
        format!("{weekday} {} de {month}", start.day())
    } else {
        start.format("%a, %b %-d").to_string()
    }
}

pub fn format_time(start: DateTime<Tz>, spanish: bool) -> String {
    if spanish {
        let (pm, hour) = start.hour12();
        format!(
            "{hour}:{:02} {}",
            start.minute(),
            if pm { "p. m." } else { "a. m." }
        )
    } else {
        start.format("%-I:%M %p").to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn facts(start: Option<DateTime<Tz>>) -> Facts<'static> {
        Facts {
            patient_first_name: "Ana",
            clinic_name: "Harbor Clinic",
            clinic_phone: None,
            start,
            provider: "",
            location: "",
            link: None,
        }
    }

    #[test]
    fn dates_and_times_in_the_patients_language() {
        let start = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 3, 10, 14, 30, 0)
            .unwrap();
        let body = "{patient_first_name}: {date} {time} with {provider} at {location}";
        assert_eq!(
            render(body, "en", &facts(Some(start))).unwrap(),
            "Ana: Tue, Mar 10 2:30 PM with our team at Harbor Clinic"
        );
        assert_eq!(
            render(body, "es-MX", &facts(Some(start))).unwrap(),
            "Ana: martes 10 de marzo 2:30 p. m. with nuestro equipo at Harbor Clinic"
        );
    }

    #[test]
    fn a_missing_fact_says_what_to_add() {
        let err = render("Call {clinic_phone}", "en", &facts(None)).unwrap_err();
        assert!(err.to_string().contains("clinic.phone"), "{err}");
        let err = render("Form: {link}", "en", &facts(None)).unwrap_err();
        assert!(err.to_string().contains("no link"), "{err}");
    }
}
