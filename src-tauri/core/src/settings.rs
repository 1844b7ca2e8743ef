//! Clinic settings with their defaults. Every reader goes through the typed accessors here, so a
//! default lives in one place; a stored value that no longer parses falls back to the default
//! (values are validated when set, so that only happens to a hand-edited database).

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;

use crate::error::Result;
use crate::store::Store;

mod catalogue;
mod validate;

pub use catalogue::{get, keys, list, set, SettingEntry};

pub const CLINIC_NAME: &str = "clinic.name";
pub const CLINIC_PHONE: &str = "clinic.phone";
pub const CLINIC_LINK: &str = "clinic.link";
pub const CLINIC_TIMEZONE: &str = "clinic.timezone";
pub const CLINIC_REGION: &str = "clinic.region";
pub const CLINIC_LANGUAGE: &str = "clinic.language";
pub const SENDING_WINDOW_START: &str = "sending_window.start";
pub const SENDING_WINDOW_END: &str = "sending_window.end";
pub const SENDING_WINDOW_HOLIDAYS: &str = "sending_window.holidays";
pub const KEYWORDS_OPT_OUT: &str = "keywords.opt_out";
pub const KEYWORDS_OPT_IN: &str = "keywords.opt_in";
pub const KEYWORDS_HELP: &str = "keywords.help";
pub const REPLY_HELP: &str = "replies.help";
pub const REPLY_CONFIRM: &str = "replies.confirm";
pub const REPLY_RESCHEDULE: &str = "replies.reschedule";
pub const REPLY_CANCEL: &str = "replies.cancel";
pub const PRICE_PER_SEGMENT: &str = "messages.price_per_segment";
pub const REMINDER_HOURS: &str = "reminders.hours_before";
pub const OUTBOX_AMBIGUOUS_GRACE: &str = "outbox.ambiguous_grace_seconds";

pub const DEFAULT_REGION: &str = "US";
pub const DEFAULT_CLINIC_NAME: &str = "The clinic";
pub const DEFAULT_HELP_REPLY: &str =
    "{clinic_name}: for help call {clinic_phone}. Reply STOP to opt out.";
pub const DEFAULT_CONFIRM_REPLY: &str = "Thank you, your appointment is confirmed.";
pub const DEFAULT_RESCHEDULE_REPLY: &str =
    "Thank you, the clinic will contact you to find a new time.";
pub const DEFAULT_CANCEL_REPLY: &str =
    "Thank you, the clinic has your cancellation request and will confirm it.";
pub const DEFAULT_PRICE_PER_SEGMENT: &str = "0.0079";
pub const DEFAULT_SENDING_WINDOW_START: &str = "08:00";
pub const DEFAULT_SENDING_WINDOW_END: &str = "21:00";
pub const DEFAULT_REMINDER_HOURS: &str = "24";
pub const DEFAULT_OUTBOX_AMBIGUOUS_GRACE: &str = "180";

fn stored(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(store
        .setting(key)?
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty()))
}

/// The language texts fall back to when a patient's own has no template.
pub fn clinic_language(store: &Store) -> Result<String> {
    Ok(stored(store, CLINIC_LANGUAGE)?
        .unwrap_or_else(|| crate::templates::CLINIC_LANGUAGE.to_string()))
}

/// The region national phone numbers are read in.
pub fn clinic_region(store: &Store) -> Result<String> {
    Ok(stored(store, CLINIC_REGION)?.unwrap_or_else(|| DEFAULT_REGION.to_string()))
}

pub fn clinic_name(store: &Store) -> Result<String> {
    Ok(stored(store, CLINIC_NAME)?.unwrap_or_else(|| DEFAULT_CLINIC_NAME.to_string()))
}

/// The link `{link}` stands for when a text does not give its own (the intake form), if set.
pub fn clinic_link(store: &Store) -> Result<Option<String>> {
    stored(store, CLINIC_LINK)
}

/// The clinic's own phone for patients to call (E.164), if set.
pub fn clinic_phone(store: &Store) -> Result<Option<String>> {
    stored(store, CLINIC_PHONE)
}

/// The workstation's zone, so a fresh install schedules in local time; UTC only where the
/// system does not say.
pub fn system_timezone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| Tz::from_str(&name).ok())
        .unwrap_or(Tz::UTC)
}

/// The zone appointments, reminders and the sending window are read in.
pub fn clinic_timezone(store: &Store) -> Result<Tz> {
    Ok(stored(store, CLINIC_TIMEZONE)?
        .and_then(|name| Tz::from_str(&name).ok())
        .unwrap_or_else(system_timezone))
}

/// The hours in which texts may go out; outside them is quiet time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Whole days on which automated texts wait for the next open day.
    pub holidays: Vec<NaiveDate>,
}

