//! The audit log as the clinic uses it: check that nobody changed it, and export it.
//!
//! [`verify`] walks the hash chain in `seq` order and names the first problem precisely (a row
//! edited, missing or out of order). Limits: the chain has no secret key, so someone who
//! rewrites every later row with recomputed hashes, or removes the newest rows, leaves a chain
//! that verifies; keeping the `last_hash` of an earlier check (or an export) elsewhere catches
//! both. [`export`] writes CSV; rows never hold message bodies, so a patient's export cannot
//! carry another patient's texts, and a phone filter keeps other patients' numbers out too.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use ts_rs::TS;

use crate::composer::phone;
use crate::error::{Error, Result};
use crate::settings;
use crate::store::audit::{AuditFilter, AuditRow, GENESIS_HASH};
use crate::store::{now_ms, Store};

pub use crate::store::audit::{AuditAction, AuditEntry};

/// The first thing wrong with the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainProblem {
    /// The row's fields no longer match its hash.
    Edited { seq: i64 },
    /// Rows `first..=last` were deleted.
    Missing { first: i64, last: i64 },
    /// Two rows swapped places (or a row was moved).
    OutOfOrder { first: i64, second: i64 },
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::Edited { seq } => write!(f, "row {seq} was edited"),
            ChainProblem::Missing { first, last } if first == last => {
                write!(f, "row {first} is missing (deleted)")
            }
            ChainProblem::Missing { first, last } => {
                write!(f, "rows {first} to {last} are missing (deleted)")
            }
            ChainProblem::OutOfOrder { first, second } => {
                write!(f, "rows {first} and {second} are out of order")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub ok: bool,
    /// Rows checked (all of them when the chain is intact).
    pub rows: u64,
    /// The newest row's seq and hash: keep them elsewhere to detect later truncation.
    pub last_seq: Option<i64>,
    pub last_hash: Option<String>,
    pub problem: Option<ChainProblem>,
    /// `problem` in plain words, or a one-line summary when the chain is intact.
    pub message: String,
}

/// Where the walk stopped, before the slow lookups that explain why.
enum Stop {
    /// A seq below the chain's start (only a hand-made row can have one).
    Before {
        found: i64,
        expected: i64,
    },
    Gap {
        expected: i64,
        found: i64,
    },
    BadLink {
        row: AuditRow,
        hash_ok: bool,
    },
    BadHash {
        seq: i64,
    },
}

/// Checks the whole chain.
pub fn verify(store: &Store) -> Result<VerifyReport> {
    let mut expected_seq = 1_i64;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut rows = 0_u64;
    let mut stop = None;
    store.scan_audit(&AuditFilter::default(), |row| {
        let hash_ok = row.expected_hash() == row.hash;
        stop = if row.seq < expected_seq {
            Some(Stop::Before {
                found: row.seq,
                expected: expected_seq,
            })
        } else if row.seq > expected_seq {
            Some(Stop::Gap {
                expected: expected_seq,
                found: row.seq,
            })
        } else if row.prev_hash != expected_prev {
            Some(Stop::BadLink { row, hash_ok })
        } else if !hash_ok {
            Some(Stop::BadHash { seq: row.seq })
        } else {
            rows += 1;
            expected_seq = row.seq + 1;
            expected_prev = row.hash;
            None
        };
        if stop.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    let problem = match stop {
        None => None,
        Some(Stop::Gap { expected, found }) => Some(ChainProblem::Missing {
            first: expected,
            last: found - 1,
        }),
        Some(Stop::BadHash { seq }) => Some(ChainProblem::Edited { seq }),
        Some(Stop::Before { found, expected }) => Some(ChainProblem::OutOfOrder {
            first: found,
            second: expected,
        }),
        Some(Stop::BadLink { row, hash_ok }) => Some(explain_bad_link(store, &row, hash_ok)?),
    };
    let (last_seq, last_hash) = if problem.is_none() && rows > 0 {
        (Some(expected_seq - 1), Some(expected_prev))
    } else {
        (None, None)
    };
    let message = match &problem {
        Some(problem) => {
            format!("the audit log has been tampered with: {problem}; rows before it are intact")
        }
        None => format!("the audit log is intact: {rows} rows, none edited, missing or moved"),
    };
    Ok(VerifyReport {
        ok: problem.is_none(),
        rows,
        last_seq,
        last_hash,
        problem,
        message,
    })
}

/// A row whose `prev_hash` is not the hash of the row before it: that hash belongs to a later
/// row (moved), to no row (the one before was deleted and the rest renumbered, or edited with
/// its hash recomputed), or to an earlier row (a row was slipped in between).
fn explain_bad_link(store: &Store, row: &AuditRow, hash_ok: bool) -> Result<ChainProblem> {
    let linked = if row.prev_hash == GENESIS_HASH {
        None
    } else {
        store.audit_seq_of_hash(&row.prev_hash)?
    };
    Ok(match linked {
        Some(other) if other > row.seq => ChainProblem::OutOfOrder {
            first: row.seq,
            second: other,
        },
        Some(_) => ChainProblem::OutOfOrder {
            first: row.seq - 1,
            second: row.seq,
        },
        None if row.prev_hash == GENESIS_HASH => ChainProblem::OutOfOrder {
            first: 1,
            second: row.seq,
        },
        // The row itself is untouched, so the one it points back to was rewritten in place.
        None if hash_ok && row.seq > 1 => ChainProblem::Edited { seq: row.seq - 1 },
        None => ChainProblem::Missing {
            first: row.seq,
            last: row.seq,
        },
    })
}

/// Writes the rows to `path` as CSV (`seq,at,actor,action,subject,detail,hash`, `at` in RFC 3339
/// UTC) and records the export in the log. Returns the number of rows written.
pub fn export(
    store: &Store,
    path: &Path,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    phone: Option<&str>,
    actor: &str,
) -> Result<usize> {
    let actor = check_actor(actor)?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(Error::invalid(
                "from",
                format!("the start date {from} is after the end date {to}; swap them"),
            ));
        }
    }
    let subject = match phone {
        Some(p) => Some(phone::normalize(p, &settings::clinic_region(store)?)?),
        None => None,
    };
    let zone = settings::clinic_timezone(store)?;
    let filter = AuditFilter {
        from_ms: from.map(|d| start_of_day(zone, d).timestamp_millis()),
        until_ms: to
            .and_then(|d| d.succ_opt())
            .map(|d| start_of_day(zone, d).timestamp_millis()),
        subject: subject.clone(),
    };
    let count = write_csv(store, path, &filter)?;
    store.audit(&AuditEntry::new(
        now_ms(),
        actor,
        AuditAction::AuditExported,
        subject.clone().unwrap_or_default(),
        serde_json::json!({
            "from": from.map(|d| d.to_string()),
            "to": to.map(|d| d.to_string()),
            "phone": subject,
            "time_zone": zone.name(),
            "rows": count,
        }),
    ))?;
    Ok(count)
}

