//! Messages: one row per Twilio message (and per outbox text before Twilio named it).
//!
//! Ingest is idempotent and order-free: a SID seen twice is one row, and a status only moves
//! forward, so overlapping polls, late pages and several workstations all converge on the same
//! rows. Thread summaries are updated in the same transaction as the messages they summarise.

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use serde_json::json;

use super::audit::{append_audit, AuditAction, AuditEntry};
use super::flags::FlagReason;
use super::optouts::{insert_opt_event, OptEvent, OptKind, OptSource};
use super::outbox::{OutboxKind, OutboxState};
use super::retry::{standing_in, FailedText, SENT_AGAIN_SQL};
use super::threads::Direction;
use super::{now_ms, Store, StoreError};
use crate::compliance::keywords::{Intent, Keywords};
use crate::twilio::error::describe_error_code;
use crate::twilio::MessageStatus;

/// A Twilio message as the poller hands it to the store.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub sid: String,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub body: String,
    pub status: MessageStatus,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub num_segments: Option<i64>,
    pub price: Option<String>,
    pub price_unit: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MessageRecord {
    /// The patient's side of the conversation.
    pub fn thread_phone(&self) -> &str {
        match self.direction {
            Direction::Inbound => &self.from,
            Direction::Outbound => &self.to,
        }
    }
}

/// What a message asks of the clinic: a patient's text is read for keywords, the clinic's own
/// texts ask for nothing.
fn intent_of(record: &MessageRecord, keywords: &Keywords) -> Intent {
    match record.direction {
        Direction::Inbound => keywords.classify(&record.body),
        Direction::Outbound => Intent::Message,
    }
}

/// Messages (a page of the list, say) with what each one asks of the clinic, worked out before
/// they are written: a back-fill's page readers do it as pages come in, so the one writer
/// SQLite allows does not.
#[derive(Debug, Default)]
pub struct ClassifiedMessages {
    records: Vec<MessageRecord>,
    intents: Vec<Intent>,
}

impl ClassifiedMessages {
    pub fn classify(records: Vec<MessageRecord>, keywords: &Keywords) -> Self {
        let intents = records.iter().map(|r| intent_of(r, keywords)).collect();
        Self { records, intents }
    }

    pub fn records(&self) -> &[MessageRecord] {
        &self.records
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = (&MessageRecord, &Intent)> {
        self.records.iter().zip(&self.intents)
    }
}

/// Whether new inbound texts count as unread. A first-run back-fill of months of history must
/// not greet the receptionist with thousands of unread threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    Live,
    /// Only texts newer than this (ms) count as unread.
    Backfill {
        unread_after: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInbound {
    pub id: i64,
    pub sid: String,
    pub phone: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub inserted: usize,
    pub updated: usize,
    pub new_inbound: Vec<NewInbound>,
    /// Phones whose thread changed, for change events.
    pub threads_touched: Vec<String>,
    /// Phones whose opt-out state a keyword changed.
    pub opt_changes: Vec<String>,
}

/// One text in a chat, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMessage {
    pub id: i64,
    pub sid: Option<String>,
    pub direction: Direction,
    pub body: String,
    pub status: MessageStatus,
    pub error_code: Option<i64>,
    /// The failure in plain words, for the chat bubble.
    pub error_text: Option<String>,
    pub num_segments: Option<i64>,
    pub created_at: i64,
    pub read: bool,
    /// For our own texts: where the outbox has it (queued, sending, held, blocked, ...).
    pub local_state: Option<OutboxState>,
    /// Why the outbox is holding, retrying or refusing it.
    pub local_error: Option<String>,
    /// For a patient's text that raised a staff flag: which, why, and whether it is still open.
    pub flag: Option<MessageFlag>,
    /// For our own text that did not reach the patient: whether sending it again can help.
    pub retry: Option<RetryAdvice>,
}

/// The staff flag a patient's text raised (the open one, if any; else the latest closed one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageFlag {
    pub id: i64,
    pub reason: FlagReason,
    pub open: bool,
}

