//! Typed change events from the core to whoever shows them (the desktop shell forwards them to
//! the webview as `core-event`). The UI re-reads what an event names rather than trusting a
//! payload copy, so events stay small and the store stays the single source of truth.

use serde::Serialize;
use ts_rs::TS;

use crate::sync::poller::BackfillProgress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncState {
    Starting,
    Online,
    Offline,
    /// Twilio refused the credentials: sending stopped until an admin fixes them.
    AuthError,
    /// No Twilio account configured.
    NotConfigured,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_synced_at: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewReply {
    pub phone: String,
    pub patient_name: Option<String>,
    pub body: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CoreEvent {
    /// Threads whose messages or summary changed.
    ThreadsChanged {
        phones: Vec<String>,
    },
    /// A patient texted in (for a desktop notification).
    NewReply(NewReply),
    /// Outbox texts moved (sent, failed, retried).
    OutboxChanged,
    /// Patients were added or edited.
    PatientsChanged,
    /// Opt-out state or staff flags changed for these numbers (banner, compliance screen).
    ComplianceChanged {
        phones: Vec<String>,
    },
    /// Appointments were booked, edited, confirmed or cancelled.
    AppointmentsChanged,
    SyncStatus(SyncStatus),
    Backfill(BackfillProgress),
}
