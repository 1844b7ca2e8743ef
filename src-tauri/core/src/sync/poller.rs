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
use crate::store::messages::{ClassifiedMessages, IngestMode, MessageRecord, NewInbound};
use crate::store::threads::Direction;
use crate::store::Store;
use crate::twilio::types::MessagePage;
use crate::twilio::{ListFilter, TwilioClient, TwilioError};

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
    /// Our unfinished texts a list pass has read in this cycle (`forget_listed` starts a cycle):
    /// the list gave their status moments ago, so the cycle's refresh does not fetch them again.
    listed_unfinished: std::sync::Mutex<std::collections::HashSet<String>>,
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
            listed_unfinished: std::sync::Mutex::new(std::collections::HashSet::new()),
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
        // A back-fill writes several pages per transaction: each thread's summary is then
        // updated once per batch rather than once per page. An interrupted pass refetches.
        let batch = if backfill { BACKFILL_BATCH } else { 0 };
        let mut report = PassReport::default();
        let pass = Pass {
            filter: self.filter(slice, page_size),
            stop_before,
            mode,
            batch,
        };
        let span = self
            .read_and_write(
                pass,
                &mut report,
                &mut |report: &PassReport, oldest_at: Option<i64>| {
                    if backfill {
                        on_progress(BackfillProgress {
                            direction: slice.direction(),
                            fetched: report.fetched as u64,
                            oldest_at,
                        });
                    }
                },
            )
            .await?;
        // Only a completed pass moves the cursor: an interrupted one is simply redone.
        let value = span
            .newest
            .into_iter()
            .chain(cursor)
            .max()
            .unwrap_or_else(|| self.clock.now_ms() - self.config.overlap.as_millis() as i64);
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
        let pass = Pass {
            filter,
            stop_before: None,
            mode: IngestMode::Live,
            batch: 0,
        };
        self.read_and_write(pass, &mut report, &mut |_: &PassReport, _: Option<i64>| {})
            .await?;
        Ok(report)
    }

    /// Follows the list from the pass's filter to its last page (or to a page reaching
    /// `stop_before`), writing what it has read each time the previous write is done, up to
    /// `batch` records at once.
    /// Returns the span of dates read; `on_written` hears of each write with the oldest date so
    /// far.
    ///
    /// Pages are downloaded and read by a task of their own, a few pages ahead (`PAGES_AHEAD`),
    /// while this one writes on the blocking pool: a back-fill then takes about the longer of
    /// downloading and writing rather than their sum.
    async fn read_and_write(
        &self,
        pass: Pass,
        report: &mut PassReport,
        on_written: &mut (dyn FnMut(&PassReport, Option<i64>) + Send),
    ) -> Result<Span> {
        let Pass {
            filter,
            stop_before,
            mode,
            batch,
        } = pass;
        let mut pages =
            PageReader::spawn(self.client.clone(), filter, stop_before, self.keywords()?);
        // Pages read and not written yet, and how many messages they hold.
        let mut pending: Vec<ClassifiedMessages> = Vec::new();
        let mut pending_messages = 0;
        let mut span = Span::default();
        // Storing is the slower side of a back-fill, so each write takes whatever has been
        // downloaded by then, up to a batch, rather than waiting for a full one.
        loop {
            let mut page = pages.next().await?;
            let last = loop {
                report.requests += 1;
                report.fetched += page.fetched;
                report.skipped.extend(page.skipped);
                for record in page.messages.records() {
                    span.include(sort_at(record));
                }
                self.note_listed_unfinished(page.messages.records());
                pending_messages += page.messages.len();
                pending.push(page.messages);
                if page.last || pending_messages >= batch {
                    break page.last;
                }
                match pages.try_next() {
                    Some(next) => page = next?,
                    None => break false,
                }
            };
            self.write(std::mem::take(&mut pending), mode, report)
                .await?;
            pending_messages = 0;
            on_written(report, span.oldest);
            if last {
                return Ok(span);
            }
        }
    }

    /// The keyword rules, with the clinic's own words, for one pass.
    fn keywords(&self) -> Result<Arc<Keywords>> {
        Ok(Arc::new(Keywords::new(settings::extra_keywords(
            &self.store,
        )?)))
    }

    /// Starts a cycle's record of what the list read: a status read in an earlier cycle (or in
    /// one that failed before its refresh) is not fresh enough to skip a fetch.
    pub fn forget_listed(&self) {
        self.listed().clear();
    }

    fn note_listed_unfinished(&self, records: &[MessageRecord]) {
        self.listed().extend(
            records
                .iter()
                .filter(|r| r.direction == Direction::Outbound && !r.status.is_final())
                .map(|r| r.sid.clone()),
        );
    }

    fn listed(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        // A set of SIDs is sound whatever a panicking holder was doing; at worst a fetch is
        // skipped or made once too often.
        self.listed_unfinished
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fetches outbound texts that are not final yet by SID and applies what changed. A text a
    /// list pass has just read counts as fetched now: a first back-fill, or a text sent minutes
    /// ago that the list re-reads every cycle, costs no request per text here.
    pub async fn refresh_statuses(&self) -> Result<PassReport> {
        let now = self.clock.now_ms();
        let since = now - self.config.refresh_window.as_millis() as i64;
        let unfinished = self.store.unfinished_outbound_sids(since)?;
        let listed = std::mem::take(&mut *self.listed());
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
                    !listed.contains(sid) && last.get(sid).is_none_or(|at| now - at >= due_after)
                })
                .map(|(sid, _)| sid.clone())
                .collect();
            // The list's read counts as a fetch for the texts' next turn.
            for sid in listed {
                if still_unfinished.contains(sid.as_str()) {
                    last.insert(sid, now);
                }
            }
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
                Ok(Ok(message)) => match record_from_twilio(message) {
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
        if !records.is_empty() {
            let batch = ClassifiedMessages::classify(records, &*self.keywords()?);
            self.write(vec![batch], IngestMode::Live, &mut report)
                .await?;
        }
        match first_error {
            // What was fetched is applied; an auth or network problem still surfaces.
            Some(err) if !err_is_per_message(&err) => Err(err.into()),
            _ => Ok(report),
        }
    }

    /// Writes messages on the blocking pool, so downloads go on while SQLite works.
    async fn write(
        &self,
        pages: Vec<ClassifiedMessages>,
        mode: IngestMode,
        report: &mut PassReport,
    ) -> Result<()> {
        if pages.iter().all(ClassifiedMessages::is_empty) {
            return Ok(());
        }
        let store = self.store.clone();
        // The pages come back to be freed here, off the writer's thread.
        let outcome = match tokio::task::spawn_blocking(move || {
            (store.ingest_classified(&pages, mode), pages)
        })
        .await
        {
            Ok((outcome, _pages)) => outcome?,
            Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
            // The runtime is shutting down: nothing was committed, the pass is redone.
            Err(_) => return Err(stopped_early().into()),
        };
        report.opt_changes.extend(outcome.opt_changes);
        report.inserted += outcome.inserted;
        report.updated += outcome.updated;
        report.new_inbound.extend(outcome.new_inbound);
        report.threads_touched.extend(outcome.threads_touched);
        Ok(())
    }
}

