//! The durable outbox: sends queued texts exactly once.
//!
//! A text is a row before it is a request (see `store::outbox`). Each drain first settles texts
//! in doubt (a request that got no answer, or a crash mid-send) by looking for them in Twilio's
//! Message list: found, the SID is adopted; proven absent after a grace period (Twilio's list
//! can lag behind creation), the text is queued again. Only then are due texts claimed and sent,
//! a few at a time. What Twilio says decides what happens next: retry with backoff (honouring
//! Retry-After), stop for credentials, record an opt-out, or fail the text with the reason.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::compliance::quiet_hours::SendingPolicy;
use crate::error::{Error, Result};
use crate::ingest::record_from_twilio;
use crate::store::optouts::{OptEvent, OptKind, OptSource};
use crate::store::outbox::OutboxItem;
use crate::store::Store;
use crate::twilio::{CreateMessage, ListFilter, TwilioClient, TwilioError};

/// Where our texts come from: the clinic number, or a Messaging Service that picks one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// Requests in flight at once (bulk sends stay within Twilio's concurrency limits).
    pub concurrency: usize,
    /// Texts claimed per drain.
    pub batch: usize,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How long a text in doubt must stay absent from Twilio's list before it is sent again.
    pub ambiguous_grace: Duration,
    /// How far before the attempt a matching message in the list still counts as ours (clock
    /// skew between this computer and Twilio).
    pub clock_slack: Duration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            batch: 50,
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            ambiguous_grace: Duration::from_secs(180),
            clock_slack: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub submitted: usize,
    /// In-doubt texts found in Twilio's list and adopted (not sent again).
    pub adopted: usize,
    pub retried: usize,
    pub failed: usize,
    pub blocked: usize,
    /// Automated texts that came due in quiet time and wait for the sending window.
    pub held: usize,
    /// Texts still waiting for the list to prove whether they exist.
    pub in_doubt: usize,
    /// Twilio refused the credentials: the outbox stopped.
    pub auth_failed: bool,
    /// Twilio could not be reached.
    pub offline: bool,
}

impl DrainReport {
    pub fn changed_anything(&self) -> bool {
        self.submitted + self.adopted + self.retried + self.failed + self.blocked + self.held > 0
    }
}

pub struct Outbox {
    store: Store,
    client: TwilioClient,
    sender: Sender,
    config: OutboxConfig,
    clock: Arc<dyn Clock>,
}

enum Outcome {
    Submitted,
    Retry,
    Failed,
    Blocked,
    InDoubt,
    AuthFailed,
    Offline,
}

