//! The built-in wording of each template, per language. Plain GSM-7 characters where the
//! language allows, so a text stays one or two segments; answers are C and R (and X to cancel),
//! never CANCEL, which is an opt-out word.

use crate::store::templates::TemplateKind;

/// Languages with built-in wording, the clinic's fallback first.
pub const LANGUAGES: &[&str] = &["en", "es"];

/// The language texts fall back to when neither the patient's nor the clinic's has a template:
/// every kind has built-in wording in it. Also the default of `clinic.language`.
pub const CLINIC_LANGUAGE: &str = "en";

pub fn default_body(kind: TemplateKind, language: &str) -> Option<&'static str> {
    use TemplateKind as K;
    Some(match (language, kind) {
        ("en", K::Confirmation) => {
            "{clinic_name}: Hi {patient_first_name}, your appointment with {provider} is on \
             {date} at {time}. Reply C to confirm or R to reschedule."
        }
        ("en", K::Reminder) => {
            "{clinic_name}: Reminder, {patient_first_name}: your appointment with {provider} is \
             on {date} at {time}. Reply C to confirm or R to reschedule."
        }
        ("en", K::RunningLate) => {
            "{clinic_name}: Hi {patient_first_name}, we are running a little late for your \
             {time} appointment. Thank you for your patience."
        }
        ("en", K::IntakeForm) => {
            "{clinic_name}: Hi {patient_first_name}, please fill in your intake form before \
             your visit on {date}: {link}"
        }
        ("en", K::Directions) => {
            "{clinic_name}: your appointment on {date} at {time} is at {location}. Trouble \
             finding us? Call {clinic_phone}."
        }
        ("es", K::Confirmation) => {
            "{clinic_name}: Hola {patient_first_name}, su cita con {provider} es el {date} a \
             las {time}. Responda C para confirmar o R para cambiar la fecha."
        }
        ("es", K::Reminder) => {
            "{clinic_name}: Recordatorio, {patient_first_name}: su cita con {provider} es el \
             {date} a las {time}. Responda C para confirmar o R para cambiar la fecha."
        }
        ("es", K::RunningLate) => {
            "{clinic_name}: Hola {patient_first_name}, vamos con un poco de retraso para su \
             cita de las {time}. Gracias por su paciencia."
        }
        ("es", K::IntakeForm) => {
            "{clinic_name}: Hola {patient_first_name}, por favor llene su formulario de \
             ingreso antes de su cita del {date}: {link}"
        }
        ("es", K::Directions) => {
            "{clinic_name}: su cita del {date} a las {time} es en {location}. Si no nos \
             encuentra, llame al {clinic_phone}."
        }
        _ => return None,
    })
}
