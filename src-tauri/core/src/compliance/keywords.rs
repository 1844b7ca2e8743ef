//! What a patient's text means: an opt-out, opt-in or help keyword, an answer to an appointment
//! text (C, R, X), an opt-out in plain words for staff to confirm, or just a message.
//!
//! Keywords match the way Twilio matches them on long codes: the whole text is the keyword, case,
//! surrounding whitespace and punctuation ignored ("stop!", " Stop "). Anything longer is not a
//! keyword (Twilio would not block further sends for it), but an opt-out in plain words ("please
//! stop texting me", "STOP ALL") must still be honoured under the FCC's revocation rule, so it is
//! flagged for staff rather than guessed.

use std::sync::OnceLock;

use regex::Regex;

use crate::settings::ExtraKeywords;

/// Opt-out words Twilio acts on: fixed, whatever the clinic configures.
pub const REQUIRED_OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
pub const REQUIRED_OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
pub const REQUIRED_HELP: &[&str] = &["HELP", "INFO"];
/// Answers to appointment texts. Never CANCEL: that is an opt-out word.
pub const CONFIRM_WORDS: &[&str] = &["C", "CONFIRM", "CONFIRMED"];
pub const RESCHEDULE_WORDS: &[&str] = &["R", "RESCHEDULE"];
pub const CANCEL_REQUEST_WORDS: &[&str] = &["X"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    OptOut {
        keyword: String,
    },
    OptIn {
        keyword: String,
    },
    Help {
        keyword: String,
    },
    Confirm,
    Reschedule,
    CancelRequest,
    /// Reads like "stop texting me" without being a keyword: staff confirm it with one action.
    PlainWordsOptOut,
    Message,
}

impl Intent {
    /// Stable name stored with a pending action.
    pub fn as_str(&self) -> &'static str {
        match self {
            Intent::OptOut { .. } => "opt_out",
            Intent::OptIn { .. } => "opt_in",
            Intent::Help { .. } => "help",
            Intent::Confirm => "confirm",
            Intent::Reschedule => "reschedule",
            Intent::CancelRequest => "cancel_request",
            Intent::PlainWordsOptOut => "plain_words_opt_out",
            Intent::Message => "message",
        }
    }
}

/// The clinic's keyword lists: the required ones plus its additions.
#[derive(Debug, Clone, Default)]
pub struct Keywords {
    extra: ExtraKeywords,
}

impl Keywords {
    pub fn new(extra: ExtraKeywords) -> Self {
        Self { extra }
    }

    /// Bytes in the longest word of any list: a longer text cannot be a keyword.
    fn longest_keyword(&self) -> usize {
        const LONGEST_FIXED: usize = "UNSUBSCRIBE".len();
        self.extra
            .opt_out
            .iter()
            .chain(&self.extra.opt_in)
            .chain(&self.extra.help)
            // Upper-casing can lengthen a word (ß -> SS); compare generously.
            .map(|w| w.len() * 2)
            .fold(LONGEST_FIXED * 2, usize::max)
    }

    pub fn classify(&self, body: &str) -> Intent {
        // Most texts are sentences: too long to be any keyword, so skip the upper-cased copy
        // (ingest classifies every reply of a back-fill).
        let candidate = trim_keyword(body);
        if candidate.len() > self.longest_keyword() {
            return if reads_like_opt_out(body) {
                Intent::PlainWordsOptOut
            } else {
                Intent::Message
            };
        }
        let word = candidate.to_uppercase();
        if word.is_empty() {
            return Intent::Message;
        }
        let is = |fixed: &[&str], extra: &[String]| {
            fixed.contains(&word.as_str()) || extra.contains(&word)
        };
        if is(REQUIRED_OPT_OUT, &self.extra.opt_out) {
            return Intent::OptOut { keyword: word };
        }
        if is(REQUIRED_OPT_IN, &self.extra.opt_in) {
            return Intent::OptIn { keyword: word };
        }
        if is(REQUIRED_HELP, &self.extra.help) {
            return Intent::Help { keyword: word };
        }
        if CONFIRM_WORDS.contains(&word.as_str()) {
            return Intent::Confirm;
        }
        if RESCHEDULE_WORDS.contains(&word.as_str()) {
            return Intent::Reschedule;
        }
        if CANCEL_REQUEST_WORDS.contains(&word.as_str()) {
            return Intent::CancelRequest;
        }
        if reads_like_opt_out(body) {
            return Intent::PlainWordsOptOut;
        }
        Intent::Message
    }
}

/// An opt-out word (required, or one of `extra`) that a text the clinic sends tells patients to
/// send for something other than opting out: written in capitals (how texts spell a keyword) or
/// right after "reply", "text", "send" (or their Spanish forms), and not followed by "to opt
/// out" / "to unsubscribe" / "to stop". Templates and auto-replies must never ask for one:
/// Twilio would opt the patient out.
pub fn asks_for_opt_out_word(text: &str, extra: &[String]) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let lower = |i: usize| words.get(i).map(|w| w.to_lowercase()).unwrap_or_default();
    for (i, word) in words.iter().enumerate() {
        let upper = word.to_uppercase();
        if !REQUIRED_OPT_OUT.contains(&upper.as_str()) && !extra.contains(&upper) {
            continue;
        }
        let before = match (i, lower(i.saturating_sub(1)).as_str()) {
            (0, _) => String::new(),
            (2.., "with") => lower(i - 2),
            (_, other) => other.to_string(),
        };
        let instructed = *word == upper
            || matches!(
                before.as_str(),
                "reply"
                    | "replying"
                    | "respond"
                    | "text"
                    | "texting"
                    | "send"
                    | "answer"
                    | "type"
                    | "responda"
                    | "responde"
                    | "envie"
                    | "envíe"
                    | "escriba"
                    | "conteste"
            );
        let opting_out = (lower(i + 1) == "to"
            && (matches!(
                lower(i + 2).as_str(),
                "unsubscribe" | "stop" | "opt-out" | "optout"
            ) || (lower(i + 2) == "opt" && lower(i + 3) == "out")))
            || (lower(i + 1) == "para"
                && matches!(lower(i + 2).as_str(), "darse" | "no" | "cancelar"));
        if instructed && !opting_out {
            return Some(upper);
        }
    }
    None
}

