//! The background loop: drain the outbox, poll, refresh statuses, and tell the UI what changed.
//!
//! Shaped like atuin's sync daemon: one task `select!`s between its timer and a command channel
//! (sync now, a chat opened or closed, stop). The interval adapts: fast while a chat is open or a
//! reply is expected, slow when idle, exponential backoff with jitter on errors. Stopping waits
//! for the current cycle with a time limit.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::poller::{BackfillProgress, PassReport, Poller};
use crate::appointments::reminders::{self, ReminderReport};
use crate::clock::Clock;
use crate::compliance::replies::{act_on_pending, RepliesReport};
use crate::error::{Error, Result};
use crate::events::{CoreEvent, NewReply, SyncState, SyncStatus};
use crate::outbox::{DrainReport, Outbox};
use crate::store::Store;
use crate::twilio::TwilioError;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Between cycles while a chat is open, a reply is expected or texts wait to go out.
    pub fast: Duration,
    /// Between cycles when nothing is happening.
    pub slow: Duration,
    pub reconcile_every: Duration,
    pub max_error_backoff: Duration,
    /// After we text someone, replies are likely for this long.
    pub reply_expected_for: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            fast: Duration::from_secs(1),
            slow: Duration::from_secs(30),
            reconcile_every: Duration::from_secs(600),
            max_error_backoff: Duration::from_secs(300),
            reply_expected_for: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCommand {
    SyncNow,
    ChatOpen(bool),
    Stop,
}

/// What one full cycle did.
#[derive(Debug, Clone, Default)]
pub struct CycleReport {
    pub outbox: DrainReport,
    pub poll: PassReport,
    pub replies: RepliesReport,
    pub reconciled: bool,
}

pub struct Engine {
    store: Store,
    outbox: Outbox,
    poller: Poller,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<CoreEvent>,
    /// When the reminder scheduler last ran (ms), `i64::MIN` before the first pass.
    last_reminders_at: AtomicI64,
    /// Whether the thread index may be missing: at start (a back-fill may have stopped without
    /// it) and after a first back-fill set it aside, until building it has succeeded.
    thread_index_unsure: AtomicBool,
}

const REMINDER_PASS_EVERY_MS: i64 = 60_000;

impl Engine {
    pub fn new(
        store: Store,
        outbox: Outbox,
        poller: Poller,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
        events: broadcast::Sender<CoreEvent>,
    ) -> Self {
        Self {
            store,
            outbox,
            poller,
            config,
            clock,
            events,
            last_reminders_at: AtomicI64::new(i64::MIN),
            thread_index_unsure: AtomicBool::new(true),
        }
    }

