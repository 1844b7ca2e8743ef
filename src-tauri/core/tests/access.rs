//! The admin passphrase against a real SQLite file: first run, changing it, right and wrong
//! passphrases, the lockout after five wrong ones and its end (on a hand-moved clock), a lockout
//! surviving a reopened database, one audit entry per attempt, and no byte of the passphrase in
//! the database files.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};

use clinic_desk_core::access::{self, LOCKOUT_MS, MAX_FAILURES};
use clinic_desk_core::clock::Clock;
use clinic_desk_core::compliance::audit;
use clinic_desk_core::store::audit::AuditFilter;
use clinic_desk_core::{Error, ErrorCode, Store};

const PASSPHRASE: &str = "blue heron at the river";
const ACTOR: &str = "front desk 2";

/// A clock the test moves by hand.
struct HandClock(AtomicI64);

impl HandClock {
    fn new() -> Self {
        HandClock(AtomicI64::new(1_780_000_000_000))
    }

    fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for HandClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn open(dir: &Path) -> Store {
    Store::open(db_path(dir)).unwrap()
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join("clinic.sqlite3")
}

fn audit_rows(store: &Store) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    store
        .scan_audit(&AuditFilter::default(), |row| {
            rows.push((row.action, row.actor, row.detail));
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

fn actions(store: &Store) -> Vec<String> {
    audit_rows(store).into_iter().map(|(a, _, _)| a).collect()
}

#[test]
fn first_run_sets_the_passphrase_and_changing_it_needs_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let clock = HandClock::new();
    assert!(!access::is_set(&store).unwrap());
    let err = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap_err();
    assert!(matches!(err, Error::PassphraseNotSet), "{err:?}");
    assert_eq!(err.code(), ErrorCode::AdminRequired);

    let short =
        access::set_passphrase_with_clock(&store, &clock, "too short", None, ACTOR).unwrap_err();
    assert_eq!(short.code(), ErrorCode::InvalidInput);
    assert!(
        short.to_string().contains("at least 10 characters"),
        "{short}"
    );
    assert!(!access::is_set(&store).unwrap());

    access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();
    assert!(access::is_set(&store).unwrap());
    let session = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
    assert_eq!(session.actor, ACTOR);
    assert_eq!(session.unlocked_at, clock.now_ms());

    let next = "green kettle on the stove";
    let err = access::set_passphrase_with_clock(&store, &clock, next, None, ACTOR).unwrap_err();
    assert!(err.to_string().contains("enter the current one"), "{err}");
    let err = access::set_passphrase_with_clock(&store, &clock, next, Some("not the one!"), ACTOR)
        .unwrap_err();
    assert!(
        matches!(err, Error::WrongPassphrase { attempts_left: 4 }),
        "a wrong current passphrase counts like any other: {err:?}"
    );
    access::set_passphrase_with_clock(&store, &clock, next, Some(PASSPHRASE), ACTOR).unwrap();
    assert!(access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).is_err());
    access::verify_with_clock(&store, &clock, next, ACTOR).unwrap();

    let set: Vec<String> = audit_rows(&store)
        .into_iter()
        .filter(|(action, _, _)| action == "admin.passphrase_set")
        .map(|(_, _, detail)| detail)
        .collect();
    assert_eq!(set.len(), 2);
    assert!(set[0].contains("\"set\"") && set[1].contains("\"changed\""));
}

#[test]
fn a_wrong_passphrase_is_refused_and_says_how_many_tries_are_left() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let clock = HandClock::new();
    access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();
    let err =
        access::verify_with_clock(&store, &clock, "blue heron at the rivers", ACTOR).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AdminRequired);
    assert_eq!(
        err.to_string(),
        "wrong admin passphrase; after 4 more wrong tries admin access locks for 5 minutes"
    );
    // A right one clears the count.
    access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
    let err = access::verify_with_clock(&store, &clock, "nope nope nope", ACTOR).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase { attempts_left: 4 }));
}

