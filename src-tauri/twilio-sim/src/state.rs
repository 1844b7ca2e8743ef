//! The simulator's memory: messages with the index the list API pages through, and the knobs
//! the control API turns (planned outcomes, opt-outs, visibility delay).
//!
//! Messages are immutable once stored (status is derived from the clock, see `lifecycle`), so
//! they are shared as `Arc`s: a list request copies pointers out under the lock and renders JSON
//! after releasing it. The list index is a `BTreeMap` keyed by (sort date, SID), which gives
//! newest-first pages and stable cursors over any number of messages in O(log n + page).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::clock::{Millis, SimClock};
use crate::config::SimConfig;
use crate::faults::FaultTable;
use crate::ids::new_sid;
use crate::lifecycle::{self, Direction, Outcome, StatusView};
use crate::optout::OptOuts;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub direction: Direction,
    pub created: Millis,
    /// When the text is (or will be) sent; the list's sort and DateSent filter key.
    pub sort_date: Millis,
    /// Before this instant the message is left out of list results (fetch still finds it).
    pub visible_at: Millis,
    pub messaging_service_sid: Option<String>,
    pub num_segments: u32,
    pub outcome: Outcome,
}

impl StoredMessage {
    pub fn view(&self, now: Millis) -> StatusView {
        match self.direction {
            Direction::Inbound => lifecycle::inbound_view(self.created, self.num_segments),
            Direction::OutboundApi | Direction::OutboundReply => lifecycle::outbound_view(
                self.created,
                self.messaging_service_sid.is_some(),
                self.outcome,
                self.num_segments,
                now,
            ),
        }
    }

    pub fn sort_key(&self) -> SortKey {
        (self.sort_date, self.sid.clone())
    }
}

/// (sort date, SID): unique, and ordered the way Twilio lists (reversed for newest first).
pub type SortKey = (Millis, String);

/// What to create, before the store assigns a SID and dates.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub from: String,
    pub to: String,
    pub body: String,
    pub direction: Direction,
    pub messaging_service_sid: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
pub struct Store {
    in_creation_order: Vec<Arc<StoredMessage>>,
    by_sid: HashMap<String, Arc<StoredMessage>>,
    by_date: BTreeMap<SortKey, Arc<StoredMessage>>,
}

impl Store {
    /// Stores a message; a SID collision (only possible with a replayed seed) is refused.
    pub fn insert(&mut self, message: StoredMessage) -> Option<Arc<StoredMessage>> {
        if self.by_sid.contains_key(&message.sid) {
            return None;
        }
        let message = Arc::new(message);
        self.by_date
            .insert(message.sort_key(), Arc::clone(&message));
        self.by_sid
            .insert(message.sid.clone(), Arc::clone(&message));
        self.in_creation_order.push(Arc::clone(&message));
        Some(message)
    }

    pub fn get(&self, sid: &str) -> Option<Arc<StoredMessage>> {
        self.by_sid.get(sid).cloned()
    }

    pub fn all(&self) -> &[Arc<StoredMessage>] {
        &self.in_creation_order
    }

    pub fn len(&self) -> usize {
        self.in_creation_order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.in_creation_order.is_empty()
    }

    /// Messages between two sort keys, oldest first; reverse it for Twilio's order.
    pub fn range(
        &self,
        lower: Bound<SortKey>,
        upper: Bound<SortKey>,
    ) -> impl DoubleEndedIterator<Item = &Arc<StoredMessage>> {
        // BTreeMap::range panics on an inverted range; an empty answer is what the caller means.
        let inverted = match (&lower, &upper) {
            (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => {
                l > u
                    || (l == u
                        && !(matches!(lower, Bound::Included(_))
                            && matches!(upper, Bound::Included(_))))
            }
            _ => false,
        };
        let range = if inverted {
            None
        } else {
            Some(self.by_date.range((lower, upper)).map(|(_, m)| m))
        };
        range.into_iter().flatten()
    }

    pub fn clear(&mut self) {
        *self = Store::default();
    }
}

/// What the control API planned for texts to one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlannedOutcome {
    /// Refused at create with HTTP 400 and this Twilio code.
    Reject(u32),
    /// Accepted, then ends this way.
    Finish(Outcome),
}

