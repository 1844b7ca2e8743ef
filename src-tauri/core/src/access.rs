//! The admin passphrase: set on first run, checked before admin-only actions, locked after
//! repeated failures.
//!
//! The passphrase is stored only as an argon2id PHC string with a random salt (the `argon2`
//! crate's recommended parameters), so the database never holds it. Five wrong passphrases in a
//! row lock admin access for five minutes; the counter and the lock live in the database, so
//! restarting the app or using the CLI does not lift them. Every attempt (right, wrong, or refused
//! while locked) leaves exactly one audit entry, and none of them holds any part of the
//! passphrase. Time comes from a [`Clock`] so the lockout is tested without waiting.
//!
//! Limits: this module only answers "is this the passphrase?"; which actions need an
//! [`AdminSession`] and how long one lasts is for the app's command layer to decide.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::TryRngCore;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::store::access::{AdminAccessRow, AttemptRecord};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::Store;

pub const MIN_PASSPHRASE_CHARS: usize = 10;
/// Far above any real passphrase; only keeps a pasted document from being hashed.
pub const MAX_PASSPHRASE_CHARS: usize = 1024;
/// Wrong passphrases in a row that lock admin access.
pub const MAX_FAILURES: u32 = 5;
pub const LOCKOUT_MS: i64 = 5 * 60 * 1000;

/// Proof that the admin passphrase was given: only [`verify`] makes one (`non_exhaustive` keeps
/// other crates from building one by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdminSession {
    /// Who unlocked, as named in the audit log.
    pub actor: String,
    /// Epoch milliseconds.
    pub unlocked_at: i64,
}

/// What the lock screen shows before anyone types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessStatus {
    /// False on first run: the admin must set a passphrase.
    pub passphrase_set: bool,
    /// Epoch milliseconds until which admin access is locked, when it is locked now.
    pub locked_until: Option<i64>,
    /// Wrong passphrases in a row so far.
    pub failures: u32,
}

/// Whether an admin passphrase has been set.
pub fn is_set(store: &Store) -> Result<bool> {
    Ok(store.admin_access_row()?.is_some())
}

pub fn status(store: &Store, clock: &dyn Clock) -> Result<AccessStatus> {
    let now = clock.now_ms();
    Ok(match store.admin_access_row()? {
        None => AccessStatus {
            passphrase_set: false,
            locked_until: None,
            failures: 0,
        },
        Some(row) => AccessStatus {
            passphrase_set: true,
            locked_until: (row.locked_until > now).then_some(row.locked_until),
            failures: if lock_expired(&row, now) {
                0
            } else {
                row.failures
            },
        },
    })
}

/// [`set_passphrase_with_clock`] on the system clock.
pub fn set_passphrase(store: &Store, new: &str, current: Option<&str>, actor: &str) -> Result<()> {
    set_passphrase_with_clock(store, &SystemClock, new, current, actor)
}

/// Sets the admin passphrase. On first run none is set and `current` is ignored; after that
/// `current` must be the passphrase in force, checked (and counted towards the lockout) like any
/// other attempt.
pub fn set_passphrase_with_clock(
    store: &Store,
    clock: &dyn Clock,
    new: &str,
    current: Option<&str>,
    actor: &str,
) -> Result<()> {
    check_new(new)?;
    let previous = store.admin_access_row()?;
    if let Some(row) = &previous {
        let Some(current) = current.filter(|c| !c.is_empty()) else {
            return Err(Error::invalid(
                "current_passphrase",
                "an admin passphrase is already set; enter the current one to change it",
            ));
        };
        verify_against(store, clock, row, current, actor)?;
    }
    let hash = hash(new)?;
    let audit = AuditEntry::new(
        clock.now_ms(),
        actor,
        AuditAction::AdminPassphraseSet,
        "",
        json!({ "change": if previous.is_some() { "changed" } else { "set" } }),
    );
    let expected = previous.as_ref().map(|row| row.passphrase_hash.as_str());
    if !store.put_admin_passphrase(&hash, expected, &audit)? {
        return Err(Error::invalid(
            "passphrase",
            "the admin passphrase was changed from another window at the same moment; enter \
             the current passphrase and try again",
        ));
    }
    tracing::info!(actor, "admin passphrase set");
    Ok(())
}

/// [`verify_with_clock`] on the system clock.
pub fn verify(store: &Store, passphrase: &str, actor: &str) -> Result<AdminSession> {
    verify_with_clock(store, &SystemClock, passphrase, actor)
}

/// Checks `passphrase`; every call is audited. While admin access is locked the passphrase is not
/// even checked, so a lockout cannot be used to test guesses.
pub fn verify_with_clock(
    store: &Store,
    clock: &dyn Clock,
    passphrase: &str,
    actor: &str,
) -> Result<AdminSession> {
    let Some(row) = store.admin_access_row()? else {
        store.audit(&AuditEntry::new(
            clock.now_ms(),
            actor,
            AuditAction::AdminFailed,
            "",
            json!({ "reason": "no passphrase set" }),
        ))?;
        return Err(Error::PassphraseNotSet);
    };
    verify_against(store, clock, &row, passphrase, actor)
}

/// What one attempt came to.
enum Attempt {
    Unlocked { at: i64 },
    Wrong { attempts_left: u32 },
    Locked { retry_after_ms: i64 },
}