impl Outbox {
    pub fn new(
        store: Store,
        client: TwilioClient,
        sender: Sender,
        config: OutboxConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            client,
            sender,
            config,
            clock,
        }
    }

    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// One pass: settle texts in doubt, then send what is due.
    pub async fn drain(&self) -> Result<DrainReport> {
        let mut report = DrainReport::default();
        for item in self.store.outbox_in_doubt()? {
            match self.reconcile(&item).await {
                Ok(Reconciled::Adopted) => report.adopted += 1,
                Ok(Reconciled::Requeued) => report.retried += 1,
                Ok(Reconciled::StillInDoubt) => report.in_doubt += 1,
                Err(Error::Twilio(TwilioError::Auth)) => {
                    report.auth_failed = true;
                    return Ok(report);
                }
                Err(Error::Twilio(err)) => {
                    report.in_doubt += 1;
                    report.offline |= matches!(err, TwilioError::Offline { .. });
                    tracing::debug!(outbox_id = item.id, "reconciliation deferred: {err}");
                }
                Err(other) => return Err(other),
            }
        }

        let now = self.clock.now_ms();
        let policy = SendingPolicy::load(&self.store)?;
        let claim = self
            .store
            .claim_due(now, self.config.batch, &|kind, zone| {
                policy.hold(kind, zone, now)
            })?;
        report.blocked += claim.blocked;
        report.held += claim.held;
        let due = claim.items;
        if due.is_empty() {
            return Ok(report);
        }
        let limit = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for item in due {
            let permit_source = limit.clone();
            let client = self.client.clone();
            let sender = self.sender.clone();
            tasks.spawn(async move {
                let _permit = permit_source.acquire_owned().await;
                let result = client
                    .create_message(&CreateMessage {
                        to: &item.to,
                        from: sender.from.as_deref(),
                        messaging_service_sid: sender.messaging_service_sid.as_deref(),
                        body: &item.body,
                    })
                    .await;
                (item, result)
            });
        }
        let mut stop_for_auth = false;
        while let Some(joined) = tasks.join_next().await {
            let Ok((item, result)) = joined else {
                // A panicked task leaves its text `sending`: reconciled on the next drain.
                report.in_doubt += 1;
                continue;
            };
            if stop_for_auth && result.is_err() {
                self.store.release_claim(item.id)?;
                continue;
            }
            match self.settle(&item, result)? {
                Outcome::Submitted => report.submitted += 1,
                Outcome::Retry => report.retried += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Blocked => report.blocked += 1,
                Outcome::InDoubt => report.in_doubt += 1,
                Outcome::Offline => {
                    report.offline = true;
                    report.retried += 1;
                }
                Outcome::AuthFailed => {
                    report.auth_failed = true;
                    stop_for_auth = true;
                }
            }
        }
        Ok(report)
    }

    /// Records what Twilio answered for one text.
    fn settle(
        &self,
        item: &OutboxItem,
        result: std::result::Result<crate::twilio::types::TwilioMessage, TwilioError>,
    ) -> Result<Outcome> {
        let now = self.clock.now_ms();
        let err = match result {
            Ok(message) => {
                return match record_from_twilio(message) {
                    Ok(record) => {
                        self.store.mark_submitted(item.id, &record)?;
                        Ok(Outcome::Submitted)
                    }
                    // Accepted (2xx) but unreadable: the text exists; find it in the list.
                    Err(reason) => {
                        tracing::warn!(outbox_id = item.id, "unreadable create response: {reason}");
                        Ok(Outcome::InDoubt)
                    }
                };
            }
            Err(err) => err,
        };
        let message = err.to_string();
        Ok(match err {
            TwilioError::Auth => {
                self.store.release_claim(item.id)?;
                Outcome::AuthFailed
            }
            TwilioError::RateLimited { retry_after } => {
                let wait = retry_after.unwrap_or_else(|| self.backoff(item.attempts));
                self.store.mark_retry(
                    item.id,
                    now + wait.as_millis() as i64,
                    Some("20429"),
                    &message,
                )?;
                Outcome::Retry
            }
            TwilioError::Offline { .. } => {
                let wait = self.backoff(item.attempts);
                self.store
                    .mark_retry(item.id, now + wait.as_millis() as i64, None, &message)?;
                Outcome::Offline
            }
            // The request may have been processed: leave it `sending` for reconciliation.
            TwilioError::NoResponse { .. }
            | TwilioError::Server { .. }
            | TwilioError::Malformed { .. } => Outcome::InDoubt,
            TwilioError::OptedOut => {
                self.store.record_opt_event(&OptEvent {
                    phone: item.to.clone(),
                    kind: OptKind::OptOut,
                    source: OptSource::Twilio21610,
                    keyword: None,
                    message_sid: None,
                    at: crate::store::optouts::refused_send_stamp(now),
                    actor: "twilio".to_string(),
                })?;
                self.store.mark_failed(item.id, Some(21610), &message)?;
                Outcome::Blocked
            }
            other => {
                self.store.mark_failed(item.id, other.code(), &message)?;
                Outcome::Failed
            }
        })
    }

    /// Exponential backoff with jitter, capped.
    fn backoff(&self, attempts: i64) -> Duration {
        let exponent = attempts.clamp(1, 16) as u32 - 1;
        let base = self
            .config
            .base_backoff
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.config.max_backoff);
        let jitter = rand::rng().random_range(0.5..1.5);
        base.mul_f64(jitter).min(self.config.max_backoff)
    }

    /// Looks for a text in doubt in Twilio's list (same To, From and body, created after the
    /// attempt began) and adopts its SID; requeues it only once the grace period has passed
    /// without a match.
    async fn reconcile(&self, item: &OutboxItem) -> Result<Reconciled> {
        let since = item.sending_since.unwrap_or(item.created_at);
        let earliest = since - self.config.clock_slack.as_millis() as i64;
        let filter = ListFilter {
            to: Some(item.to.clone()),
            from: self.sender.from.clone(),
            sent_on_or_after: None,
            page_size: 50,
        };
        let mut page = self.client.list_messages(&filter).await?;
        let mut candidates = Vec::new();
        loop {
            let mut reached_older = false;
            for message in std::mem::take(&mut page.messages) {
                let Ok(record) = record_from_twilio(message) else {
                    continue;
                };
                if record.created_at < earliest {
                    reached_older = true;
                    continue;
                }
                if record.body == item.body && record.to == item.to {
                    candidates.push(record);
                }
            }
            match (&page.next_page_uri, reached_older) {
                (Some(next), false) => page = self.client.next_page(next).await?,
                _ => break,
            }
        }
        // The earliest match not already owned by another text of ours is this attempt's.
        candidates.sort_by_key(|r| (r.created_at, r.sid.clone()));
        for record in candidates {
            if !self.store.sid_owned_by_other_outbox(&record.sid, item.id)? {
                self.store.mark_submitted(item.id, &record)?;
                return Ok(Reconciled::Adopted);
            }
        }
        let now = self.clock.now_ms();
        if now - since >= self.config.ambiguous_grace.as_millis() as i64 {
            self.store.mark_retry(
                item.id,
                now,
                None,
                "no answer from Twilio and the text is not in Twilio's list; sending again",
            )?;
            return Ok(Reconciled::Requeued);
        }
        Ok(Reconciled::StillInDoubt)
    }
}

enum Reconciled {
    Adopted,
    Requeued,
    StillInDoubt,
}
