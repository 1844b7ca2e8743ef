//! The Messages resource: create, list and fetch, with Twilio's validation codes and filters.
//!
//! Validation runs in a fixed order (account active, required fields, body, numbers, trial
//! recipients, planned rejections, opt-out) and every refusal happens before anything is stored,
//! as with Twilio: a 400 never leaves a message behind.

use std::ops::Bound;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::auth::authenticate;
use crate::clock::{day_start, Millis, DAY};
use crate::error::TwilioError;
use crate::ids::is_e164;
use crate::json::{self, Envelope};
use crate::lifecycle::Direction;
use crate::paging::{cut, Cursor, PageRequest, Query, UriBuilder};
use crate::respond::{json as json_response, json_bytes, strip_json};
use crate::state::{NewMessage, PlannedOutcome, Sim, SortKey, StoredMessage};

/// Twilio's magic "From" that always passes with test credentials.
const MAGIC_FROM: &str = "+15005550006";
const MAX_BODY_CHARS: usize = 1_600;
const LIST_FILTERS: &[&str] = &["To", "From", "DateSent", "DateSent<", "DateSent>"];

/// Twilio's create-time refusals that depend on the recipient.
pub fn rejection(code: u32, to: &str, from: &str) -> TwilioError {
    let message = match code {
        21211 => format!("The 'To' number {to} is not a valid phone number."),
        21408 => format!(
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}"
        ),
        21610 => "Attempt to send to unsubscribed recipient".to_string(),
        21612 => format!(
            "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: {from} via SMS."
        ),
        21614 => format!("'To' number {to} is not a valid mobile number"),
        21608 => format!(
            "The number {to} is unverified. Trial accounts cannot send messages to unverified numbers; verify {to} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers"
        ),
        _ => format!("The message to {to} cannot be sent"),
    };
    TwilioError::new(400, code, message)
}

fn magic_to(to: &str) -> Option<u32> {
    match to {
        "+15005550001" => Some(21211),
        "+15005550002" => Some(21612),
        "+15005550003" => Some(21408),
        "+15005550004" => Some(21610),
        "+15005550009" => Some(21614),
        _ => None,
    }
}

/// The sender a create resolves to: a number of ours, or a Messaging Service's number.
fn resolve_sender(sim: &Sim, form: &Query) -> Result<(String, Option<String>), TwilioError> {
    let service = match form.non_empty("MessagingServiceSid") {
        None => None,
        Some(sid) => {
            let number = sim.config.service_number(sid).ok_or_else(|| {
                TwilioError::new(
                    400,
                    21705,
                    format!("The Messaging Service Sid {sid} is invalid."),
                )
            })?;
            Some((sid.to_string(), number.to_string()))
        }
    };
    match (form.non_empty("From"), service) {
        (Some(from), service) => {
            if !is_e164(from) {
                return Err(TwilioError::new(
                    400,
                    21212,
                    format!("The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID."),
                ));
            }
            if !sim.config.owns_number(from) && from != MAGIC_FROM {
                return Err(TwilioError::new(
                    400,
                    21606,
                    format!("The From phone number {from} is not a valid, SMS-capable inbound phone number or short code for your account."),
                ));
            }
            Ok((from.to_string(), service.map(|(sid, _)| sid)))
        }
        (None, Some((sid, number))) => Ok((number, Some(sid))),
        (None, None) => Err(TwilioError::new(
            400,
            21603,
            "A 'From' phone number is required.",
        )),
    }
}

