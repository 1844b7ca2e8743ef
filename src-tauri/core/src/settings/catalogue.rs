//! The documented settings: one table of every key with its description, default and validator,
//! and the list / get / set the UI and CLI use. Setting a value validates and normalises it,
//! stores it and audits the change in one transaction. An empty value returns a key to its
//! default.

use serde::Serialize;
use ts_rs::TS;

use crate::compliance::audit::check_actor;
use crate::error::{Error, Result};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::{now_ms, Store};

use super::validate::{self, Checked};
use super::{
    stored, system_timezone, CLINIC_LANGUAGE, CLINIC_LINK, CLINIC_NAME, CLINIC_PHONE,
    CLINIC_REGION, CLINIC_TIMEZONE, DEFAULT_CANCEL_REPLY, DEFAULT_CLINIC_NAME,
    DEFAULT_CONFIRM_REPLY, DEFAULT_HELP_REPLY, DEFAULT_OUTBOX_AMBIGUOUS_GRACE,
    DEFAULT_PRICE_PER_SEGMENT, DEFAULT_REGION, DEFAULT_REMINDER_HOURS, DEFAULT_RESCHEDULE_REPLY,
    DEFAULT_SENDING_WINDOW_END, DEFAULT_SENDING_WINDOW_START, KEYWORDS_HELP, KEYWORDS_OPT_IN,
    KEYWORDS_OPT_OUT, OUTBOX_AMBIGUOUS_GRACE, PRICE_PER_SEGMENT, REMINDER_HOURS, REPLY_CANCEL,
    REPLY_CONFIRM, REPLY_HELP, REPLY_RESCHEDULE, SENDING_WINDOW_END, SENDING_WINDOW_HOLIDAYS,
    SENDING_WINDOW_START,
};

/// One setting as Settings and `clinic-desk-cli settings list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingEntry {
    pub key: String,
    /// The value in effect: the stored one, or the default when none is stored.
    pub value: String,
    pub default: String,
    pub description: String,
    /// True when nothing is stored and the default applies.
    pub is_default: bool,
}

struct Definition {
    key: &'static str,
    description: &'static str,
    default: fn() -> String,
    validate: fn(&Store, &str) -> Checked,
}

const CATALOGUE: &[Definition] = &[
    Definition {
        key: CLINIC_NAME,
        description: "The clinic's name as patients see it in texts (1 to 60 characters).",
        default: || DEFAULT_CLINIC_NAME.to_string(),
        validate: validate::clinic_name,
    },
    Definition {
        key: CLINIC_PHONE,
        description: "The clinic's phone for patients to call, used in the HELP reply; empty for none.",
        default: String::new,
        validate: validate::clinic_phone,
    },
    Definition {
        key: CLINIC_LINK,
        description: "Web address {link} stands for in templates (the intake form), http(s); empty for none.",
        default: String::new,
        validate: validate::clinic_link,
    },
    Definition {
        key: CLINIC_TIMEZONE,
        description: "IANA time zone appointments, reminders and the sending window are read in (default: this computer's).",
        default: || system_timezone().name().to_string(),
        validate: validate::clinic_timezone,
    },
    Definition {
        key: CLINIC_REGION,
        description: "Two-letter country code national phone numbers are read in (e.g. US, CA, GB).",
        default: || DEFAULT_REGION.to_string(),
        validate: validate::clinic_region_code,
    },
    Definition {
        key: CLINIC_LANGUAGE,
        description: "Language code (e.g. en, es) of the templates used when a patient's own language has none.",
        default: || crate::templates::CLINIC_LANGUAGE.to_string(),
        validate: validate::clinic_language,
    },
    Definition {
        key: SENDING_WINDOW_START,
        description: "Time (HH:MM, 24 h) from which texts may go out each day; before it is quiet time.",
        default: || DEFAULT_SENDING_WINDOW_START.to_string(),
        validate: validate::window_start,
    },
    Definition {
        key: SENDING_WINDOW_END,
        description: "Time (HH:MM, 24 h) after which texts wait for the next day; must be after the start.",
        default: || DEFAULT_SENDING_WINDOW_END.to_string(),
        validate: validate::window_end,
    },
    Definition {
        key: SENDING_WINDOW_HOLIDAYS,
        description: "Days (YYYY-MM-DD, comma-separated) on which automated texts wait for the next open day.",
        default: String::new,
        validate: validate::holidays,
    },
    Definition {
        key: KEYWORDS_OPT_OUT,
        description: "Extra opt-out words (comma-separated), besides STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT.",
        default: String::new,
        validate: validate::opt_out_words,
    },
    Definition {
        key: KEYWORDS_OPT_IN,
        description: "Extra opt-in words (comma-separated), besides START, YES, UNSTOP.",
        default: String::new,
        validate: validate::opt_in_words,
    },
    Definition {
        key: KEYWORDS_HELP,
        description: "Extra help words (comma-separated), besides HELP and INFO.",
        default: String::new,
        validate: validate::help_words,
    },
    Definition {
        key: REPLY_HELP,
        description: "Answer to HELP; must contain STOP. May use {clinic_name} and {clinic_phone}.",
        default: || DEFAULT_HELP_REPLY.to_string(),
        validate: validate::help_reply,
    },
    Definition {
        key: REPLY_CONFIRM,
        description: "Answer to C / CONFIRM, or off. May use {clinic_name} and {clinic_phone}.",
        default: || DEFAULT_CONFIRM_REPLY.to_string(),
        validate: validate::appointment_reply,
    },
    Definition {
        key: REPLY_RESCHEDULE,
        description: "Answer to R / RESCHEDULE, or off. May use {clinic_name} and {clinic_phone}.",
        default: || DEFAULT_RESCHEDULE_REPLY.to_string(),
        validate: validate::appointment_reply,
    },
    Definition {
        key: REPLY_CANCEL,
        description: "Answer to X (cancellation request), or off. Must not ask patients to reply CANCEL: that is an opt-out word.",
        default: || DEFAULT_CANCEL_REPLY.to_string(),
        validate: validate::appointment_reply,
    },
    Definition {
        key: PRICE_PER_SEGMENT,
        description: "Price of one SMS segment in the account's currency, for cost estimates (e.g. 0.0079).",
        default: || DEFAULT_PRICE_PER_SEGMENT.to_string(),
        validate: validate::price,
    },
    Definition {
        key: REMINDER_HOURS,
        description: "Hours before an appointment at which reminders go out, comma-separated (1 to 336).",
        default: || DEFAULT_REMINDER_HOURS.to_string(),
        validate: validate::reminder_hours,
    },
    Definition {
        key: OUTBOX_AMBIGUOUS_GRACE,
        description: "Seconds an unanswered send must stay absent from Twilio's list before it is sent again (30 to 3600).",
        default: || DEFAULT_OUTBOX_AMBIGUOUS_GRACE.to_string(),
        validate: validate::ambiguous_grace,
    },
];

