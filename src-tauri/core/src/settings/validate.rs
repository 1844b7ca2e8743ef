//! What each setting accepts, and the normal form it is stored in. A validator returns the
//! normalised value, or a reason written to follow "cannot set KEY: ".
//!
//! Checks that involve another setting (the window's start before its end, a keyword in one
//! list only) read that setting's stored value, so they hold whichever of the two is set last.

use std::str::FromStr;

use chrono_tz::Tz;

use crate::compliance::keywords::{
    asks_for_opt_out_word, CANCEL_REQUEST_WORDS, CONFIRM_WORDS, REQUIRED_HELP, REQUIRED_OPT_IN,
    REQUIRED_OPT_OUT, RESCHEDULE_WORDS,
};
use crate::composer::phone;
use crate::error::Result;
use crate::store::Store;

use super::{
    clinic_region, parse_hh_mm, parse_holidays, parse_word_list, stored,
    DEFAULT_SENDING_WINDOW_END, DEFAULT_SENDING_WINDOW_START, KEYWORDS_HELP, KEYWORDS_OPT_IN,
    KEYWORDS_OPT_OUT, SENDING_WINDOW_END, SENDING_WINDOW_START,
};

/// A value refused, with why and what a good one looks like.
pub(super) type Checked = Result<std::result::Result<String, String>>;

fn refuse(reason: impl Into<String>) -> Checked {
    Ok(Err(reason.into()))
}

fn accept(value: impl Into<String>) -> Checked {
    Ok(Ok(value.into()))
}

pub(super) fn clinic_name(_: &Store, value: &str) -> Checked {
    let chars = value.chars().count();
    if !(1..=60).contains(&chars) || value.chars().any(char::is_control) {
        return refuse("the clinic name must be 1 to 60 characters on one line");
    }
    accept(value)
}

pub(super) fn clinic_phone(store: &Store, value: &str) -> Checked {
    if value.is_empty() {
        return accept("");
    }
    match phone::normalize(value, &clinic_region(store)?) {
        Ok(e164) => accept(e164),
        Err(err) => refuse(format!(
            "{err} (leave it empty to have no clinic phone in replies)"
        )),
    }
}

pub(super) fn clinic_link(_: &Store, value: &str) -> Checked {
    if value.is_empty() {
        return accept("");
    }
    let scheme_ok = value.starts_with("https://") || value.starts_with("http://");
    if !scheme_ok || value.len() > 200 || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return refuse(
            "the link must be a web address starting with https:// (no spaces, at most 200 characters)",
        );
    }
    accept(value)
}

pub(super) fn clinic_timezone(_: &Store, value: &str) -> Checked {
    let zone = Tz::from_str(value).ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .copied()
            .find(|tz| tz.name().eq_ignore_ascii_case(value))
    });
    match zone {
        Some(zone) => accept(zone.name()),
        None => refuse(format!(
            "\"{value}\" is not a time zone name; use an IANA name such as America/New_York, \
             America/Chicago, Europe/London or Australia/Sydney"
        )),
    }
}

pub(super) fn clinic_language(_: &Store, value: &str) -> Checked {
    match crate::templates::normalize_language(value) {
        Ok(language) => accept(language),
        Err(_) => refuse(format!(
            "\"{value}\" is not a language code; use one like en, es or pt-BR"
        )),
    }
}

pub(super) fn clinic_region_code(_: &Store, value: &str) -> Checked {
    let code = value.to_ascii_uppercase();
    if code.len() == 2
        && code.bytes().all(|b| b.is_ascii_alphabetic())
        && phone::region(&code).is_ok()
    {
        return accept(code);
    }
    refuse(format!(
        "\"{value}\" is not a known region; use a two-letter country code such as US, CA or GB"
    ))
}

fn window_time(value: &str) -> std::result::Result<String, String> {
    let well_formed = value.len() == 5 && value.as_bytes()[2] == b':';
    match parse_hh_mm(value).filter(|_| well_formed) {
        Some(time) => Ok(time.format("%H:%M").to_string()),
        None => Err(format!(
            "\"{value}\" is not a time; use 24-hour HH:MM such as 08:00 or 21:30"
        )),
    }
}

/// The other end of the window as it stands: stored, or its default.
fn window_other(store: &Store, key: &str, default: &str) -> Result<String> {
    Ok(stored(store, key)?
        .and_then(|v| window_time(&v).ok())
        .unwrap_or_else(|| default.to_string()))
}

pub(super) fn window_start(store: &Store, value: &str) -> Checked {
    let start = match window_time(value) {
        Ok(start) => start,
        Err(reason) => return refuse(reason),
    };
    let end = window_other(store, SENDING_WINDOW_END, DEFAULT_SENDING_WINDOW_END)?;
    if start >= end {
        return refuse(format!(
            "the window must start before it ends, and it ends at {end}; set \
             {SENDING_WINDOW_END} first to move it later"
        ));
    }
    accept(start)
}

