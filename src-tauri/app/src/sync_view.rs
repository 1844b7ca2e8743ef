//! The latest sync state and back-fill progress, as the engine last announced them. Events reach
//! only listeners that exist when they are sent, and the first cycle usually finishes before the
//! webview has loaded, so the status strip reads this snapshot on mount and follows the events
//! from there.

use std::sync::Mutex;

use clinic_desk_core::events::{CoreEvent, SyncStatus};
use clinic_desk_core::sync::poller::BackfillProgress;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncSnapshot {
    /// None until the engine's first cycle ends (or when no engine runs).
    pub status: Option<SyncStatus>,
    /// One entry per direction while a back-fill runs; empty otherwise.
    pub backfill: Vec<BackfillProgress>,
}

#[derive(Debug, Default)]
pub struct SyncView(Mutex<SyncSnapshot>);

impl SyncView {
    pub fn observe(&self, event: &CoreEvent) {
        let mut snapshot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            // A cycle's status comes after its passes, so a back-fill reported before it is over.
            CoreEvent::SyncStatus(status) => {
                snapshot.status = Some(status.clone());
                snapshot.backfill.clear();
            }
            CoreEvent::Backfill(progress) => {
                match snapshot
                    .backfill
                    .iter_mut()
                    .find(|p| p.direction == progress.direction)
                {
                    Some(existing) => *existing = progress.clone(),
                    None => snapshot.backfill.push(progress.clone()),
                }
            }
            _ => {}
        }
    }

    pub fn snapshot(&self) -> SyncSnapshot {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::events::SyncState;
    use clinic_desk_core::store::threads::Direction;

    use super::*;

    fn progress(direction: Direction, fetched: u64) -> CoreEvent {
        CoreEvent::Backfill(BackfillProgress {
            direction,
            fetched,
            oldest_at: Some(1_000),
        })
    }

    fn status(state: SyncState) -> CoreEvent {
        CoreEvent::SyncStatus(SyncStatus {
            state,
            last_synced_at: Some(2_000),
            last_error: None,
        })
    }

    #[test]
    fn starts_empty() {
        assert_eq!(SyncView::default().snapshot(), SyncSnapshot::default());
    }

    #[test]
    fn keeps_the_latest_progress_per_direction() {
        let view = SyncView::default();
        view.observe(&progress(Direction::Inbound, 10_000));
        view.observe(&progress(Direction::Inbound, 20_000));
        view.observe(&progress(Direction::Outbound, 5_000));
        let backfill = view.snapshot().backfill;
        assert_eq!(backfill.len(), 2);
        assert_eq!(backfill[0].fetched, 20_000);
        assert_eq!(backfill[1].direction, Direction::Outbound);
    }

    #[test]
    fn a_status_ends_the_backfill_and_is_kept() {
        let view = SyncView::default();
        view.observe(&progress(Direction::Inbound, 10_000));
        view.observe(&status(SyncState::Offline));
        view.observe(&CoreEvent::OutboxChanged);
        let snapshot = view.snapshot();
        assert!(snapshot.backfill.is_empty());
        assert_eq!(snapshot.status.map(|s| s.state), Some(SyncState::Offline));
    }
}