#[test]
fn five_wrong_in_a_row_lock_admin_access_for_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let clock = HandClock::new();
    access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();

    for left in (1..MAX_FAILURES).rev() {
        let err =
            access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR).unwrap_err();
        assert!(
            matches!(err, Error::WrongPassphrase { attempts_left } if attempts_left == left),
            "{err:?}"
        );
    }
    let err = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR).unwrap_err();
    assert_eq!(err.code(), ErrorCode::LockedOut);
    assert!(err.to_string().ends_with("try again in 5 minutes"), "{err}");

    // Locked: even the right passphrase is refused, and the wait shrinks with the clock.
    clock.advance_ms(60_000);
    let err = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap_err();
    assert!(
        matches!(err, Error::LockedOut { retry_after_ms } if retry_after_ms == LOCKOUT_MS - 60_000)
    );
    assert!(err.to_string().ends_with("try again in 4 minutes"), "{err}");
    let status = access::status(&store, &clock).unwrap();
    assert_eq!(
        status.locked_until,
        Some(clock.now_ms() + LOCKOUT_MS - 60_000)
    );

    clock.advance_ms(LOCKOUT_MS - 60_000 - 1_000);
    let err = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap_err();
    assert!(err.to_string().ends_with("try again in 1 second"), "{err}");

    // The lockout runs out: the right passphrase works again...
    clock.advance_ms(1_000);
    access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
    assert_eq!(access::status(&store, &clock).unwrap().locked_until, None);

    // ...and so does a fresh set of tries after a lockout that simply expired.
    for _ in 0..MAX_FAILURES {
        let _ = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR);
    }
    clock.advance_ms(LOCKOUT_MS);
    let err = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR).unwrap_err();
    assert!(
        matches!(err, Error::WrongPassphrase { attempts_left: 4 }),
        "{err:?}"
    );
}

#[test]
fn a_lockout_survives_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let clock = HandClock::new();
    {
        let store = open(dir.path());
        access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();
        for _ in 0..MAX_FAILURES {
            let _ = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR);
        }
    }
    let store = open(dir.path());
    let err = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap_err();
    assert_eq!(err.code(), ErrorCode::LockedOut);
    // Changing the passphrase is no way around it either.
    let err = access::set_passphrase_with_clock(
        &store,
        &clock,
        "a brand new passphrase",
        Some(PASSPHRASE),
        ACTOR,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::LockedOut);
    clock.advance_ms(LOCKOUT_MS);
    access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
}

#[test]
fn every_attempt_is_audited_and_the_chain_holds() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let clock = HandClock::new();
    access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();
    access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
    for _ in 0..MAX_FAILURES {
        let _ = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR);
    }
    let _ = access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR);
    let _ = access::verify_with_clock(&store, &clock, "guess guess guess", ACTOR);

    let mut expected = vec!["admin.passphrase_set", "admin.unlock"];
    expected.extend(std::iter::repeat_n("admin.failed", MAX_FAILURES as usize));
    expected.extend(["admin.locked_out", "admin.locked_out"]);
    assert_eq!(actions(&store), expected);
    let rows = audit_rows(&store);
    assert!(rows.iter().all(|(_, actor, _)| actor == ACTOR));
    assert!(
        rows[6].2.contains("locked_until"),
        "the fifth failure records the lock: {}",
        rows[6].2
    );
    for (_, _, detail) in &rows {
        assert!(
            !detail.contains("guess") && !detail.contains("heron"),
            "{detail}"
        );
    }
    assert!(audit::verify(&store).unwrap().ok);
}

#[test]
fn only_a_salted_hash_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let clock = HandClock::new();
    access::set_passphrase_with_clock(&store, &clock, PASSPHRASE, None, ACTOR).unwrap();
    access::verify_with_clock(&store, &clock, PASSPHRASE, ACTOR).unwrap();
    let _ = access::verify_with_clock(&store, &clock, "blue heron at the lake", ACTOR);

    let row = store.admin_access_row().unwrap().unwrap();
    assert!(
        row.passphrase_hash.starts_with("$argon2id$"),
        "{}",
        row.passphrase_hash
    );
    assert!(!row.passphrase_hash.contains(PASSPHRASE));

    let other = tempfile::tempdir().unwrap();
    let other_store = open(other.path());
    access::set_passphrase_with_clock(&other_store, &clock, PASSPHRASE, None, ACTOR).unwrap();
    assert_ne!(
        other_store
            .admin_access_row()
            .unwrap()
            .unwrap()
            .passphrase_hash,
        row.passphrase_hash,
        "the same passphrase hashes differently with its own salt"
    );

    // Neither the passphrase nor a wrong guess appears in the file or its WAL.
    let mut scanned = 0;
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", db_path(dir.path()).display());
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        scanned += 1;
        for needle in [PASSPHRASE, "blue heron", "at the lake"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} found in {path}"
            );
        }
    }
    assert!(scanned >= 1);
}