pub(super) fn window_end(store: &Store, value: &str) -> Checked {
    let end = match window_time(value) {
        Ok(end) => end,
        Err(reason) => return refuse(reason),
    };
    let start = window_other(store, SENDING_WINDOW_START, DEFAULT_SENDING_WINDOW_START)?;
    if end <= start {
        return refuse(format!(
            "the window must end after it starts, and it starts at {start}; set \
             {SENDING_WINDOW_START} first to move it earlier"
        ));
    }
    accept(end)
}

pub(super) fn holidays(_: &Store, value: &str) -> Checked {
    match parse_holidays(value) {
        Ok(mut days) if !days.is_empty() => {
            days.sort_unstable();
            days.dedup();
            let days: Vec<String> = days.iter().map(|d| d.to_string()).collect();
            accept(days.join(","))
        }
        Ok(_) => refuse("list dates as YYYY-MM-DD separated by commas, e.g. 2026-12-25,2027-01-01"),
        Err(reason) => refuse(format!(
            "{reason}; list dates as YYYY-MM-DD separated by commas"
        )),
    }
}

/// The three configurable keyword lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    OptOut,
    OptIn,
    Help,
}

impl List {
    const ALL: [List; 3] = [List::OptOut, List::OptIn, List::Help];

    fn key(self) -> &'static str {
        match self {
            List::OptOut => KEYWORDS_OPT_OUT,
            List::OptIn => KEYWORDS_OPT_IN,
            List::Help => KEYWORDS_HELP,
        }
    }

    fn fixed(self) -> &'static [&'static str] {
        match self {
            List::OptOut => REQUIRED_OPT_OUT,
            List::OptIn => REQUIRED_OPT_IN,
            List::Help => REQUIRED_HELP,
        }
    }

    fn name(self) -> &'static str {
        match self {
            List::OptOut => "an opt-out word",
            List::OptIn => "an opt-in word",
            List::Help => "a help word",
        }
    }
}

pub(super) fn opt_out_words(store: &Store, value: &str) -> Checked {
    keyword_list(store, List::OptOut, value)
}

pub(super) fn opt_in_words(store: &Store, value: &str) -> Checked {
    keyword_list(store, List::OptIn, value)
}

pub(super) fn help_words(store: &Store, value: &str) -> Checked {
    keyword_list(store, List::Help, value)
}

fn keyword_list(store: &Store, list: List, value: &str) -> Checked {
    let mut words: Vec<String> = Vec::new();
    for word in parse_word_list(value) {
        if word.chars().count() > 30 || !word.chars().all(char::is_alphanumeric) {
            return refuse(format!(
                "\"{word}\" is not a single word; use letters and digits only, separated by \
                 commas (e.g. HALT,NOMORE)"
            ));
        }
        let appointment_words = [CONFIRM_WORDS, RESCHEDULE_WORDS, CANCEL_REQUEST_WORDS];
        if appointment_words.iter().any(|w| w.contains(&word.as_str())) {
            return refuse(format!(
                "{word} answers appointment texts (C, CONFIRM, R, RESCHEDULE, X); choose \
                 another word"
            ));
        }
        if list != List::OptOut && REQUIRED_OPT_OUT.contains(&word.as_str()) {
            return refuse(format!(
                "{word} is an opt-out word fixed by law and by Twilio; it cannot mean anything \
                 else"
            ));
        }
        for other in List::ALL.into_iter().filter(|l| *l != list) {
            let stored_words = stored(store, other.key())?
                .map(|v| parse_word_list(&v))
                .unwrap_or_default();
            if other.fixed().contains(&word.as_str()) || stored_words.contains(&word) {
                return refuse(format!(
                    "{word} is already {}; a word can be in one list only",
                    other.name()
                ));
            }
        }
        // A word the list already has by law is kept once, not refused.
        if !list.fixed().contains(&word.as_str()) && !words.contains(&word) {
            words.push(word);
        }
    }
    if words.is_empty() && !value.trim().is_empty() && parse_word_list(value).is_empty() {
        return refuse("list words separated by commas, e.g. HALT,NOMORE");
    }
    accept(words.join(","))
}

/// Longest auto-reply template: four segments of plain text, leaving room for the clinic's name
/// and number.
const MAX_REPLY_CHARS: usize = 600;

pub(super) fn help_reply(store: &Store, value: &str) -> Checked {
    if value.eq_ignore_ascii_case("off") {
        return refuse("the HELP reply cannot be turned off: the law requires an answer to HELP");
    }
    if !value
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "STOP")
    {
        return refuse(
            "the HELP reply must say how to opt out, with the word STOP in capitals (e.g. \
             \"Reply STOP to opt out\")",
        );
    }
    reply_text(store, value)
}