/// Whether a failed text may be sent again, and if not, why in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RetryAdvice {
    /// The failure was of the moment (phone off, network busy): a new copy may get through.
    Allowed,
    /// The same failure would happen again.
    Refused { reason: String },
    /// A new copy of this text is already queued or sent (here, or from another workstation:
    /// the same words to the same number later); it has its own bubble.
    Retried,
}

/// Whether a text did not reach the patient: Twilio said so, or the outbox gave up on it. A text
/// sent elsewhere has no outbox row, and its NULL state must read as "not failed".
pub(super) const FAILED_SQL: &str =
    "COALESCE(m.direction = 'outbound' AND (m.status IN ('failed', 'undelivered') \
     OR o.state IN ('failed', 'blocked')), 0)";

/// The query behind `Store::thread_messages` (one parameter: the thread's phone). Public so a
/// test can check the plan of exactly this query.
#[doc(hidden)]
pub fn thread_messages_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT m.id, m.sid, m.direction, m.body, m.status, m.error_code, m.num_segments, \
                    m.created_at, m.read_at IS NOT NULL, o.state, \
                    CASE WHEN o.state = 'held' THEN o.hold_reason ELSE o.last_error END, \
                    f.id, f.reason, f.resolved_at IS NULL, {FAILED_SQL}, \
                    CASE WHEN {FAILED_SQL} THEN {SENT_AGAIN_SQL} ELSE 0 END, \
                    o.kind, o.appointment_id, o.once_key \
             FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id \
             LEFT JOIN staff_flags f ON f.id = (SELECT g.id FROM staff_flags g \
                  WHERE g.message_id = m.id ORDER BY g.resolved_at IS NOT NULL, g.id DESC LIMIT 1) \
             WHERE m.thread_phone = ?1 ORDER BY m.created_at, m.id"
        )
    })
}

/// The query behind `Store::unfinished_outbound_sids` (one parameter: the oldest creation time).
/// Its status test is spelt exactly as the `messages_unfinished` index's predicate, which is what
/// lets the planner use that index. Public so a test can check the plan.
#[doc(hidden)]
pub const UNFINISHED_OUTBOUND_SQL: &str = "SELECT sid, created_at FROM messages \
     WHERE direction = 'outbound' \
       AND (status = 'pending' OR status = 'accepted' OR status = 'scheduled' \
            OR status = 'queued' OR status = 'sending' OR status = 'sent' \
            OR status = 'unknown') \
       AND sid IS NOT NULL AND created_at >= ?1 \
     ORDER BY created_at";

struct ThreadDelta<'a> {
    last_at: i64,
    last_body: &'a str,
    last_direction: Direction,
    unread: i64,
}

fn direction_sql(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    }
}

impl Store {
    /// Inserts new messages and moves known ones forward, in one transaction.
    /// A patient's keyword is acted on in the same transaction: an opt-out is recorded the moment
    /// its message is, and anything staff or automation must answer is marked pending.
    pub fn ingest(
        &self,
        records: &[MessageRecord],
        mode: IngestMode,
        keywords: &Keywords,
    ) -> Result<IngestReport, StoreError> {
        let intents: Vec<Intent> = records.iter().map(|r| intent_of(r, keywords)).collect();
        self.write_refetchable(|tx| {
            ingest_in(tx, records.iter().zip(&intents), mode).map_err(|e| self.err(e))
        })
    }

    /// `ingest` for messages already read for keywords, in the list's order (pages in turn).
    pub fn ingest_classified(
        &self,
        pages: &[ClassifiedMessages],
        mode: IngestMode,
    ) -> Result<IngestReport, StoreError> {
        self.write_refetchable(|tx| {
            ingest_in(tx, pages.iter().flat_map(ClassifiedMessages::iter), mode)
                .map_err(|e| self.err(e))
        })
    }

