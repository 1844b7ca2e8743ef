//! The dashboard's figures: delivery rate (with an alert under 95 %), texts per day, segments and
//! cost per month, failures by Twilio error code. Days and months are the clinic's, so the store's
//! quarter-hour buckets are folded here with the clinic's zone (DST days included).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::clock::Clock;
use crate::error::Result;
use crate::settings;
use crate::store::stats::Bucket;
use crate::store::Store;
use crate::twilio::error::describe_error_code;

/// Below this share of delivered texts the dashboard raises an alert.
pub const DELIVERY_ALERT_BELOW: f64 = 0.95;
/// Fewer finished texts than this say too little for an alert.
const ALERT_MIN_TEXTS: i64 = 20;
const DAYS: i64 = 30;
const MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub delivery: DeliveryRate,
    /// The last 30 days in the clinic's zone, oldest first, days without texts included.
    pub per_day: Vec<DayCount>,
    /// The last 12 months, oldest first.
    pub per_month: Vec<MonthUsage>,
    /// Failed and undelivered texts of the last 30 days by error code, most frequent first.
    pub failures: Vec<FailureRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRate {
    pub delivered: i64,
    pub failed: i64,
    /// delivered / (delivered + failed) over the last 30 days; none without finished texts.
    pub rate: Option<f64>,
    pub alert: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// YYYY-MM-DD in the clinic's zone.
    pub date: String,
    pub inbound: i64,
    pub outbound: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MonthUsage {
    /// YYYY-MM in the clinic's zone.
    pub month: String,
    pub segments: i64,
    /// Twilio's prices where known plus segments × the configured price for the rest.
    pub cost: f64,
    /// Part of `cost` that is an estimate (texts Twilio has not priced yet).
    pub estimated: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FailureRow {
    pub error_code: Option<i64>,
    /// The code in plain words.
    pub description: String,
    pub count: i64,
}

pub fn dashboard(store: &Store, clock: &dyn Clock) -> Result<Dashboard> {
    let zone = settings::clinic_timezone(store)?;
    let price = settings::price_per_segment(store)?;
    let now = DateTime::from_timestamp_millis(clock.now_ms()).unwrap_or_default();
    let today = now.with_timezone(&zone).date_naive();

    let first_day = today - Duration::days(DAYS - 1);
    let first_month = months_back(today, MONTHS - 1);
    let since = start_of(zone, first_day.min(first_month));
    let buckets = store.message_buckets(since, clock.now_ms() + 1)?;

    let mut days: BTreeMap<NaiveDate, DayCount> = (0..DAYS)
        .map(|i| first_day + Duration::days(i))
        .map(|d| {
            (
                d,
                DayCount {
                    date: d.format("%Y-%m-%d").to_string(),
                    inbound: 0,
                    outbound: 0,
                },
            )
        })
        .collect();
    let mut months: BTreeMap<(i32, u32), MonthUsage> = (0..MONTHS)
        .map(|i| months_back(today, MONTHS - 1 - i))
        .map(|d| {
            (
                (d.year(), d.month()),
                MonthUsage {
                    month: d.format("%Y-%m").to_string(),
                    segments: 0,
                    cost: 0.0,
                    estimated: 0.0,
                },
            )
        })
        .collect();
    let (mut delivered, mut failed) = (0, 0);
    for bucket in &buckets {
        let local = local_date(zone, bucket);
        if let Some(day) = days.get_mut(&local) {
            day.inbound += bucket.inbound;
            day.outbound += bucket.outbound;
            delivered += bucket.delivered;
            failed += bucket.failed;
        }
        if let Some(month) = months.get_mut(&(local.year(), local.month())) {
            let estimate = bucket.unpriced_segments as f64 * price;
            month.segments += bucket.segments;
            month.cost += bucket.priced_cost + estimate;
            month.estimated += estimate;
        }
    }
    let finished = delivered + failed;
    let rate = (finished > 0).then(|| delivered as f64 / finished as f64);
    let failures = store
        .failures_by_code(start_of(zone, first_day))?
        .into_iter()
        .map(|f| FailureRow {
            error_code: f.error_code,
            description: f
                .error_code
                .map(|c| describe_error_code(c).to_string())
                .unwrap_or_else(|| "no reason given by the carrier".to_string()),
            count: f.count,
        })
        .collect();
    Ok(Dashboard {
        delivery: DeliveryRate {
            delivered,
            failed,
            rate,
            alert: finished >= ALERT_MIN_TEXTS && rate.is_some_and(|r| r < DELIVERY_ALERT_BELOW),
        },
        per_day: days.into_values().collect(),
        per_month: months.into_values().collect(),
        failures,
    })
}

fn local_date(zone: chrono_tz::Tz, bucket: &Bucket) -> NaiveDate {
    DateTime::from_timestamp_millis(bucket.start_ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
}

/// The first day of the month `back` months before `day`'s.
fn months_back(day: NaiveDate, back: u32) -> NaiveDate {
    let index = day.year() * 12 + day.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or(day)
}

/// Midnight of `day` in `zone` (the first instant of the day on DST days), in ms.
fn start_of(zone: chrono_tz::Tz, day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    crate::compliance::quiet_hours::first_instant_at_or_after(zone, midnight).timestamp_millis()
}