/// What one pass over the list reads and how it writes it.
struct Pass {
    filter: ListFilter,
    /// A page with a message older than this (ms) is the last one read.
    stop_before: Option<i64>,
    mode: IngestMode,
    /// The most records written at once (0: every page is written on its own).
    batch: usize,
}

/// The dates (Twilio's sort dates, ms) of the messages a pass read.
#[derive(Debug, Default, Clone, Copy)]
struct Span {
    newest: Option<i64>,
    oldest: Option<i64>,
}

impl Span {
    fn include(&mut self, at: i64) {
        self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
        self.oldest = Some(self.oldest.map_or(at, |o| o.min(at)));
    }
}

/// How many pages a pass may hold downloaded ahead of its writes. Few: where downloading and
/// storing share the cores, reading far ahead only takes CPU time from the writer, the slower
/// side, and leaves it a backlog once the last page is in; a few pages keep it busy.
const PAGES_AHEAD: usize = 4;

/// One page of the list, read into records and for keywords.
struct ReadPage {
    messages: ClassifiedMessages,
    fetched: usize,
    /// Messages that could not be read, with the reason.
    skipped: Vec<String>,
    /// No page follows: the list ended, or this page reached what the store already has.
    last: bool,
}

/// The pages of one pass, downloaded and read by a task of their own. Dropping it stops the
/// task.
struct PageReader {
    pages: tokio::sync::mpsc::Receiver<std::result::Result<ReadPage, TwilioError>>,
    task: tokio::task::JoinHandle<()>,
}