    /// Every text of one thread, oldest first, with the staff flag each reply raised and
    /// whether each failed text may be sent again.
    ///
    /// The flag is one indexed lookup per text (staff_flags' UNIQUE (message_id, reason) index),
    /// and the retry lookups (outbox's UNIQUE once_key index, messages_thread, the appointment by
    /// id) run only for failed texts, so a 10,000-text thread costs what it did without them.
    pub fn thread_messages(&self, phone: &str) -> Result<Vec<ThreadMessage>, StoreError> {
        let opted_out = self.is_opted_out(phone)?;
        let now = now_ms();
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(thread_messages_sql())?;
            let rows = stmt.query_map([phone], |row| {
                let direction: String = row.get(2)?;
                let status: String = row.get(4)?;
                let error_code: Option<i64> = row.get(5)?;
                let flag_id: Option<i64> = row.get(11)?;
                let flag = match flag_id {
                    Some(id) => Some(MessageFlag {
                        id,
                        reason: FlagReason::from_sql(&row.get::<_, String>(12)?),
                        open: row.get(13)?,
                    }),
                    None => None,
                };
                let id: i64 = row.get(0)?;
                let sid: Option<String> = row.get(1)?;
                let body: String = row.get(3)?;
                let failed: bool = row.get(14)?;
                let retry = if failed {
                    let outbox_kind = row
                        .get::<_, Option<String>>(16)?
                        .map(|k| OutboxKind::from_sql(&k));
                    let appointment_id: Option<i64> = row.get(17)?;
                    let once_key: Option<String> = row.get(18)?;
                    FailedText {
                        message_id: id,
                        sid: sid.clone(),
                        phone: phone.to_string(),
                        body: body.clone(),
                        error_code,
                        failed,
                        outbox_kind,
                        appointment_id,
                        sent_again: row.get(15)?,
                        appointment: standing_in(
                            conn,
                            outbox_kind,
                            appointment_id,
                            once_key.as_deref(),
                        )?,
                    }
                    .advice(opted_out, now)
                } else {
                    None
                };
                Ok(ThreadMessage {
                    id,
                    sid,
                    direction: if direction == "inbound" {
                        Direction::Inbound
                    } else {
                        Direction::Outbound
                    },
                    body,
                    status: MessageStatus::parse(&status),
                    error_code,
                    error_text: error_code.map(|c| describe_error_code(c).to_string()),
                    num_segments: row.get(6)?,
                    created_at: row.get(7)?,
                    read: row.get(8)?,
                    local_state: row
                        .get::<_, Option<String>>(9)?
                        .map(|s| OutboxState::from_sql(&s)),
                    local_error: row.get(10)?,
                    flag,
                    retry,
                })
            })?;
            rows.collect()
        })
    }

    /// The outbox text queued under an automation or retry key, if any.
    pub fn outbox_id_for_once_key(&self, once_key: &str) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id FROM outbox WHERE once_key = ?1",
                [once_key],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// Marks a thread read (the receptionist opened it or replied in it).
    pub fn mark_thread_read(&self, phone: &str) -> Result<(), StoreError> {
        let now = now_ms();
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET read_at = ?2 \
                 WHERE thread_phone = ?1 AND direction = 'inbound' AND read_at IS NULL",
                params![phone, now],
            )
            .map_err(|e| self.err(e))?;
            tx.execute("UPDATE threads SET unread = 0 WHERE phone = ?1", [phone])
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Outbound texts Twilio has named but not finished with, created after `since` (ms):
    /// their status is re-fetched by SID until final.
    pub fn unfinished_outbound_sids(&self, since: i64) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(UNFINISHED_OUTBOUND_SQL)?;
            let rows = stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })
    }

    /// Whether any message has this SID.
    pub fn has_sid(&self, sid: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT 1 FROM messages WHERE sid = ?1", [sid], |_| Ok(()))
                .optional()
                .map(|r| r.is_some())
        })
    }

    /// Every Twilio SID stored (reconciliation checks and tests).
    pub fn all_sids(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT sid FROM messages WHERE sid IS NOT NULL")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect()
        })
    }

    pub fn message_count(&self) -> Result<i64, StoreError> {
        self.read(|conn| conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)))
    }
}