pub async fn create(
    State(sim): State<Arc<Sim>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TwilioError> {
    authenticate(&sim.config, &headers, &account)?;
    if !sim.config.account_status.is_active() {
        return Err(TwilioError::account_not_active());
    }
    let form = Query::from_bytes(&body);
    let to = form
        .non_empty("To")
        .ok_or_else(|| TwilioError::new(400, 21604, "A 'To' phone number is required."))?;
    if form.non_empty("From").is_none() && form.non_empty("MessagingServiceSid").is_none() {
        return Err(TwilioError::new(
            400,
            21603,
            "A 'From' phone number is required.",
        ));
    }
    let raw_body = form.get("Body").unwrap_or_default();
    let smart = form
        .get("SmartEncoded")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let text = if smart {
        clinic_desk_core::composer::segments::smart_encode(raw_body)
    } else {
        raw_body.to_string()
    };
    if text.trim().is_empty() {
        return Err(TwilioError::new(400, 21602, "Message body is required."));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(TwilioError::new(
            400,
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    if !is_e164(to) {
        return Err(rejection(21211, to, ""));
    }
    let (from, service) = resolve_sender(&sim, &form)?;
    if let Some(code) = magic_to(to) {
        return Err(rejection(code, to, &from));
    }
    if !sim.config.may_text(to) {
        return Err(rejection(21608, to, &from));
    }

    let now = sim.clock.now_ms();
    let stored = {
        let mut inner = sim.lock();
        let outcome = match inner.planned_outcome(to) {
            PlannedOutcome::Reject(code) => return Err(rejection(code, to, &from)),
            PlannedOutcome::Finish(outcome) => outcome,
        };
        if inner.optouts.is_opted_out(&from, to) {
            return Err(rejection(21610, to, &from));
        }
        inner.create(
            NewMessage {
                from,
                to: to.to_string(),
                body: text,
                direction: Direction::OutboundApi,
                messaging_service_sid: service,
                outcome,
            },
            now,
        )
    };
    Ok(json_response(
        StatusCode::CREATED,
        &json::message(&sim.config.account_sid, &stored, now),
    ))
}

pub async fn fetch(
    State(sim): State<Arc<Sim>>,
    Path((account, file)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, TwilioError> {
    authenticate(&sim.config, &headers, &account)?;
    let sid = strip_json(&file, uri.path())?;
    let found = sim.lock().store.get(sid);
    let message = found.ok_or_else(|| TwilioError::not_found(uri.path()))?;
    let now = sim.clock.now_ms();
    Ok(json_response(
        StatusCode::OK,
        &json::message(&sim.config.account_sid, &message, now),
    ))
}

/// Parses a DateSent value to the start of its GMT day. Twilio documents dates (YYYY-MM-DD) and
/// clients send full datetimes; both are truncated to the day.
fn parse_day(key: &str, raw: &str) -> Result<Millis, TwilioError> {
    let raw = raw.trim();
    let instant = DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_rfc2822(raw))
        .map(|dt| dt.timestamp_millis())
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
            .map(|dt| dt.and_utc().timestamp_millis())
        })
        .or_else(|| {
            let date = raw.get(..10)?;
            NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(date, "%m/%d/%Y"))
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|dt| dt.and_utc().timestamp_millis())
        })
        .ok_or_else(|| {
            TwilioError::invalid_paging(format!(
                "Invalid {key} value {raw:?}: expected a GMT date such as 2026-01-02"
            ))
        })?;
    Ok(day_start(instant))
}

/// The DateSent filters as a half-open range of sort dates [lower, upper).
fn date_range(query: &Query) -> Result<(Option<Millis>, Option<Millis>), TwilioError> {
    let mut lower: Option<Millis> = None;
    let mut upper: Option<Millis> = None;
    let raise = |bound: &mut Option<Millis>, value: Millis, pick: fn(Millis, Millis) -> Millis| {
        *bound = Some(bound.map_or(value, |b| pick(b, value)));
    };
    if let Some(raw) = query.non_empty("DateSent") {
        let day = parse_day("DateSent", raw)?;
        raise(&mut lower, day, Millis::max);
        raise(&mut upper, day + DAY, Millis::min);
    }
    if let Some(raw) = query.non_empty("DateSent>") {
        raise(&mut lower, parse_day("DateSent>", raw)?, Millis::max);
    }
    if let Some(raw) = query.non_empty("DateSent<") {
        raise(&mut upper, parse_day("DateSent<", raw)? + DAY, Millis::min);
    }
    Ok((lower, upper))
}

/// The tighter of two lower bounds on sort keys.
fn max_lower(a: Bound<SortKey>, b: Bound<SortKey>) -> Bound<SortKey> {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            if x > y || (x == y && matches!(a, Bound::Excluded(_))) {
                a
            } else {
                b
            }
        }
    }
}

fn min_upper(a: Bound<SortKey>, b: Bound<SortKey>) -> Bound<SortKey> {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            if x < y || (x == y && matches!(a, Bound::Excluded(_))) {
                a
            } else {
                b
            }
        }
    }
}