impl PageReader {
    fn spawn(
        client: TwilioClient,
        filter: ListFilter,
        stop_before: Option<i64>,
        keywords: Arc<Keywords>,
    ) -> Self {
        let (sender, pages) = tokio::sync::mpsc::channel(PAGES_AHEAD);
        let task = tokio::spawn(async move {
            let mut fetched = client.list_messages(&filter).await;
            loop {
                let page = match fetched {
                    Ok(page) => page,
                    Err(err) => {
                        let _ = sender.send(Err(err)).await;
                        return;
                    }
                };
                let (read, next) = read_page(page, stop_before, &keywords);
                if sender.send(Ok(read)).await.is_err() {
                    return;
                }
                match next {
                    Some(next) => fetched = client.next_page(&next).await,
                    None => return,
                }
            }
        });
        Self { pages, task }
    }

    /// A page already downloaded, without waiting for one; `None` also when the reader is gone,
    /// which the following `next` reports.
    fn try_next(&mut self) -> Option<std::result::Result<ReadPage, TwilioError>> {
        self.pages.try_recv().ok()
    }

    /// The next page; the list's end is a page marked `last`, so a reader that stopped early
    /// (the runtime shutting down) is an error rather than a finished pass.
    async fn next(&mut self) -> std::result::Result<ReadPage, TwilioError> {
        if let Some(page) = self.pages.recv().await {
            return page;
        }
        // The reader is gone without its last page: a panic there is a bug to surface as one,
        // not a network problem.
        match (&mut self.task).await {
            Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
            _ => Err(stopped_early()),
        }
    }
}

impl Drop for PageReader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn stopped_early() -> TwilioError {
    TwilioError::NoResponse {
        detail: "the pass was stopped before the last page".to_string(),
    }
}

/// Reads one page into records and for keywords, and says which page follows, if any.
fn read_page(
    page: MessagePage,
    stop_before: Option<i64>,
    keywords: &Keywords,
) -> (ReadPage, Option<String>) {
    let fetched = page.messages.len();
    let mut records = Vec::with_capacity(fetched);
    let mut skipped = Vec::new();
    let mut reached_known = false;
    for message in page.messages {
        match record_from_twilio(message) {
            Ok(record) => {
                if stop_before.is_some_and(|stop| sort_at(&record) < stop) {
                    reached_known = true;
                }
                records.push(record);
            }
            Err(reason) => {
                tracing::warn!("skipped an unreadable message: {reason}");
                skipped.push(reason);
            }
        }
    }
    let next = page.next_page_uri.filter(|_| !reached_known);
    let read = ReadPage {
        messages: ClassifiedMessages::classify(records, keywords),
        fetched,
        skipped,
        last: next.is_none(),
    };
    (read, next)
}

/// A fetch error about one message (deleted, not found) rather than the connection.
fn err_is_per_message(err: &crate::twilio::TwilioError) -> bool {
    matches!(
        err,
        crate::twilio::TwilioError::NotFound | crate::twilio::TwilioError::Malformed { .. }
    )
}