/// Writes messages, each with what it asks of the clinic, given in the list's order (newest
/// first).
fn ingest_in<'m>(
    tx: &Transaction<'_>,
    messages: impl Iterator<Item = (&'m MessageRecord, &'m Intent)>,
    mode: IngestMode,
) -> rusqlite::Result<IngestReport> {
    let mut report = IngestReport::default();
    let mut deltas: HashMap<&str, ThreadDelta> = HashMap::new();
    let now = now_ms();
    let mut received = 0usize;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO messages (sid, direction, from_number, to_number, thread_phone, body, \
             status, error_code, error_message, num_segments, price, price_unit, created_at, \
             sent_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
             ON CONFLICT (sid) DO NOTHING",
        )?;
        let mut mark_pending =
            tx.prepare_cached("INSERT INTO pending_actions (message_id, action) VALUES (?1, ?2)")?;
        let mut find = tx.prepare_cached("SELECT id, status FROM messages WHERE sid = ?1")?;
        // Price and segment counts arrive after the status settles, so they fill in whenever
        // missing; status and error move only forward.
        let mut update = tx.prepare_cached(
            "UPDATE messages SET \
               status = CASE WHEN ?2 THEN ?3 ELSE status END, \
               error_code = CASE WHEN ?2 THEN ?4 ELSE error_code END, \
               error_message = CASE WHEN ?2 THEN ?5 ELSE error_message END, \
               sent_at = COALESCE(sent_at, ?6), \
               num_segments = COALESCE(?7, num_segments), \
               price = COALESCE(?8, price), \
               price_unit = COALESCE(?9, price_unit), \
               updated_at = ?10 \
             WHERE id = ?1 AND (?2 OR (price IS NULL AND ?8 IS NOT NULL) \
                   OR (num_segments IS NULL AND ?7 IS NOT NULL) OR (sent_at IS NULL AND ?6 IS NOT NULL))",
        )?;
        // Twilio dates have one-second resolution, so the list's own order (newest first) is
        // the only tie-breaker: insert oldest first, keeping that order within a second.
        let mut ordered: Vec<(&MessageRecord, &Intent)> = messages.collect();
        ordered.reverse();
        ordered.sort_by_key(|(record, _)| record.created_at);
        for (record, intent) in ordered {
            // Back-fill is almost all new messages: try the insert first, and only look the
            // row up when the SID is already known.
            let phone = record.thread_phone();
            let pending_action = match intent {
                Intent::Help { .. }
                | Intent::Confirm
                | Intent::Reschedule
                | Intent::CancelRequest
                | Intent::PlainWordsOptOut => Some(intent.as_str()),
                Intent::OptOut { .. } | Intent::OptIn { .. } | Intent::Message => None,
            };
            let inserted = insert.execute(params![
                record.sid,
                direction_sql(record.direction),
                record.from,
                record.to,
                phone,
                record.body,
                record.status.as_str(),
                record.error_code,
                record.error_message,
                record.num_segments,
                record.price,
                record.price_unit,
                record.created_at,
                record.sent_at,
                now
            ])? > 0;
            if inserted {
                report.inserted += 1;
                let message_id = tx.last_insert_rowid();
                if let Some(action) = pending_action {
                    mark_pending.execute(params![message_id, action])?;
                }
                if let Intent::OptOut { keyword } | Intent::OptIn { keyword } = &intent {
                    let kind = if matches!(intent, Intent::OptOut { .. }) {
                        OptKind::OptOut
                    } else {
                        OptKind::OptIn
                    };
                    if insert_opt_event(
                        tx,
                        &OptEvent {
                            phone: phone.to_string(),
                            kind,
                            source: OptSource::Keyword,
                            keyword: Some(keyword.clone()),
                            message_sid: Some(record.sid.clone()),
                            at: record.created_at,
                            actor: "patient".to_string(),
                        },
                    )? {
                        report.opt_changes.push(phone.to_string());
                    }
                }
                let unread = record.direction == Direction::Inbound
                    && match mode {
                        IngestMode::Live => true,
                        IngestMode::Backfill { unread_after } => record.created_at >= unread_after,
                    };
                if record.direction == Direction::Inbound {
                    received += 1;
                    if mode == IngestMode::Live {
                        append_audit(
                            tx,
                            &AuditEntry::new(
                                now,
                                "patient",
                                AuditAction::TextReceived,
                                phone,
                                json!({"sid": record.sid, "intent": intent.as_str()}),
                            ),
                        )?;
                    }
                    // Only what counts as unread is announced: a back-fill of months of
                    // history must not raise a notification per old reply.
                    if unread {
                        report.new_inbound.push(NewInbound {
                            id: message_id,
                            sid: record.sid.clone(),
                            phone: phone.to_string(),
                            body: record.body.clone(),
                            created_at: record.created_at,
                        });
                    }
                }
                let delta = deltas.entry(phone).or_insert_with(|| ThreadDelta {
                    last_at: i64::MIN,
                    last_body: "",
                    last_direction: record.direction,
                    unread: 0,
                });
                if record.created_at >= delta.last_at {
                    delta.last_at = record.created_at;
                    delta.last_body = &record.body;
                    delta.last_direction = record.direction;
                }
                delta.unread += i64::from(unread);
                continue;
            }
            let Some((id, status)) = find
                .query_row([&record.sid], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .optional()?
            else {
                continue;
            };
            let forward = record.status.rank() > MessageStatus::parse(&status).rank();
            let changed = update.execute(params![
                id,
                forward,
                record.status.as_str(),
                record.error_code,
                record.error_message,
                record.sent_at,
                record.num_segments,
                record.price,
                record.price_unit,
                now
            ])?;
            if changed > 0 {
                report.updated += 1;
                if forward {
                    report.threads_touched.push(phone.to_string());
                    append_audit(
                        tx,
                        &AuditEntry::new(
                            now,
                            "twilio",
                            AuditAction::TextStatus,
                            phone,
                            json!({"sid": record.sid, "from": status, "to": record.status.as_str(),
                                   "error_code": record.error_code}),
                        ),
                    )?;
                }
            }
        }
    }
    let mut known =
        tx.prepare_cached("SELECT last_at, patient_id IS NOT NULL FROM threads WHERE phone = ?1")?;
    let mut move_forward = tx.prepare_cached(MOVE_THREAD_FORWARD_SQL)?;
    for (phone, delta) in &deltas {
        let thread = known
            .query_row([phone], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        apply_thread_delta(tx, &mut move_forward, phone, thread, delta)?;
    }
    // A back-fill is Twilio's own history: one entry per batch says what was read, rather than
    // tens of thousands of rows about texts received long before this workstation existed.
    if received > 0 && mode != IngestMode::Live {
        append_audit(
            tx,
            &AuditEntry::new(
                now,
                "system",
                AuditAction::TextReceived,
                "",
                json!({"backfill": true, "count": received}),
            ),
        )?;
    }
    report
        .threads_touched
        .extend(deltas.into_keys().map(str::to_string));
    report.threads_touched.sort();
    report.threads_touched.dedup();
    Ok(report)
}

/// Folds new messages into a thread's summary (`known`: its latest date, and whether it
/// belongs to a patient, if the thread exists), creating the thread (and a contact stub for an
/// unknown number) when needed.
fn apply_thread_delta(
    tx: &Transaction<'_>,
    move_forward: &mut rusqlite::Statement<'_>,
    phone: &str,
    known: Option<(i64, bool)>,
    delta: &ThreadDelta<'_>,
) -> rusqlite::Result<()> {
    match known {
        // A back-fill reads newest first, so after its first batch a thread mostly gains older
        // texts, none unread. They change nothing in the summary, and an update would still
        // rewrite the thread's entry in the inbox-order index.
        Some((last_at, true)) if delta.last_at < last_at && delta.unread == 0 => Ok(()),
        Some((_, true)) => write_summary(move_forward, phone, None, delta),
        // A new thread, or one whose patient was deleted: it is linked to the patient (or a new
        // contact stub) the number belongs to now.
        Some((_, false)) | None => {
            let patient_id = ensure_patient_for(tx, phone)?;
            let sql = if known.is_some() {
                RELINK_THREAD_SQL
            } else {
                START_THREAD_SQL
            };
            write_summary(&mut *tx.prepare_cached(sql)?, phone, patient_id, delta)
        }
    }
}

/// The summary's move forward, shared by the two statements below.
macro_rules! move_summary_forward {
    () => {
        "last_body = CASE WHEN ?3 >= last_at THEN ?4 ELSE last_body END, \
         last_direction = CASE WHEN ?3 >= last_at THEN ?5 ELSE last_direction END, \
         last_at = max(last_at, ?3), \
         unread = unread + ?6"
    };
}

/// Moves a linked thread's summary forward, leaving its patient (`?2`) alone: an UPDATE that
/// sets a foreign-key column makes SQLite keep a statement journal, copying every page it
/// touches, and this one runs for most threads of every batch.
const MOVE_THREAD_FORWARD_SQL: &str = concat!(
    "UPDATE threads SET ",
    move_summary_forward!(),
    " WHERE phone = ?1"
);

/// Moves forward the summary of a thread whose patient was deleted, linking it to the patient
/// (or the new contact stub) its number now belongs to.
const RELINK_THREAD_SQL: &str = concat!(
    "UPDATE threads SET ",
    move_summary_forward!(),
    ", patient_id = ?2 WHERE phone = ?1"
);

/// Starts the summary of a thread seen for the first time. A plain insert rather than an
/// upsert: SQLite keeps a statement journal for an upsert, copying every page it touches.
const START_THREAD_SQL: &str =
    "INSERT INTO threads (phone, patient_id, last_at, last_body, last_direction, unread) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Runs one of the thread-summary statements above, which share their parameters.
fn write_summary(
    statement: &mut rusqlite::Statement<'_>,
    phone: &str,
    patient_id: Option<i64>,
    delta: &ThreadDelta<'_>,
) -> rusqlite::Result<()> {
    statement.execute(params![
        phone,
        patient_id,
        delta.last_at,
        delta.last_body,
        direction_sql(delta.last_direction),
        delta.unread
    ])?;
    Ok(())
}

/// The patient owning `phone`; an unknown number gets a stub contact staff can complete later.
/// A sender that is not a phone number (a short code, an alphanumeric sender ID) gets none: it
/// is no patient, and the contacts table holds only numbers, so a stub would fail the whole
/// batch of texts it came in, again at every poll.
pub(crate) fn ensure_patient_for(
    tx: &Transaction<'_>,
    phone: &str,
) -> rusqlite::Result<Option<i64>> {
    if !is_e164_shaped(phone) {
        return Ok(None);
    }
    if let Some(id) = tx
        .prepare_cached("SELECT patient_id FROM patient_phones WHERE e164 = ?1")?
        .query_row([phone], |row| row.get(0))
        .optional()?
    {
        return Ok(Some(id));
    }
    let now = now_ms();
    // No language preference (''), so the stub's texts follow the clinic's language. Written out
    // rather than left to the column default, which is 'en' in the schema as first released.
    tx.prepare_cached(
        "INSERT INTO patients (first_name, preferred_language, is_stub, created_at, updated_at) \
         VALUES (?1, '', 1, ?2, ?2)",
    )?
    .execute(params![phone, now])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO patient_phones (patient_id, e164, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, phone, now])?;
    Ok(Some(id))
}