    /// Events of this engine (also before it is spawned: tests drive cycles by hand).
    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.events.subscribe()
    }

    fn emit(&self, event: CoreEvent) {
        // No listener (CLI, tests) is fine.
        let _ = self.events.send(event);
    }

    /// One cycle: incremental passes, status refresh (and the reconciliation pass when asked),
    /// acting on what patients texted, then draining the outbox. Polling comes first so a STOP
    /// that arrived since the last cycle is honoured before anything is sent; a failed poll
    /// still lets queued texts go out, and its error is returned after.
    pub async fn run_cycle(&self, reconcile: bool) -> Result<CycleReport> {
        let polled = self.poll_and_act(reconcile).await;
        let outbox = self.outbox.drain().await?;
        if outbox.changed_anything() {
            self.emit(CoreEvent::OutboxChanged);
        }
        if outbox.auth_failed {
            return Err(Error::Twilio(TwilioError::Auth));
        }
        let (poll, replies) = polled?;
        Ok(CycleReport {
            outbox,
            poll,
            replies,
            reconciled: reconcile,
        })
    }

    async fn poll_and_act(&self, reconcile: bool) -> Result<(PassReport, RepliesReport)> {
        let mut passes = Vec::new();
        let incremental = |slice| {
            let events = self.events.clone();
            async move {
                let mut on_progress = move |progress: BackfillProgress| {
                    let _ = events.send(CoreEvent::Backfill(progress));
                };
                self.poller.incremental(slice, &mut on_progress).await
            }
        };
        // Statuses the list reads from here on count for this cycle's refresh, not a later one's.
        self.poller.forget_listed();
        // A first back-fill fills the table without the thread index, which is built again after
        // the passes (see store::thread_index). Setting it aside only saves time, so failing to
        // is no reason to fail the cycle.
        let backfilling = self.poller.needs_backfill()?;
        if backfilling {
            match self.store.defer_thread_index_if_empty() {
                Ok(true) => self.thread_index_unsure.store(true, Ordering::Relaxed),
                Ok(false) => {}
                Err(err) => tracing::warn!("thread index kept through the back-fill: {err}"),
            }
        }
        // Both directions at once: one waits for Twilio while the other is being written.
        let incremental_passes: Vec<Result<PassReport>> = match self.poller.slices().as_slice() {
            [replies, ours] => {
                let (replies, ours) = tokio::join!(incremental(*replies), incremental(*ours));
                vec![replies, ours]
            }
            slices => {
                let mut done = Vec::new();
                for slice in slices {
                    let pass = incremental(*slice).await;
                    let failed = pass.is_err();
                    done.push(pass);
                    if failed {
                        break;
                    }
                }
                done
            }
        };
        // A back-fill leaves tens of megabytes in the WAL; copying them into the database file
        // overlaps the index build and the answers below instead of waiting for the close.
        if backfilling {
            self.store.checkpoint_behind();
        }
        self.ensure_thread_index();
        for pass in incremental_passes {
            passes.push(pass?);
        }
        passes.push(self.poller.refresh_statuses().await?);
        if reconcile {
            for slice in self.poller.slices() {
                passes.push(self.poller.reconcile(slice).await?);
            }
        }
        let poll = PassReport::merge(passes);
        self.announce(&poll)?;
        let replies = act_on_pending(&self.store, self.outbox.sender(), self.clock.as_ref())?;
        let mut compliance_phones = poll.opt_changes.clone();
        compliance_phones.extend(replies.flagged.iter().cloned());
        compliance_phones.sort();
        compliance_phones.dedup();
        if !compliance_phones.is_empty() {
            self.emit(CoreEvent::ThreadsChanged {
                phones: compliance_phones.clone(),
            });
            self.emit(CoreEvent::ComplianceChanged {
                phones: compliance_phones,
            });
        }
        let reminders = self.reminders_if_due()?;
        if replies.appointments_changed
            || reminders
                .as_ref()
                .is_some_and(|r| !r.queued.is_empty() || r.expired > 0)
        {
            self.emit(CoreEvent::AppointmentsChanged);
        }
        Ok((poll, replies))
    }

    /// Builds the thread index if it may be missing. A failure (another process holding the
    /// write lock) is logged and tried again next cycle; the passes' own outcome comes first.
    fn ensure_thread_index(&self) {
        if !self.thread_index_unsure.load(Ordering::Relaxed) {
            return;
        }
        match self.store.build_thread_index() {
            Ok(()) => self.thread_index_unsure.store(false, Ordering::Relaxed),
            Err(err) => tracing::warn!("thread index not built yet, tried again next cycle: {err}"),
        }
    }

    /// The reminder scheduler, at most once a minute: rules are whole hours, so a minute late is
    /// on time, and a fast cycle (every second while a chat is open) need not query for it.
    fn reminders_if_due(&self) -> Result<Option<ReminderReport>> {
        let now = self.clock.now_ms();
        let last = self.last_reminders_at.load(Ordering::Relaxed);
        if last != i64::MIN && now - last < REMINDER_PASS_EVERY_MS {
            return Ok(None);
        }
        self.last_reminders_at.store(now, Ordering::Relaxed);
        let report = reminders::run_pass(&self.store, self.outbox.sender(), self.clock.as_ref())?;
        for failure in &report.failed {
            tracing::warn!("reminder not queued: {failure:?}");
        }
        Ok(Some(report))
    }

    /// Sends what is due without polling (the CLI's `send`).
    pub async fn drain_outbox(&self) -> Result<DrainReport> {
        let report = self.outbox.drain().await?;
        if report.changed_anything() {
            self.emit(CoreEvent::OutboxChanged);
        }
        if report.auth_failed {
            return Err(Error::Twilio(TwilioError::Auth));
        }
        Ok(report)
    }

    fn announce(&self, poll: &PassReport) -> Result<()> {
        if !poll.threads_touched.is_empty() {
            self.emit(CoreEvent::ThreadsChanged {
                phones: poll.threads_touched.clone(),
            });
        }
        for reply in &poll.new_inbound {
            let patient_name = self.store.patient_name_for(&reply.phone)?;
            self.emit(CoreEvent::NewReply(NewReply {
                phone: reply.phone.clone(),
                patient_name,
                body: reply.body.clone(),
                at: reply.created_at,
            }));
        }
        Ok(())
    }

    fn reply_expected(&self) -> bool {
        let since = self.clock.now_ms() - self.config.reply_expected_for.as_millis() as i64;
        self.store
            .last_outbound_at()
            .ok()
            .flatten()
            .is_some_and(|at| at >= since)
            || self.store.outbox_pending_count().unwrap_or(0) > 0
    }

    /// Starts the loop on the current Tokio runtime.
    pub fn spawn(self) -> EngineHandle {
        let (commands, receiver) = mpsc::channel(16);
        let events = self.events.clone();
        let task = tokio::spawn(self.run(receiver));
        EngineHandle {
            commands,
            events,
            task,
        }
    }

    async fn run(self, mut commands: mpsc::Receiver<SyncCommand>) {
        let mut chat_open = false;
        let mut failures: u32 = 0;
        let mut last_reconcile: Option<tokio::time::Instant> = None;
        let mut status = SyncStatus {
            state: SyncState::Starting,
            last_synced_at: None,
            last_error: None,
        };
        loop {
            let reconcile =
                last_reconcile.is_none_or(|at| at.elapsed() >= self.config.reconcile_every);
            match self.run_cycle(reconcile).await {
                Ok(report) => {
                    failures = 0;
                    if report.reconciled {
                        last_reconcile = Some(tokio::time::Instant::now());
                    }
                    status.state = if report.outbox.offline {
                        SyncState::Offline
                    } else {
                        SyncState::Online
                    };
                    status.last_synced_at = Some(self.clock.now_ms());
                    status.last_error = None;
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    status.state = match &err {
                        Error::Twilio(TwilioError::Auth) => SyncState::AuthError,
                        Error::Twilio(TwilioError::Offline { .. })
                        | Error::Twilio(TwilioError::NoResponse { .. }) => SyncState::Offline,
                        _ => SyncState::Online,
                    };
                    status.last_error = Some(err.to_string());
                    tracing::warn!("sync cycle failed: {err}");
                }
            }
            self.emit(CoreEvent::SyncStatus(status.clone()));

            let delay = if failures > 0 {
                self.error_backoff(failures)
            } else if chat_open || self.reply_expected() {
                self.config.fast
            } else {
                self.config.slow
            };
            let deadline = tokio::time::sleep(delay);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    _ = &mut deadline => break,
                    command = commands.recv() => match command {
                        Some(SyncCommand::SyncNow) => break,
                        Some(SyncCommand::ChatOpen(open)) => {
                            chat_open = open;
                            if open {
                                break;
                            }
                        }
                        Some(SyncCommand::Stop) | None => return,
                    },
                }
            }
        }
    }

    fn error_backoff(&self, failures: u32) -> Duration {
        let base = self
            .config
            .fast
            .saturating_mul(2u32.saturating_pow(failures.min(16)))
            .min(self.config.max_error_backoff);
        base.mul_f64(rand::rng().random_range(0.5..1.0))
    }
}

/// Control of a running engine. Dropping it stops the loop.
pub struct EngineHandle {
    commands: mpsc::Sender<SyncCommand>,
    events: broadcast::Sender<CoreEvent>,
    task: JoinHandle<()>,
}

impl EngineHandle {
    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.events.subscribe()
    }

    pub async fn send(&self, command: SyncCommand) {
        let _ = self.commands.send(command).await;
    }

    pub fn try_send(&self, command: SyncCommand) {
        let _ = self.commands.try_send(command);
    }

    /// Stops the loop, waiting up to `limit` for the cycle in progress.
    pub async fn stop(self, limit: Duration) {
        let _ = self.commands.send(SyncCommand::Stop).await;
        let mut task = self.task;
        if tokio::time::timeout(limit, &mut task).await.is_err() {
            task.abort();
        }
    }
}
