//! The `audit_log` table: append-only rows, each hash-chained to the one before it.
//!
//! A row's `seq` is the previous maximum plus one, taken inside the writer's IMMEDIATE
//! transaction, so several windows or processes on one file still write one gap-free chain. The
//! schema's triggers refuse UPDATE and DELETE; the chain is what catches edits made around them
//! (see `compliance::audit::verify`). Rows carry SIDs, numbers, counts and states, never message
//! bodies.

use std::ops::ControlFlow;

use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::{Store, StoreError};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. The dotted names are stored and exported; they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    TextQueued,
    TextSent,
    TextReceived,
    TextStatus,
    TextRetried,
    OptOutRecorded,
    OptInRecorded,
    OptOutFlagged,
    OptOutConfirmed,
    ConsentGranted,
    ConsentRevoked,
    SettingsChanged,
    CredentialsChanged,
    QuietHoursOverride,
    AuditExported,
    AutoReplyQueued,
    AppointmentCreated,
    AppointmentUpdated,
    AppointmentCancelled,
    AppointmentConfirmation,
    AdminUnlock,
    AdminFailed,
    AdminPassphraseSet,
    AdminLockedOut,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::TextQueued,
        AuditAction::TextSent,
        AuditAction::TextReceived,
        AuditAction::TextStatus,
        AuditAction::TextRetried,
        AuditAction::OptOutRecorded,
        AuditAction::OptInRecorded,
        AuditAction::OptOutFlagged,
        AuditAction::OptOutConfirmed,
        AuditAction::ConsentGranted,
        AuditAction::ConsentRevoked,
        AuditAction::SettingsChanged,
        AuditAction::CredentialsChanged,
        AuditAction::QuietHoursOverride,
        AuditAction::AuditExported,
        AuditAction::AutoReplyQueued,
        AuditAction::AppointmentCreated,
        AuditAction::AppointmentUpdated,
        AuditAction::AppointmentCancelled,
        AuditAction::AppointmentConfirmation,
        AuditAction::AdminUnlock,
        AuditAction::AdminFailed,
        AuditAction::AdminPassphraseSet,
        AuditAction::AdminLockedOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::TextQueued => "text.queued",
            AuditAction::TextSent => "text.sent",
            AuditAction::TextReceived => "text.received",
            AuditAction::TextStatus => "text.status",
            AuditAction::TextRetried => "text.retried",
            AuditAction::OptOutRecorded => "opt_out.recorded",
            AuditAction::OptInRecorded => "opt_in.recorded",
            AuditAction::OptOutFlagged => "opt_out.flagged",
            AuditAction::OptOutConfirmed => "opt_out.confirmed",
            AuditAction::ConsentGranted => "consent.granted",
            AuditAction::ConsentRevoked => "consent.revoked",
            AuditAction::SettingsChanged => "settings.changed",
            AuditAction::CredentialsChanged => "credentials.changed",
            AuditAction::QuietHoursOverride => "quiet_hours.override",
            AuditAction::AuditExported => "audit.exported",
            AuditAction::AutoReplyQueued => "auto_reply.queued",
            AuditAction::AppointmentCreated => "appointment.created",
            AuditAction::AppointmentUpdated => "appointment.updated",
            AuditAction::AppointmentCancelled => "appointment.cancelled",
            // A patient's C / R / X answer changing the appointment's confirmation state.
            AuditAction::AppointmentConfirmation => "appointment.confirmation",
            // One entry per admin passphrase attempt: right, wrong, or refused while locked out.
            AuditAction::AdminUnlock => "admin.unlock",
            AuditAction::AdminFailed => "admin.failed",
            AuditAction::AdminPassphraseSet => "admin.passphrase_set",
            AuditAction::AdminLockedOut => "admin.locked_out",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Epoch milliseconds, UTC.
    pub at: i64,
    /// Who did it: a person or workstation name, "cli:…", "system", "twilio", "patient".
    pub actor: String,
    pub action: AuditAction,
    /// The patient's number in E.164 when the entry is about a patient, else empty.
    pub subject: String,
    /// SIDs, numbers, counts and states; never a message body or a secret.
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(
        at: i64,
        actor: impl Into<String>,
        action: AuditAction,
        subject: impl Into<String>,
        detail: serde_json::Value,
    ) -> Self {
        Self {
            at,
            actor: actor.into(),
            action,
            subject: subject.into(),
            detail,
        }
    }
}

/// A stored row exactly as it is in the file (the action as text: a damaged row may hold any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// The hash this row's fields should have.
    pub fn expected_hash(&self) -> String {
        row_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.subject,
            &self.detail,
        )
    }
}

/// Which rows to read, all bounds optional: `at` in `[from_ms, until_ms)`, `subject` exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub subject: Option<String>,
}

/// SHA-256 (hex) over the fields, each length-prefixed, so no two different rows encode alike
/// ("ab" + "c" vs "a" + "bc"). Integers are fixed-width big-endian.
pub(crate) fn row_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(b"clinic-desk-audit-v1");
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor.as_bytes());
    field(action.as_bytes());
    field(subject.as_bytes());
    field(detail.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Appends `entry` inside the caller's write transaction (so it lands with the change it
/// records, or not at all) and returns its `seq`.
pub(crate) fn append_audit(tx: &Transaction<'_>, entry: &AuditEntry) -> rusqlite::Result<i64> {
    let last: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let detail = entry.detail.to_string();
    let action = entry.action.as_str();
    let hash = row_hash(
        &prev_hash,
        seq,
        entry.at,
        &entry.actor,
        action,
        &entry.subject,
        &detail,
    );
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        seq,
        entry.at,
        entry.actor,
        action,
        entry.subject,
        detail,
        prev_hash,
        hash
    ])?;
    Ok(seq)
}

impl Store {
    /// Appends one entry on its own; returns its `seq`.
    pub fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        self.write(|tx| append_audit(tx, entry).map_err(|e| self.err(e)))
    }

    /// Calls `visit` with each row matching `filter`, in `seq` order, until it breaks. Rows are
    /// streamed, so a long log is never held in memory; the database stays locked for this
    /// process meanwhile, so `visit` must not call back into the store.
    pub fn scan_audit(
        &self,
        filter: &AuditFilter,
        mut visit: impl FnMut(AuditRow) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
                 WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) \
                 AND (?3 IS NULL OR subject = ?3) ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![filter.from_ms, filter.until_ms, filter.subject])?;
            while let Some(row) = rows.next()? {
                let row = AuditRow {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    subject: row.get(4)?,
                    detail: row.get(5)?,
                    prev_hash: row.get(6)?,
                    hash: row.get(7)?,
                };
                if visit(row).is_break() {
                    break;
                }
            }
            Ok(())
        })
    }

    /// The `seq` of the row whose hash is `hash`, if any.
    pub fn audit_seq_of_hash(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT seq FROM audit_log WHERE hash = ?1", [hash], |row| {
                row.get(0)
            })
            .optional()
        })
    }
}
