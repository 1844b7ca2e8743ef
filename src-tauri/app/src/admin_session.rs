//! The unlocked admin session: held in the app process, never in the webview, and ended by ten
//! minutes without an admin action so a desk left unattended locks itself.

use std::sync::{Arc, Mutex, MutexGuard};

use clinic_desk_core::access::AdminSession;
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::Error;

/// Idle time after which the passphrase is asked again.
pub const IDLE_LIMIT_MS: i64 = 10 * 60 * 1000;

struct Held {
    session: AdminSession,
    last_used: i64,
}

/// Cheap to clone: clones share one session, so work on the blocking pool can check it.
#[derive(Clone)]
pub struct AdminSessions {
    clock: Arc<dyn Clock>,
    held: Arc<Mutex<Option<Held>>>,
}

impl Default for AdminSessions {
    fn default() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }
}

impl AdminSessions {
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            held: Arc::new(Mutex::new(None)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn start(&self, session: AdminSession) {
        let last_used = self.clock.now_ms();
        *self.lock() = Some(Held { session, last_used });
    }

    pub fn end(&self) {
        *self.lock() = None;
    }

    /// The session, when one is open and not idle too long; using it restarts the idle timer.
    pub fn require(&self) -> Result<AdminSession, Error> {
        let now = self.clock.now_ms();
        let mut held = self.lock();
        match held.as_mut() {
            Some(h) if now - h.last_used < IDLE_LIMIT_MS => {
                h.last_used = now;
                Ok(h.session.clone())
            }
            _ => {
                // An expired session is dropped so it cannot come back if the clock moves back.
                *held = None;
                Err(Error::AdminRequired)
            }
        }
    }

    /// Whether a session is open, without counting as use.
    pub fn is_unlocked(&self) -> bool {
        let now = self.clock.now_ms();
        self.lock()
            .as_ref()
            .is_some_and(|h| now - h.last_used < IDLE_LIMIT_MS)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use clinic_desk_core::access;
    use clinic_desk_core::{ErrorCode, Store};

    use super::*;

    #[derive(Default)]
    struct HandClock(AtomicI64);

    impl Clock for HandClock {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    impl HandClock {
        fn advance(&self, ms: i64) {
            self.0.fetch_add(ms, Ordering::SeqCst);
        }
    }

    fn unlocked(clock: Arc<HandClock>) -> (tempfile::TempDir, AdminSessions) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        access::set_passphrase(&store, "a long passphrase", None, "admin").unwrap();
        let session = access::verify(&store, "a long passphrase", "admin").unwrap();
        let sessions = AdminSessions::with_clock(clock);
        sessions.start(session);
        (dir, sessions)
    }

    #[test]
    fn a_session_ends_after_ten_idle_minutes() {
        let clock = Arc::new(HandClock::default());
        let (_dir, sessions) = unlocked(clock.clone());
        clock.advance(IDLE_LIMIT_MS - 1);
        assert!(sessions.is_unlocked());
        clock.advance(1);
        assert!(!sessions.is_unlocked());
        let err = sessions.require().unwrap_err();
        assert_eq!(err.code(), ErrorCode::AdminRequired);
    }

    #[test]
    fn each_admin_action_restarts_the_idle_timer() {
        let clock = Arc::new(HandClock::default());
        let (_dir, sessions) = unlocked(clock.clone());
        for _ in 0..3 {
            clock.advance(IDLE_LIMIT_MS - 1_000);
            assert_eq!(sessions.require().unwrap().actor, "admin");
        }
        clock.advance(IDLE_LIMIT_MS);
        assert!(sessions.require().is_err());
        // Expired means gone: a clock moving back does not revive it.
        clock.0.store(0, Ordering::SeqCst);
        assert!(sessions.require().is_err());
    }

    #[test]
    fn locking_ends_the_session_at_once() {
        let clock = Arc::new(HandClock::default());
        let (_dir, sessions) = unlocked(clock);
        sessions.end();
        assert!(!sessions.is_unlocked());
        assert!(sessions.require().is_err());
    }
}
