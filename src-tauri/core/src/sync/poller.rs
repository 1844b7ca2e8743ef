//! The passes that bring Twilio's Message list into the store.
//!
//! - Incremental: newest first, per direction (To = clinic number for replies, From = clinic
//!   number for our texts, including ones sent elsewhere), following `next_page_uri`, until a
//!   page reaches messages older than what we already have minus an overlap window. With no
//!   history yet it is the back-fill: large pages, progress reported, unread only for recent
//!   replies.
//! - Reconciliation: every page of the last few days (the DateSent filter is day-level), to
//!   catch messages that became visible in the list late.
//! - Status refresh: outbound texts not yet final are fetched by SID until they are.
//!
//! Every pass ingests page by page (one transaction each) and deduplicates by SID, so an
//! interrupted pass loses nothing and a repeated one adds nothing.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use ts_rs::TS;

use crate::clock::Clock;
use crate::compliance::keywords::Keywords;
use crate::error::Result;
use crate::ingest::{record_from_twilio, sort_at};
use crate::settings;
use crate::store::messages::{IngestMode, MessageRecord, NewInbound};
use crate::store::threads::Direction;
use crate::store::Store;
use crate::twilio::types::MessagePage;
use crate::twilio::{ListFilter, TwilioClient};

#[derive(Debug, Clone)]
pub struct PollConfig {
    pub incremental_page_size: u32,
    pub backfill_page_size: u32,
    /// How far behind the newest known message an incremental pass still looks, for messages
    /// that show up in the list slightly out of order.
    pub overlap: Duration,
    /// Days (GMT) the reconciliation pass re-reads.
    pub reconcile_days: i64,
    /// Outbound texts younger than this are refreshed by SID until final.
    pub refresh_window: Duration,
    pub refresh_concurrency: usize,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            incremental_page_size: 50,
            backfill_page_size: 1000,
            overlap: Duration::from_secs(600),
            reconcile_days: 2,
            refresh_window: Duration::from_secs(72 * 3600),
            refresh_concurrency: 4,
        }
    }
}

/// Progress of a back-fill, for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackfillProgress {
    pub direction: Direction,
    pub fetched: u64,
    /// The oldest message date reached so far (ms).
    pub oldest_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct PassReport {
    pub requests: usize,
    pub fetched: usize,
    pub inserted: usize,
    pub updated: usize,
    /// Messages that could not be read, with the reason (reported, not dropped silently).
    pub skipped: Vec<String>,
    pub new_inbound: Vec<NewInbound>,
    pub threads_touched: Vec<String>,
    /// Numbers whose opt-out state a keyword changed.
    pub opt_changes: Vec<String>,
}

impl PassReport {
    fn absorb(&mut self, other: PassReport) {
        self.requests += other.requests;
        self.fetched += other.fetched;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.skipped.extend(other.skipped);
        self.new_inbound.extend(other.new_inbound);
        self.threads_touched.extend(other.threads_touched);
        self.opt_changes.extend(other.opt_changes);
    }

    pub fn merge(reports: impl IntoIterator<Item = PassReport>) -> PassReport {
        let mut total = PassReport::default();
        for report in reports {
            total.absorb(report);
        }
        total.threads_touched.sort();
        total.threads_touched.dedup();
        total
    }
}

pub struct Poller {
    store: Store,
    client: TwilioClient,
    /// The clinic number polled as To (replies) and From (our texts). Without one (a Messaging
    /// Service only), the unfiltered list is polled.
    clinic_number: Option<String>,
    config: PollConfig,
    clock: Arc<dyn Clock>,
    /// When each unfinished text was last fetched (ms), so older ones are fetched less often.
    last_refresh: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

/// Records written per transaction during a back-fill.
const BACKFILL_BATCH: usize = 10_000;

/// How often a text that is not final yet is fetched again, by its age: statuses change within
/// seconds of sending, while a text stuck in `sent` for hours rarely changes at all.
fn refresh_interval_ms(age_ms: i64) -> i64 {
    const MINUTE: i64 = 60_000;
    if age_ms < 10 * MINUTE {
        0
    } else if age_ms < 120 * MINUTE {
        5 * MINUTE
    } else {
        60 * MINUTE
    }
}

/// Which slice of the list a pass reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slice {
    Replies,
    OurTexts,
    Everything,
}