pub fn parse_hh_mm(value: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M").ok()
}

pub fn parse_holidays(value: &str) -> std::result::Result<Vec<NaiveDate>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| format!("'{d}' is not a date like 2026-12-25"))
        })
        .collect()
}

pub fn sending_window(store: &Store) -> Result<SendingWindow> {
    let default_start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let default_end = NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default();
    let start = stored(store, SENDING_WINDOW_START)?
        .and_then(|v| parse_hh_mm(&v))
        .unwrap_or(default_start);
    let end = stored(store, SENDING_WINDOW_END)?
        .and_then(|v| parse_hh_mm(&v))
        .unwrap_or(default_end);
    let (start, end) = if start < end {
        (start, end)
    } else {
        (default_start, default_end)
    };
    let holidays = stored(store, SENDING_WINDOW_HOLIDAYS)?
        .and_then(|v| parse_holidays(&v).ok())
        .unwrap_or_default();
    Ok(SendingWindow {
        start,
        end,
        holidays,
    })
}

/// Comma-separated words, upper-cased: the clinic's additions to a keyword list.
pub fn parse_word_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|w| w.trim().to_uppercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Keywords the clinic added to the ones the law and Twilio fix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraKeywords {
    pub opt_out: Vec<String>,
    pub opt_in: Vec<String>,
    pub help: Vec<String>,
}

pub fn extra_keywords(store: &Store) -> Result<ExtraKeywords> {
    let list = |key| -> Result<Vec<String>> {
        Ok(stored(store, key)?
            .map(|v| parse_word_list(&v))
            .unwrap_or_default())
    };
    Ok(ExtraKeywords {
        opt_out: list(KEYWORDS_OPT_OUT)?,
        opt_in: list(KEYWORDS_OPT_IN)?,
        help: list(KEYWORDS_HELP)?,
    })
}

/// Automatic answers to keyword replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoReply {
    Help,
    Confirm,
    Reschedule,
    Cancel,
}

impl AutoReply {
    pub fn key(self) -> &'static str {
        match self {
            AutoReply::Help => REPLY_HELP,
            AutoReply::Confirm => REPLY_CONFIRM,
            AutoReply::Reschedule => REPLY_RESCHEDULE,
            AutoReply::Cancel => REPLY_CANCEL,
        }
    }

    pub fn default_text(self) -> &'static str {
        match self {
            AutoReply::Help => DEFAULT_HELP_REPLY,
            AutoReply::Confirm => DEFAULT_CONFIRM_REPLY,
            AutoReply::Reschedule => DEFAULT_RESCHEDULE_REPLY,
            AutoReply::Cancel => DEFAULT_CANCEL_REPLY,
        }
    }
}

/// The reply's text with `{clinic_name}` and `{clinic_phone}` filled in. The stored value `off`
/// turns a reply off (except HELP, which the law requires).
pub fn auto_reply(store: &Store, which: AutoReply) -> Result<Option<String>> {
    let text = stored(store, which.key())?.unwrap_or_else(|| which.default_text().to_string());
    if text.eq_ignore_ascii_case("off") && which != AutoReply::Help {
        return Ok(None);
    }
    let text = if text.eq_ignore_ascii_case("off") {
        DEFAULT_HELP_REPLY.to_string()
    } else {
        text
    };
    let name = clinic_name(store)?;
    let phone = clinic_phone(store)?.unwrap_or_else(|| "the clinic".to_string());
    Ok(Some(
        text.replace("{clinic_name}", &name)
            .replace("{clinic_phone}", &phone),
    ))
}

/// The price of one segment in the account's currency, for cost estimates.
pub fn price_per_segment(store: &Store) -> Result<f64> {
    Ok(stored(store, PRICE_PER_SEGMENT)?
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|p| p.is_finite() && *p >= 0.0)
        .unwrap_or(0.0079))
}

/// Hours before an appointment at which a reminder goes out, largest first. Default: 24.
pub fn reminder_hours(store: &Store) -> Result<Vec<u32>> {
    let mut hours: Vec<u32> = stored(store, REMINDER_HOURS)?
        .map(|v| {
            v.split(',')
                .filter_map(|h| h.trim().parse::<u32>().ok())
                .filter(|h| (1..=24 * 14).contains(h))
                .collect()
        })
        .unwrap_or_default();
    if hours.is_empty() {
        hours.push(24);
    }
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours.dedup();
    Ok(hours)
}

/// How long a text whose send got no answer must stay absent from Twilio's list before it is
/// sent again (Twilio's list can lag behind creation). Default 180 s.
pub fn outbox_ambiguous_grace(store: &Store) -> Result<std::time::Duration> {
    let seconds = stored(store, OUTBOX_AMBIGUOUS_GRACE)?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(180);
    Ok(std::time::Duration::from_secs(seconds))
}
