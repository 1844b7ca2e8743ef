//! Reading a template: its placeholders (an unknown one or a stray brace is an error, so a
//! mistake is caught when the template is saved, not when a patient's text is built), and the
//! editor's warnings about opt-out words and clinical detail.

use serde::Serialize;
use ts_rs::TS;

use crate::compliance::keywords;

/// The appointment facts a template may use; nothing else reaches a patient's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    PatientFirstName,
    ClinicName,
    Date,
    Time,
    Provider,
    Location,
    ClinicPhone,
    Link,
}

impl Placeholder {
    pub const ALL: [Placeholder; 8] = [
        Placeholder::PatientFirstName,
        Placeholder::ClinicName,
        Placeholder::Date,
        Placeholder::Time,
        Placeholder::Provider,
        Placeholder::Location,
        Placeholder::ClinicPhone,
        Placeholder::Link,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::PatientFirstName => "patient_first_name",
            Placeholder::ClinicName => "clinic_name",
            Placeholder::Date => "date",
            Placeholder::Time => "time",
            Placeholder::Provider => "provider",
            Placeholder::Location => "location",
            Placeholder::ClinicPhone => "clinic_phone",
            Placeholder::Link => "link",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A template split into literal text and placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Fill(Placeholder),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{{{name}}} is not a placeholder; use one of {}", known_list())]
    UnknownPlaceholder { name: String },
    #[error("the brace at character {position} is never closed; write placeholders like {{date}}")]
    Unclosed { position: usize },
    #[error("the closing brace at character {position} has no opening brace; remove it or write placeholders like {{date}}")]
    Unopened { position: usize },
    #[error("the template is empty; type the text patients should get")]
    Empty,
    #[error("this text uses {{{placeholder}}}, but {what}")]
    MissingFact {
        placeholder: &'static str,
        what: String,
    },
}

fn known_list() -> String {
    Placeholder::ALL
        .iter()
        .map(|p| format!("{{{}}}", p.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits a template into text and placeholders, refusing unknown names and stray braces.
/// Positions in errors count characters from 1, as an editor shows them.
pub fn parse(body: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    if body.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut open: Option<(usize, usize)> = None; // (byte index, character position)
    for (char_index, (byte, c)) in body.char_indices().enumerate() {
        match (c, open) {
            ('{', Some((_, position))) => return Err(TemplateError::Unclosed { position }),
            ('{', None) => {
                if byte > text_start {
                    pieces.push(Piece::Text(&body[text_start..byte]));
                }
                open = Some((byte, char_index + 1));
            }
            ('}', None) => {
                return Err(TemplateError::Unopened {
                    position: char_index + 1,
                })
            }
            ('}', Some((start, _))) => {
                let name = &body[start + 1..byte];
                let placeholder = Placeholder::from_name(name.trim()).ok_or_else(|| {
                    TemplateError::UnknownPlaceholder {
                        name: name.to_string(),
                    }
                })?;
                pieces.push(Piece::Fill(placeholder));
                open = None;
                text_start = byte + 1;
            }
            _ => {}
        }
    }
    if let Some((_, position)) = open {
        return Err(TemplateError::Unclosed { position });
    }
    if text_start < body.len() {
        pieces.push(Piece::Text(&body[text_start..]));
    }
    Ok(pieces)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    OptOutWord,
    ClinicalDetail,
}

/// Something the editor should point out; the template can still be saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateWarning {
    pub kind: WarningKind,
    /// The word or phrase as written in the template.
    pub word: String,
    pub message: String,
}

/// What the live editor shows: the error that would stop a save, and warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateCheck {
    pub error: Option<String>,
    pub warnings: Vec<TemplateWarning>,
}

/// Checks a template as the editor does: placeholders, opt-out words, clinical detail.
pub fn check_template(body: &str) -> TemplateCheck {
    let error = parse(body).err().map(|e| e.to_string());
    let mut warnings = Vec::new();
    if let Some(word) = asks_for_opt_out_word(body) {
        warnings.push(TemplateWarning {
            kind: WarningKind::OptOutWord,
            message: format!(
                "the text asks patients to reply {word}, an opt-out word: Twilio then blocks \
                 every text to them. Ask for X to cancel an appointment, and mention opt-out \
                 words only as \"Reply STOP to opt out\""
            ),
            word,
        });
    }
    for word in clinical_terms(body) {
        warnings.push(TemplateWarning {
            kind: WarningKind::ClinicalDetail,
            message: format!(
                "\"{word}\" looks like clinical detail; texts must not carry clinical detail \
                 (only date, time, provider, location and the clinic's name)"
            ),
            word,
        });
    }
    TemplateCheck { error, warnings }
}

fn words_of(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect()
}

/// An opt-out word the template asks patients to send (see `keywords::asks_for_opt_out_word`).
pub fn asks_for_opt_out_word(text: &str) -> Option<String> {
    keywords::asks_for_opt_out_word(text, &[])
}

/// Words and phrases that reveal a diagnosis, a test or a treatment. Deliberately short: the
/// editor flags likely slips, it does not police medical vocabulary.
const CLINICAL_TERMS: &[&str] = &[
    "diagnosis",
    "diagnosed",
    "test result",
    "test results",
    "results",
    "lab",
    "labs",
    "biopsy",
    "hiv",
    "aids",
    "std",
    "sti",
    "pregnancy",
    "pregnant",
    "prescription",
    "medication",
    "cancer",
    "tumor",
    "chemotherapy",
    "positive",
    "abortion",
    "mental health",
    "psychiatric",
    "hepatitis",
    "diagnóstico",
    "resultados",
    "embarazo",
    "embarazada",
    "receta",
    "laboratorio",
    "biopsia",
    "vih",
];

/// The clinical terms in `text` as written, each once, in order of appearance.
fn clinical_terms(text: &str) -> Vec<String> {
    let words = words_of(text);
    let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // Longest phrase first, so "test results" is one finding, not two.
        let hit = (1..=2).rev().find_map(|len| {
            let end = i + len;
            (end <= words.len() && CLINICAL_TERMS.contains(&lowered[i..end].join(" ").as_str()))
                .then(|| (len, words[i..end].join(" ")))
        });
        match hit {
            Some((len, phrase)) => {
                if !found.iter().any(|f| f.eq_ignore_ascii_case(&phrase)) {
                    found.push(phrase);
                }
                i += len;
            }
            None => i += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_placeholders() {
        let pieces = parse("Hi {patient_first_name}, see you {date}.").unwrap();
        assert_eq!(
            pieces,
            vec![
                Piece::Text("Hi "),
                Piece::Fill(Placeholder::PatientFirstName),
                Piece::Text(", see you "),
                Piece::Fill(Placeholder::Date),
                Piece::Text("."),
            ]
        );
    }

    #[test]
    fn brace_errors_name_the_position() {
        assert_eq!(
            parse("See you {date").unwrap_err(),
            TemplateError::Unclosed { position: 9 }
        );
        assert_eq!(
            parse("See you date}").unwrap_err(),
            TemplateError::Unopened { position: 13 }
        );
        assert_eq!(
            parse("a {{date}}").unwrap_err(),
            TemplateError::Unclosed { position: 3 }
        );
    }

    #[test]
    fn opt_out_words_as_instructions_only() {
        assert_eq!(
            asks_for_opt_out_word("Reply CANCEL to cancel"),
            Some("CANCEL".into())
        );
        assert_eq!(
            asks_for_opt_out_word("reply cancel if you cannot come"),
            Some("CANCEL".into())
        );
        assert_eq!(asks_for_opt_out_word("Reply STOP to opt out."), None);
        assert_eq!(
            asks_for_opt_out_word("To cancel your visit reply X. Park at the end of the street."),
            None
        );
    }

    #[test]
    fn clinical_phrases_are_found_once() {
        assert_eq!(
            clinical_terms("Your test results and Lab work are in; ask the lab"),
            vec!["test results".to_string(), "Lab".to_string()]
        );
    }
}