fn verify_against(
    store: &Store,
    clock: &dyn Clock,
    row: &AdminAccessRow,
    passphrase: &str,
    actor: &str,
) -> Result<AdminSession> {
    // The slow hash runs outside the write transaction; the decision is taken again inside it
    // on the row as it is then.
    let matched = row.locked_until <= clock.now_ms() && matches(passphrase, &row.passphrase_hash)?;
    let checked_hash = row.passphrase_hash.clone();
    let attempt = store.record_admin_attempt(|current| {
        let right = matched && current.passphrase_hash == checked_hash;
        decide(current, right, clock.now_ms(), actor)
    })?;
    match attempt {
        None => Err(Error::PassphraseNotSet),
        Some(Attempt::Unlocked { at }) => Ok(AdminSession {
            actor: actor.to_string(),
            unlocked_at: at,
        }),
        Some(Attempt::Wrong { attempts_left }) => Err(Error::WrongPassphrase { attempts_left }),
        Some(Attempt::Locked { retry_after_ms }) => Err(Error::LockedOut { retry_after_ms }),
    }
}

fn lock_expired(row: &AdminAccessRow, now: i64) -> bool {
    row.locked_until != 0 && row.locked_until <= now
}

/// The lockout rules, on the row as it is inside the write transaction.
fn decide(row: &AdminAccessRow, right: bool, now: i64, actor: &str) -> (AttemptRecord, Attempt) {
    let entry = |action, detail| AuditEntry::new(now, actor, action, "", detail);
    if row.locked_until > now {
        let retry_after_ms = row.locked_until - now;
        let record = AttemptRecord {
            failures: row.failures,
            locked_until: row.locked_until,
            audit: entry(
                AuditAction::AdminLockedOut,
                json!({ "locked_until": row.locked_until, "retry_after_ms": retry_after_ms }),
            ),
        };
        return (record, Attempt::Locked { retry_after_ms });
    }
    if right {
        let record = AttemptRecord {
            failures: 0,
            locked_until: 0,
            audit: entry(AuditAction::AdminUnlock, json!({})),
        };
        return (record, Attempt::Unlocked { at: now });
    }
    // A lockout that has run out gives a fresh set of tries.
    let before = if lock_expired(row, now) {
        0
    } else {
        row.failures
    };
    let failures = before.saturating_add(1);
    if failures >= MAX_FAILURES {
        let locked_until = now + LOCKOUT_MS;
        let record = AttemptRecord {
            failures,
            locked_until,
            audit: entry(
                AuditAction::AdminFailed,
                json!({ "failures": failures, "locked_until": locked_until }),
            ),
        };
        return (
            record,
            Attempt::Locked {
                retry_after_ms: LOCKOUT_MS,
            },
        );
    }
    let attempts_left = MAX_FAILURES - failures;
    let record = AttemptRecord {
        failures,
        locked_until: 0,
        audit: entry(
            AuditAction::AdminFailed,
            json!({ "failures": failures, "attempts_left": attempts_left }),
        ),
    };
    (record, Attempt::Wrong { attempts_left })
}

fn check_new(new: &str) -> Result<()> {
    let chars = new.trim().chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!(
                "the admin passphrase must be at least {MIN_PASSPHRASE_CHARS} characters long \
                 (this one has {chars}); a few unrelated words in a row are easy to remember \
                 and hard to guess"
            ),
        ));
    }
    if new.chars().count() > MAX_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("the admin passphrase must be at most {MAX_PASSPHRASE_CHARS} characters long"),
        ));
    }
    Ok(())
}

fn hash(passphrase: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|e| Error::PassphraseHash {
            detail: format!("no random numbers from the operating system: {e}"),
        })?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::PassphraseHash {
        detail: e.to_string(),
    })?;
    Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::PassphraseHash {
            detail: e.to_string(),
        })
}

fn matches(passphrase: &str, phc: &str) -> Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|e| Error::PassphraseHash {
        detail: format!("the saved passphrase hash cannot be read: {e}"),
    })?;
    // The PHC string names its own algorithm and parameters, so hashes made with other
    // parameters by an older or newer release still verify.
    Ok(Argon2::default()
        .verify_password(passphrase.as_bytes(), &parsed)
        .is_ok())
}

/// "5 minutes", "4 minutes 12 seconds", "40 seconds": how long a lockout still lasts.
pub fn describe_wait(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (minutes, seconds) = (secs / 60, secs % 60);
    match (minutes, seconds) {
        (0, s) => unit(s, "second", "seconds"),
        (m, 0) => unit(m, "minute", "minutes"),
        (m, s) => format!(
            "{} {}",
            unit(m, "minute", "minutes"),
            unit(s, "second", "seconds")
        ),
    }
}

pub(crate) fn wrong_passphrase_message(attempts_left: u32) -> String {
    format!(
        "wrong admin passphrase; after {attempts_left} more wrong {} admin access locks for {}",
        if attempts_left == 1 { "try" } else { "tries" },
        describe_wait(LOCKOUT_MS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_as_plain_words() {
        assert_eq!(describe_wait(LOCKOUT_MS), "5 minutes");
        assert_eq!(describe_wait(252_000), "4 minutes 12 seconds");
        assert_eq!(describe_wait(40_000), "40 seconds");
        assert_eq!(describe_wait(500), "1 second");
        assert_eq!(describe_wait(61_000), "1 minute 1 second");
    }

    #[test]
    fn hashes_are_salted_phc_strings_that_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(!a.contains("correct horse"));
        assert!(matches("correct horse battery", &a).unwrap());
        assert!(!matches("correct horse batterY", &a).unwrap());
        assert!(matches("x", "not a hash").is_err());
    }

    #[test]
    fn short_passphrases_say_the_minimum() {
        let err = check_new("  short    ").unwrap_err().to_string();
        assert!(err.contains("at least 10 characters"), "{err}");
        assert!(check_new("ten chars!").is_ok());
    }
}