pub(super) fn appointment_reply(store: &Store, value: &str) -> Checked {
    if value.eq_ignore_ascii_case("off") {
        return accept("off");
    }
    reply_text(store, value)
}

fn reply_text(store: &Store, value: &str) -> Checked {
    if value.chars().count() > MAX_REPLY_CHARS {
        return refuse(format!(
            "the reply is too long; keep it to {MAX_REPLY_CHARS} characters"
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return refuse("the reply contains control characters; type it as plain text");
    }
    if let Some(placeholder) = unknown_placeholder(value) {
        return refuse(format!(
            "{placeholder} is not a placeholder; only {{clinic_name}} and {{clinic_phone}} are \
             filled in"
        ));
    }
    let extra = stored(store, KEYWORDS_OPT_OUT)?
        .map(|v| parse_word_list(&v))
        .unwrap_or_default();
    if let Some(word) = asks_for_opt_out_word(value, &extra) {
        return refuse(format!(
            "the reply asks patients to reply {word}, which is an opt-out word: Twilio stops \
             every text to a patient who sends it. Ask for X to cancel an appointment, and use \
             opt-out words only as \"Reply STOP to opt out\""
        ));
    }
    accept(value)
}

fn unknown_placeholder(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let end = after.find('}').map_or(after.len(), |i| i + 1);
        let placeholder = &after[..end];
        if placeholder != "{clinic_name}" && placeholder != "{clinic_phone}" {
            return Some(placeholder.to_string());
        }
        rest = &after[end..];
    }
    None
}

pub(super) fn price(_: &Store, value: &str) -> Checked {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(whole)
        && digits(fraction)
        && !(whole.is_empty() && fraction.is_empty())
        && !(value.contains('.') && fraction.is_empty())
        && whole.len() <= 6
        && fraction.len() <= 8;
    if !well_formed {
        return refuse(format!(
            "\"{value}\" is not a price; give the cost of one segment as a decimal number such \
             as 0.0079 (no currency sign)"
        ));
    }
    let whole = whole.trim_start_matches('0');
    accept(format!(
        "{}{}{fraction}",
        if whole.is_empty() { "0" } else { whole },
        if fraction.is_empty() { "" } else { "." }
    ))
}

pub(super) fn reminder_hours(_: &Store, value: &str) -> Checked {
    let mut hours = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<u32>() {
            Ok(h) if (1..=336).contains(&h) => hours.push(h),
            _ => {
                return refuse(format!(
                    "\"{part}\" is not a number of hours from 1 to 336 (two weeks); list whole \
                     hours separated by commas, e.g. 48,24,2"
                ))
            }
        }
    }
    if hours.is_empty() {
        return refuse("list whole hours separated by commas, e.g. 48,24,2");
    }
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours.dedup();
    let hours: Vec<String> = hours.iter().map(u32::to_string).collect();
    accept(hours.join(","))
}

pub(super) fn ambiguous_grace(_: &Store, value: &str) -> Checked {
    match value.parse::<u64>() {
        Ok(seconds) if (30..=3600).contains(&seconds) => accept(seconds.to_string()),
        _ => refuse(format!(
            "\"{value}\" is not a number of seconds from 30 to 3600"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_out_words_are_caught_only_when_patients_are_asked_to_send_them() {
        let asks = |t: &str| asks_for_opt_out_word(t, &["HALT".to_string()]);
        assert_eq!(
            asks("Reply C to confirm or CANCEL to cancel"),
            Some("CANCEL".into())
        );
        assert_eq!(asks("reply cancel to cancel"), Some("CANCEL".into()));
        assert_eq!(asks("Text END when done"), Some("END".into()));
        assert_eq!(asks("Reply with quit to leave"), Some("QUIT".into()));
        assert_eq!(asks("Reply HALT to pause"), Some("HALT".into()));
        assert_eq!(asks("Reply STOP to opt out"), None);
        assert_eq!(asks("Reply STOP to opt-out."), None);
        assert_eq!(asks("Text STOP to unsubscribe"), None);
        assert_eq!(asks("Thank you, your cancellation request is noted."), None);
        assert_eq!(asks("We will cancel it. Reply X to cancel."), None);
        assert_eq!(
            asks("Reply STOP to cancel your appointment"),
            Some("STOP".into())
        );
    }

    #[test]
    fn placeholders() {
        assert_eq!(unknown_placeholder("{clinic_name} {clinic_phone}"), None);
        assert_eq!(
            unknown_placeholder("Hi {patient}"),
            Some("{patient}".into())
        );
        assert_eq!(unknown_placeholder("oops {clinic"), Some("{clinic".into()));
    }
}