/// The text as a keyword candidate: trimmed of whitespace and punctuation.
fn trim_keyword(body: &str) -> &str {
    body.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || is_quote(c))
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2026}'
    )
}

/// Plain-words opt-outs. Deliberately narrow: a false alarm costs staff a click, a miss costs
/// the clinic a fine, and "stopped", "cancel my appointment" or "don't forget" are not opt-outs.
fn reads_like_opt_out(body: &str) -> bool {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(
            r"(?ix)
            \b(stop|quit|cease|no\s+more)\s+(all\s+)?(texting|messaging|sending|contacting|texts?|messages?|sms)\b
            | \b(don'?t|do\s+not|dont|never|please\s+don'?t)\s+(text|txt|message|sms|contact)\b
            | \b(unsubscribe|opt[\s-]?out)\b
            | \b(remove|take)\s+me\s+(off|from)\b
            | \bleave\s+me\s+alone\b
            | ^\W*(please\s+)?stop\W*(all|it|now|please|this|that)?\W*(please|now)?\W*$
            | ^\W*stop\s+all\W*$",
        )
        .ok()
    });
    pattern.as_ref().is_some_and(|re| re.is_match(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(body: &str) -> Intent {
        Keywords::default().classify(body)
    }

    #[test]
    fn every_required_opt_out_word_in_any_case_with_punctuation() {
        for word in REQUIRED_OPT_OUT {
            for variant in [
                word.to_string(),
                word.to_lowercase(),
                format!("  {}  ", word.to_lowercase()),
                format!("{word}!"),
                format!("\"{word}.\""),
                format!("\n{word}\n"),
            ] {
                assert_eq!(
                    classify(&variant),
                    Intent::OptOut {
                        keyword: word.to_string()
                    },
                    "{variant:?}"
                );
            }
        }
    }

    #[test]
    fn opt_in_and_help_words() {
        for word in REQUIRED_OPT_IN {
            assert_eq!(
                classify(&format!(" {} ", word.to_lowercase())),
                Intent::OptIn {
                    keyword: word.to_string()
                }
            );
        }
        for word in REQUIRED_HELP {
            assert_eq!(
                classify(&format!("{word}?")),
                Intent::Help {
                    keyword: word.to_string()
                }
            );
        }
    }

    #[test]
    fn appointment_answers() {
        assert_eq!(classify("c"), Intent::Confirm);
        assert_eq!(classify("Confirm."), Intent::Confirm);
        assert_eq!(classify(" R "), Intent::Reschedule);
        assert_eq!(classify("reschedule"), Intent::Reschedule);
        assert_eq!(classify("x"), Intent::CancelRequest);
        // CANCEL is Twilio's opt-out word, whatever the patient meant.
        assert_eq!(
            classify("cancel"),
            Intent::OptOut {
                keyword: "CANCEL".into()
            }
        );
    }

    #[test]
    fn near_misses_are_not_keywords() {
        assert_eq!(classify("stopped"), Intent::Message);
        assert_eq!(classify("cancel my appointment"), Intent::Message);
        assert_eq!(classify("I'll stop by later"), Intent::Message);
        assert_eq!(classify("Don't forget my prescription"), Intent::Message);
        assert_eq!(classify("Yes please, 3pm works"), Intent::Message);
        assert_eq!(classify("Can I confirm for Tuesday?"), Intent::Message);
        assert_eq!(classify(""), Intent::Message);
        assert_eq!(classify("?!"), Intent::Message);
    }

    #[test]
    fn plain_words_opt_outs_are_flagged() {
        for body in [
            "please stop texting me",
            "STOP ALL",
            "Stop please",
            "Don't text me again",
            "do not contact me",
            "no more texts",
            "remove me from your list",
            "I want to opt out",
            "unsubscribe me",
            "stop sending me messages!!",
            "leave me alone",
        ] {
            assert_eq!(classify(body), Intent::PlainWordsOptOut, "{body:?}");
        }
    }

    #[test]
    fn clinic_additions_extend_the_lists() {
        let keywords = Keywords::new(ExtraKeywords {
            opt_out: vec!["ALTO".into()],
            opt_in: vec!["COMENZAR".into()],
            help: vec!["AYUDA".into()],
        });
        assert_eq!(
            keywords.classify("alto"),
            Intent::OptOut {
                keyword: "ALTO".into()
            }
        );
        assert_eq!(
            keywords.classify("Comenzar"),
            Intent::OptIn {
                keyword: "COMENZAR".into()
            }
        );
        assert_eq!(
            keywords.classify("ayuda"),
            Intent::Help {
                keyword: "AYUDA".into()
            }
        );
        // The required words stay, whatever was added.
        assert_eq!(
            keywords.classify("stop"),
            Intent::OptOut {
                keyword: "STOP".into()
            }
        );
    }
}