#[derive(Debug)]
pub struct Inner {
    pub store: Store,
    pub outcomes: HashMap<String, PlannedOutcome>,
    pub optouts: OptOuts,
    pub visibility_delay: Millis,
    pub rng: StdRng,
    /// Counts `/_sim/seed` calls so that each fills history with fresh SIDs.
    pub seed_calls: u64,
}

impl Inner {
    fn new(seed: Option<u64>) -> Self {
        Inner {
            store: Store::default(),
            outcomes: HashMap::new(),
            optouts: OptOuts::default(),
            visibility_delay: 0,
            rng: make_rng(seed),
            seed_calls: 0,
        }
    }

    /// Assigns a fresh SID, counts segments and stores the message.
    pub fn create(&mut self, new: NewMessage, now: Millis) -> Arc<StoredMessage> {
        let num_segments = clinic_desk_core::composer::segments::count(&new.body).segments;
        loop {
            let message = StoredMessage {
                sid: new_sid("SM", &mut self.rng),
                from: new.from.clone(),
                to: new.to.clone(),
                body: new.body.clone(),
                direction: new.direction,
                created: now,
                sort_date: lifecycle::sort_date(new.direction, now),
                visible_at: now + self.visibility_delay,
                messaging_service_sid: new.messaging_service_sid.clone(),
                num_segments,
                outcome: new.outcome,
            };
            if let Some(stored) = self.store.insert(message) {
                return stored;
            }
        }
    }

    pub fn planned_outcome(&self, to: &str) -> PlannedOutcome {
        self.outcomes
            .get(to)
            .copied()
            .unwrap_or(PlannedOutcome::Finish(Outcome::Delivered))
    }
}

pub fn make_rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_os_rng(),
    }
}

/// One simulator instance, shared by every connection.
#[derive(Debug)]
pub struct Sim {
    pub config: SimConfig,
    pub clock: SimClock,
    pub faults: FaultTable,
    /// When the account "was created": the simulator's start.
    pub started_at: Millis,
    inner: Mutex<Inner>,
}

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        let clock = SimClock::default();
        let started_at = clock.now_ms();
        Sim {
            faults: FaultTable::new(config.seed),
            inner: Mutex::new(Inner::new(config.seed)),
            config,
            clock,
            started_at,
        }
    }

    /// The state lock. A panic while holding it cannot leave a message half-stored (inserts are
    /// the last step), so a poisoned lock is still safe to use.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Back to the state right after start-up.
    pub fn reset(&self) {
        *self.lock() = Inner::new(self.config.seed);
        self.faults.clear();
        self.clock.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sid: &str, sort_date: Millis) -> StoredMessage {
        StoredMessage {
            sid: sid.into(),
            from: "+1".into(),
            to: "+2".into(),
            body: "hi".into(),
            direction: Direction::Inbound,
            created: sort_date,
            sort_date,
            visible_at: sort_date,
            messaging_service_sid: None,
            num_segments: 1,
            outcome: Outcome::Delivered,
        }
    }

    #[test]
    fn range_is_ordered_and_tolerates_inverted_bounds() {
        let mut store = Store::default();
        store.insert(message("SMb", 2)).unwrap();
        store.insert(message("SMa", 2)).unwrap();
        store.insert(message("SMc", 1)).unwrap();
        assert!(store.insert(message("SMc", 9)).is_none());
        let newest_first: Vec<_> = store
            .range(Bound::Unbounded, Bound::Unbounded)
            .rev()
            .map(|m| m.sid.as_str())
            .collect();
        assert_eq!(newest_first, ["SMb", "SMa", "SMc"]);
        let inverted = store.range(
            Bound::Included((5, String::new())),
            Bound::Excluded((1, String::new())),
        );
        assert_eq!(inverted.count(), 0);
        let empty = store.range(
            Bound::Excluded((2, "SMa".into())),
            Bound::Excluded((2, "SMa".into())),
        );
        assert_eq!(empty.count(), 0);
    }
}