pub async fn list(
    State(sim): State<Arc<Sim>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    uri: Uri,
) -> Result<Response, TwilioError> {
    authenticate(&sim.config, &headers, &account)?;
    let query = Query::parse(raw.as_deref());
    let request = PageRequest::from_query(&query)?;
    let (day_lower, day_upper) = date_range(&query)?;
    let to = query.non_empty("To");
    let from = query.non_empty("From");
    let dated = day_lower.is_some() || day_upper.is_some();
    let now = sim.clock.now_ms();
    let keep = |m: &&Arc<StoredMessage>| {
        m.visible_at <= now
            && to.is_none_or(|t| m.to == t)
            && from.is_none_or(|f| m.from == f)
            // An unsent text has no date_sent, so a DateSent filter cannot match it yet.
            && (!dated || m.sort_date <= now)
    };
    let lower = day_lower.map_or(Bound::Unbounded, |d| Bound::Included((d, String::new())));
    let upper = day_upper.map_or(Bound::Unbounded, |d| Bound::Excluded((d, String::new())));
    let with_key = |m: &Arc<StoredMessage>| (m.sort_key(), Arc::clone(m));

    let (page, backward) = {
        let inner = sim.lock();
        match &request.cursor {
            // Forward (older) pages: newest first below the cursor, if any.
            None | Some(Cursor::After(_)) => {
                let upper = match &request.cursor {
                    Some(Cursor::After(key)) => min_upper(upper, Bound::Excluded(key.clone())),
                    _ => upper,
                };
                (
                    cut(
                        inner
                            .store
                            .range(lower, upper)
                            .rev()
                            .filter(keep)
                            .map(with_key),
                        request.page_size,
                    ),
                    false,
                )
            }
            Some(Cursor::Before(key)) => {
                let lower = max_lower(lower, Bound::Excluded(key.clone()));
                (
                    cut(
                        inner.store.range(lower, upper).filter(keep).map(with_key),
                        request.page_size,
                    ),
                    true,
                )
            }
        }
    };

    let uris = UriBuilder::new(uri.path(), &query, LIST_FILTERS, request.page_size);
    let mut items = page.items;
    let (first, last, has_newer, has_older) = if backward {
        items.reverse();
        (page.last, page.first, page.has_more, true)
    } else {
        (page.first, page.last, request.page > 0, page.has_more)
    };
    let next_page_uri = match (&last, has_older) {
        (Some(last), true) => {
            Some(uris.build(request.page + 1, Some(&Cursor::After(last.clone()))))
        }
        _ => None,
    };
    let previous_page_uri = match (&first, has_newer) {
        (Some(first), true) => Some(uris.build(
            request.page.saturating_sub(1),
            Some(&Cursor::Before(first.clone())),
        )),
        _ => None,
    };
    let account_sid = &sim.config.account_sid;
    // A message is a little under 1 KB of JSON.
    let expected_bytes = (items.len() + 1) * 1024;
    let envelope = Envelope {
        key: "messages",
        items: items
            .iter()
            .map(|m| json::message(account_sid, m, now))
            .collect(),
        page: request.page,
        page_size: request.page_size,
        uri: uris.build(request.page, request.cursor.as_ref()),
        first_page_uri: uris.build(0, None),
        next_page_uri,
        previous_page_uri,
    };
    let mut bytes = Vec::with_capacity(expected_bytes);
    envelope.write_json(&mut bytes);
    Ok(json_bytes(StatusCode::OK, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_any_format() {
        let day = 1_767_312_000_000; // 2026-01-02T00:00:00Z
        for raw in [
            "2026-01-02",
            "2026-01-02T13:45:00Z",
            "2026-01-02T23:59:59.999+00:00",
            "2026-01-02 10:00:00",
            "Fri, 02 Jan 2026 22:04:00 -0000",
            "01/02/2026 22:05:25 MST",
        ] {
            assert_eq!(parse_day("DateSent", raw), Ok(day), "{raw}");
        }
        assert_eq!(
            parse_day("DateSent", "2026-01-02T23:30:00-05:00"),
            Ok(day + DAY)
        );
        assert!(parse_day("DateSent", "yesterday").is_err());
        assert!(parse_day("DateSent", "é").is_err());
    }

    #[test]
    fn date_filters_intersect() {
        let q = Query::parse(Some("DateSent>=2026-01-02&DateSent<=2026-01-03"));
        let (lower, upper) = date_range(&q).unwrap();
        assert_eq!(lower, Some(1_767_312_000_000));
        assert_eq!(upper, Some(1_767_312_000_000 + 2 * DAY));
    }

    #[test]
    fn bounds_pick_the_tighter() {
        let key = |d: i64| (d, "SM".to_string());
        assert_eq!(
            min_upper(Bound::Excluded(key(5)), Bound::Excluded(key(3))),
            Bound::Excluded(key(3))
        );
        assert_eq!(
            max_lower(Bound::Included(key(5)), Bound::Excluded(key(5))),
            Bound::Excluded(key(5))
        );
        assert_eq!(
            max_lower(Bound::Unbounded, Bound::Included(key(1))),
            Bound::Included(key(1))
        );
    }
}