/// What the contacts table accepts as a number: '+', a digit other than 0, more digits, at most
/// 16 characters in all.
fn is_e164_shaped(phone: &str) -> bool {
    phone.len() <= 16
        && matches!(phone.as_bytes(), [b'+', b'1'..=b'9', rest @ ..] if rest.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opcodes(sql: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3")).unwrap();
        store
            .read(|conn| {
                conn.prepare(&format!("EXPLAIN {sql}"))?
                    .query_map(
                        rusqlite::params_from_iter(std::iter::repeat_n(rusqlite::types::Null, 6)),
                        |row| row.get::<_, String>(1),
                    )?
                    .collect()
            })
            .unwrap()
    }

    /// Foreign-key opcodes are how SQLite checks a foreign-key column an UPDATE sets, and such
    /// an UPDATE runs with a statement journal; moving summaries forward, done for most threads
    /// of every batch, must not pay for it. Linking a thread again does set the column.
    #[test]
    fn moving_a_summary_forward_checks_no_foreign_key() {
        let checks_a_key = |sql| opcodes(sql).iter().any(|op| op.starts_with("Fk"));
        assert!(!checks_a_key(MOVE_THREAD_FORWARD_SQL));
        assert!(checks_a_key(RELINK_THREAD_SQL));
    }
}
