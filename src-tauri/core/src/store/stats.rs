//! Aggregates for the dashboard, computed in SQL over quarter-hour buckets so that a year of
//! texts is a few thousand rows for the caller to fold into local days and months (which needs
//! the clinic's zone, so it happens in `dashboard`).

use rusqlite::params;

use super::{Store, StoreError};

/// Counts for one quarter-hour (UTC) of messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Start of the quarter-hour, ms since the epoch.
    pub start_ms: i64,
    pub inbound: i64,
    pub outbound: i64,
    pub delivered: i64,
    /// Undelivered or failed at Twilio.
    pub failed: i64,
    pub segments: i64,
    /// Twilio's price where known (negative, as Twilio reports charges), in the account currency.
    pub priced_cost: f64,
    /// Segments of outbound texts without a price yet (estimated by the caller).
    pub unpriced_segments: i64,
}

pub const BUCKET_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCount {
    pub error_code: Option<i64>,
    pub count: i64,
}

impl Store {
    /// Quarter-hour buckets of messages created in `[from_ms, until_ms)`.
    pub fn message_buckets(&self, from_ms: i64, until_ms: i64) -> Result<Vec<Bucket>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT (created_at / ?3) * ?3, \
                   sum(direction = 'inbound'), \
                   sum(direction = 'outbound'), \
                   sum(direction = 'outbound' AND status IN ('delivered', 'read')), \
                   sum(direction = 'outbound' AND status IN ('undelivered', 'failed')), \
                   sum(CASE WHEN direction = 'outbound' THEN coalesce(num_segments, 1) ELSE 0 END), \
                   sum(CASE WHEN direction = 'outbound' AND price IS NOT NULL \
                            THEN abs(CAST(price AS REAL)) ELSE 0 END), \
                   sum(CASE WHEN direction = 'outbound' AND price IS NULL \
                             AND status NOT IN ('pending', 'failed', 'canceled') \
                            THEN coalesce(num_segments, 1) ELSE 0 END) \
                 FROM messages WHERE created_at >= ?1 AND created_at < ?2 \
                 GROUP BY 1 ORDER BY 1",
            )?;
            let rows = stmt.query_map(params![from_ms, until_ms, BUCKET_MS], |row| {
                Ok(Bucket {
                    start_ms: row.get(0)?,
                    inbound: row.get(1)?,
                    outbound: row.get(2)?,
                    delivered: row.get(3)?,
                    failed: row.get(4)?,
                    segments: row.get(5)?,
                    priced_cost: row.get(6)?,
                    unpriced_segments: row.get(7)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Outbound texts that failed or were undelivered since `from_ms`, by Twilio error code.
    pub fn failures_by_code(&self, from_ms: i64) -> Result<Vec<FailureCount>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT error_code, count(*) FROM messages \
                 WHERE direction = 'outbound' AND status IN ('undelivered', 'failed') \
                   AND created_at >= ?1 \
                 GROUP BY error_code ORDER BY count(*) DESC, error_code",
            )?;
            let rows = stmt.query_map([from_ms], |row| {
                Ok(FailureCount {
                    error_code: row.get(0)?,
                    count: row.get(1)?,
                })
            })?;
            rows.collect()
        })
    }
}