impl Slice {
    fn cursor_name(self) -> &'static str {
        match self {
            Slice::Replies => "newest.inbound",
            Slice::OurTexts => "newest.outbound",
            Slice::Everything => "newest.all",
        }
    }

    fn direction(self) -> Direction {
        match self {
            Slice::OurTexts => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }
}

impl Poller {
    pub fn new(
        store: Store,
        client: TwilioClient,
        clinic_number: Option<String>,
        config: PollConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            client,
            clinic_number,
            config,
            clock,
            last_refresh: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The slices to poll: both directions of the clinic number, or everything.
    pub fn slices(&self) -> Vec<Slice> {
        if self.clinic_number.is_some() {
            vec![Slice::Replies, Slice::OurTexts]
        } else {
            vec![Slice::Everything]
        }
    }

    fn filter(&self, slice: Slice, page_size: u32) -> ListFilter {
        let number = self.clinic_number.clone();
        ListFilter {
            to: if slice == Slice::Replies {
                number.clone()
            } else {
                None
            },
            from: if slice == Slice::OurTexts {
                number
            } else {
                None
            },
            sent_on_or_after: None,
            page_size,
        }
    }

    /// True until the first full pass of a slice has completed.
    pub fn needs_backfill(&self) -> Result<bool> {
        for slice in self.slices() {
            if self.store.cursor(slice.cursor_name())?.is_none() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn incremental(
        &self,
        slice: Slice,
        on_progress: &mut (dyn FnMut(BackfillProgress) + Send),
    ) -> Result<PassReport> {
        let cursor: Option<i64> = self
            .store
            .cursor(slice.cursor_name())?
            .and_then(|v| v.parse().ok());
        let backfill = cursor.is_none();
        let page_size = if backfill {
            self.config.backfill_page_size
        } else {
            self.config.incremental_page_size
        };
        let mode = match cursor {
            Some(_) => IngestMode::Live,
            None => IngestMode::Backfill {
                unread_after: self.clock.now_ms() - 24 * 3600 * 1000,
            },
        };
        let stop_before = cursor.map(|c| c - self.config.overlap.as_millis() as i64);

        let mut report = PassReport::default();
        let mut newest = cursor.unwrap_or(i64::MIN);
        let mut oldest: Option<i64> = None;
        // A back-fill writes several pages per transaction: each thread's summary is then
        // updated once per batch rather than once per page. An interrupted pass refetches.
        let flush_at = if backfill { BACKFILL_BATCH } else { 0 };
        let mut pending: Vec<MessageRecord> = Vec::new();
        let mut page = self
            .client
            .list_messages(&self.filter(slice, page_size))
            .await?;
        report.requests += 1;
        loop {
            let (records, reached_known) = self.read_page(&page, stop_before, &mut report);
            for record in &records {
                newest = newest.max(sort_at(record));
                oldest = Some(oldest.map_or(sort_at(record), |o| o.min(sort_at(record))));
            }
            pending.extend(records);
            let next = match (&page.next_page_uri, reached_known) {
                (Some(next), false) => Some(next.clone()),
                _ => None,
            };
            // The next page downloads while this one is written: a back-fill then costs about
            // the slower of the two rather than their sum.
            let prefetch = next.clone().map(|next| {
                let client = self.client.clone();
                tokio::spawn(async move { client.next_page(&next).await })
            });
            if pending.len() >= flush_at || next.is_none() {
                self.ingest(&pending, mode, &mut report)?;
                pending.clear();
                if backfill {
                    on_progress(BackfillProgress {
                        direction: slice.direction(),
                        fetched: report.fetched as u64,
                        oldest_at: oldest,
                    });
                }
            }
            match (prefetch, next) {
                (Some(fetch), Some(next)) => {
                    page = match fetch.await {
                        Ok(result) => result?,
                        // The download task died (runtime shutting down): fetch it here.
                        Err(_) => self.client.next_page(&next).await?,
                    };
                    report.requests += 1;
                }
                _ => break,
            }
        }
        // Only a completed pass moves the cursor: an interrupted one is simply redone.
        let value = if newest == i64::MIN {
            self.clock.now_ms() - self.config.overlap.as_millis() as i64
        } else {
            newest
        };
        self.store
            .set_cursor(slice.cursor_name(), &value.to_string())?;
        Ok(report)
    }

    /// Re-reads every page of the last `reconcile_days` days (GMT) for one slice.
    pub async fn reconcile(&self, slice: Slice) -> Result<PassReport> {
        let today = chrono::DateTime::from_timestamp_millis(self.clock.now_ms())
            .unwrap_or_default()
            .date_naive();
        let mut filter = self.filter(slice, self.config.backfill_page_size);
        filter.sent_on_or_after =
            today.checked_sub_days(chrono::Days::new(self.config.reconcile_days.max(0) as u64));
        let mut report = PassReport::default();
        let mut page = self.client.list_messages(&filter).await?;
        report.requests += 1;
        loop {
            let (records, _) = self.read_page(&page, None, &mut report);
            self.ingest(&records, IngestMode::Live, &mut report)?;
            match &page.next_page_uri {
                Some(next) => {
                    page = self.client.next_page(next).await?;
                    report.requests += 1;
                }
                None => break,
            }
        }
        Ok(report)
    }

    /// Fetches outbound texts that are not final yet by SID and applies what changed.
    pub async fn refresh_statuses(&self) -> Result<PassReport> {
        let now = self.clock.now_ms();
        let since = now - self.config.refresh_window.as_millis() as i64;
        let unfinished = self.store.unfinished_outbound_sids(since)?;
        let sids: Vec<String> = {
            let mut last = self
                .last_refresh
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let still_unfinished: std::collections::HashSet<&str> =
                unfinished.iter().map(|(sid, _)| sid.as_str()).collect();
            last.retain(|sid, _| still_unfinished.contains(sid.as_str()));
            let due: Vec<String> = unfinished
                .iter()
                .filter(|(sid, created_at)| {
                    let due_after = refresh_interval_ms(now - created_at);
                    last.get(sid).is_none_or(|at| now - at >= due_after)
                })
                .map(|(sid, _)| sid.clone())
                .collect();
            for sid in &due {
                last.insert(sid.clone(), now);
            }
            due
        };
        let mut report = PassReport::default();
        if sids.is_empty() {
            return Ok(report);
        }
        let limit = Arc::new(Semaphore::new(self.config.refresh_concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for sid in sids {
            let client = self.client.clone();
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                client.fetch_message(&sid).await
            });
        }
        let mut records = Vec::new();
        let mut first_error = None;
        while let Some(joined) = tasks.join_next().await {
            report.requests += 1;
            match joined {
                Ok(Ok(message)) => match record_from_twilio(&message) {
                    Ok(record) => records.push(record),
                    Err(reason) => report.skipped.push(reason),
                },
                Ok(Err(err)) => {
                    first_error.get_or_insert(err);
                }
                Err(_) => {}
            }
        }
        report.fetched = records.len();
        self.ingest(&records, IngestMode::Live, &mut report)?;
        match first_error {
            // What was fetched is applied; an auth or network problem still surfaces.
            Some(err) if !err_is_per_message(&err) => Err(err.into()),
            _ => Ok(report),
        }
    }

    fn read_page(
        &self,
        page: &MessagePage,
        stop_before: Option<i64>,
        report: &mut PassReport,
    ) -> (Vec<MessageRecord>, bool) {
        let mut records = Vec::with_capacity(page.messages.len());
        let mut reached_known = false;
        for message in &page.messages {
            report.fetched += 1;
            match record_from_twilio(message) {
                Ok(record) => {
                    if stop_before.is_some_and(|stop| sort_at(&record) < stop) {
                        reached_known = true;
                    }
                    records.push(record);
                }
                Err(reason) => {
                    tracing::warn!("skipped an unreadable message: {reason}");
                    report.skipped.push(reason);
                }
            }
        }
        (records, reached_known)
    }

    fn ingest(
        &self,
        records: &[MessageRecord],
        mode: IngestMode,
        report: &mut PassReport,
    ) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let keywords = Keywords::new(settings::extra_keywords(&self.store)?);
        let outcome = self.store.ingest(records, mode, &keywords)?;
        report.opt_changes.extend(outcome.opt_changes);
        report.inserted += outcome.inserted;
        report.updated += outcome.updated;
        report.new_inbound.extend(outcome.new_inbound);
        report.threads_touched.extend(outcome.threads_touched);
        Ok(())
    }
}

/// A fetch error about one message (deleted, not found) rather than the connection.
fn err_is_per_message(err: &crate::twilio::TwilioError) -> bool {
    matches!(
        err,
        crate::twilio::TwilioError::NotFound | crate::twilio::TwilioError::Malformed { .. }
    )
}