/// Every documented key, in catalogue order.
pub fn keys() -> Vec<&'static str> {
    CATALOGUE.iter().map(|d| d.key).collect()
}

fn definition(key: &str) -> Result<&'static Definition> {
    let key = key.trim();
    CATALOGUE.iter().find(|d| d.key == key).ok_or_else(|| {
        Error::invalid(
            "key",
            format!(
                "\"{key}\" is not a setting; the settings are: {}",
                keys().join(", ")
            ),
        )
    })
}

/// The stored value when it is still valid (a hand-edited database may hold one that is not).
fn valid_stored(store: &Store, def: &Definition) -> Result<Option<String>> {
    let Some(raw) = stored(store, def.key)? else {
        return Ok(None);
    };
    Ok((def.validate)(store, &raw)?.ok())
}

/// Every setting with its value in effect.
pub fn list(store: &Store) -> Result<Vec<SettingEntry>> {
    CATALOGUE
        .iter()
        .map(|def| {
            let default = (def.default)();
            let current = valid_stored(store, def)?;
            Ok(SettingEntry {
                key: def.key.to_string(),
                is_default: current.is_none(),
                value: current.unwrap_or_else(|| default.clone()),
                default,
                description: def.description.to_string(),
            })
        })
        .collect()
}

/// The value in effect for `key`.
pub fn get(store: &Store, key: &str) -> Result<String> {
    let def = definition(key)?;
    Ok(valid_stored(store, def)?.unwrap_or_else(|| (def.default)()))
}

/// Validates, normalises and stores `value` for `key`, auditing the change as `actor`; an empty
/// value returns the key to its default. Returns the value now in effect.
pub fn set(store: &Store, key: &str, value: &str, actor: &str) -> Result<String> {
    let def = definition(key)?;
    let actor = check_actor(actor)?;
    let value = value.trim();
    let checked = if value.is_empty() {
        // Resetting must still leave a consistent pair (the window's default start after a
        // stored end is refused like any other start).
        (def.validate)(store, &(def.default)())?.map(|_| String::new())
    } else {
        (def.validate)(store, value)?
    };
    let to_store = checked
        .map_err(|reason| Error::invalid(def.key, format!("cannot set {}: {reason}", def.key)))?;
    let old = get(store, def.key)?;
    let old_stored = stored(store, def.key)?.unwrap_or_default();
    let new = if to_store.is_empty() {
        (def.default)()
    } else {
        to_store.clone()
    };
    if old_stored != to_store {
        let audit = AuditEntry::new(
            now_ms(),
            actor,
            AuditAction::SettingsChanged,
            "",
            serde_json::json!({ "key": def.key, "old": old, "new": new }),
        );
        store.set_setting_audited(def.key, &to_store, &audit)?;
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_constant_is_in_the_catalogue_once() {
        use crate::settings::*;
        let constants = [
            CLINIC_NAME,
            CLINIC_PHONE,
            CLINIC_LINK,
            CLINIC_TIMEZONE,
            CLINIC_REGION,
            CLINIC_LANGUAGE,
            SENDING_WINDOW_START,
            SENDING_WINDOW_END,
            SENDING_WINDOW_HOLIDAYS,
            KEYWORDS_OPT_OUT,
            KEYWORDS_OPT_IN,
            KEYWORDS_HELP,
            REPLY_HELP,
            REPLY_CONFIRM,
            REPLY_RESCHEDULE,
            REPLY_CANCEL,
            PRICE_PER_SEGMENT,
            REMINDER_HOURS,
            OUTBOX_AMBIGUOUS_GRACE,
        ];
        let mut keys = keys();
        for constant in constants {
            assert_eq!(
                keys.iter().filter(|k| **k == constant).count(),
                1,
                "{constant} must be in the catalogue exactly once"
            );
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(
            keys.len(),
            constants.len(),
            "a catalogue key without a constant"
        );
    }

    #[test]
    fn defaults_pass_their_own_validators() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3")).unwrap();
        for def in CATALOGUE {
            let default = (def.default)();
            if default.is_empty() {
                continue;
            }
            let checked = (def.validate)(&store, &default).unwrap();
            assert_eq!(checked, Ok(default.clone()), "{}", def.key);
        }
    }
}