/// Writes to a sibling file and renames it into place, so a failed export never leaves a
/// partial file that looks complete.
fn write_csv(store: &Store, path: &Path, filter: &AuditFilter) -> Result<usize> {
    let partial = partial_path(path);
    let result = write_rows(store, &partial, filter).and_then(|count| {
        std::fs::rename(&partial, path).map_err(|e| file_error(path, &e))?;
        Ok(count)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn write_rows(store: &Store, path: &Path, filter: &AuditFilter) -> Result<usize> {
    let mut writer = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    writer
        .write_record(["seq", "at", "actor", "action", "subject", "detail", "hash"])
        .map_err(|e| csv_error(path, e))?;
    let mut count = 0_usize;
    let mut failure = None;
    store.scan_audit(filter, |row| {
        let at = DateTime::<Utc>::from_timestamp_millis(row.at)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
            .unwrap_or_else(|| row.at.to_string());
        let record = [
            row.seq.to_string(),
            at,
            row.actor,
            row.action,
            row.subject,
            row.detail,
            row.hash,
        ];
        match writer.write_record(&record) {
            Ok(()) => {
                count += 1;
                ControlFlow::Continue(())
            }
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(csv_error(path, e));
    }
    writer.flush().map_err(|e| file_error(path, &e))?;
    Ok(count)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn csv_error(path: &Path, err: csv::Error) -> Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => file_error(path, &io),
        other => Error::invalid("file", format!("cannot write the CSV file: {other:?}")),
    }
}

fn file_error(path: &Path, err: &std::io::Error) -> Error {
    Error::invalid(
        "file",
        format!(
            "cannot write {}: {err}; choose a folder you can write to",
            path.display()
        ),
    )
}

/// The first instant of `day` in `zone`. Where the zone skips midnight (a DST change at 00:00),
/// the day starts at the first minute that exists.
fn start_of_day(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=24 * 4)
        .map(|quarter| midnight + Duration::minutes(15 * quarter))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The actor as recorded: trimmed, not empty, one line.
pub fn check_actor(actor: &str) -> Result<String> {
    let actor = actor.trim();
    if actor.is_empty() || actor.chars().count() > 100 || actor.chars().any(char::is_control) {
        return Err(Error::invalid(
            "actor",
            "say who is making the change: a name of 1 to 100 characters on one line (the CLI \
             takes --actor NAME or CLINIC_DESK_ACTOR)",
        ));
    }
    Ok(actor.to_string())
}
