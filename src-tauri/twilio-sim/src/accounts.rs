//! The Account and IncomingPhoneNumbers resources: what the app's "Save & Test" reads to check
//! credentials and that the clinic's number belongs to the account.
//!
//! API keys cannot fetch the Account (as with Twilio's standard keys), which is why the app checks
//! number ownership through IncomingPhoneNumbers instead. A closed account lists no numbers:
//! closing releases them.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use crate::auth::{authenticate, Principal};
use crate::error::TwilioError;
use crate::ids::stable_sid;
use crate::json::{self, Envelope};
use crate::paging::{cut, Cursor, PageRequest, Query, UriBuilder};
use crate::respond::{json as json_response, strip_json};
use crate::state::Sim;

pub async fn fetch(
    State(sim): State<Arc<Sim>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, TwilioError> {
    let sid = strip_json(&file, uri.path())?;
    if authenticate(&sim.config, &headers, sid)? != Principal::Account {
        return Err(TwilioError::authenticate());
    }
    Ok(json_response(
        StatusCode::OK,
        &json::account(&sim.config, sim.started_at),
    ))
}

pub async fn incoming_phone_numbers(
    State(sim): State<Arc<Sim>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    uri: Uri,
) -> Result<Response, TwilioError> {
    authenticate(&sim.config, &headers, &account)?;
    let query = Query::parse(raw.as_deref());
    let request = PageRequest::from_query(&query)?;
    // Twilio matches PhoneNumber as a pattern: any part of the number.
    let wanted = query.non_empty("PhoneNumber");
    let mut numbers: Vec<_> = sim
        .config
        .active_numbers()
        .iter()
        .filter(|n| wanted.is_none_or(|w| n.contains(w)))
        .map(|n| ((0, stable_sid("PN", n)), n.as_str()))
        .collect();
    numbers.sort();
    let after = match &request.cursor {
        Some(Cursor::After(key)) => Some(key.clone()),
        _ => None,
    };
    let page = cut(
        numbers
            .into_iter()
            .filter(|(key, _)| after.as_ref().is_none_or(|a| key > a)),
        request.page_size,
    );
    let uris = UriBuilder::new(uri.path(), &query, &["PhoneNumber"], request.page_size);
    let next_page_uri = match (&page.last, page.has_more) {
        (Some(last), true) => {
            Some(uris.build(request.page + 1, Some(&Cursor::After(last.clone()))))
        }
        _ => None,
    };
    let envelope = Envelope {
        key: "incoming_phone_numbers",
        items: page
            .items
            .iter()
            .map(|n| json::incoming_phone_number(&sim.config, n, sim.started_at))
            .collect(),
        page: request.page,
        page_size: request.page_size,
        uri: uris.build(request.page, request.cursor.as_ref()),
        first_page_uri: uris.build(0, None),
        next_page_uri,
        // A short, fixed list: going back is restarting from the first page.
        previous_page_uri: (request.page > 0).then(|| uris.build(0, None)),
    };
    Ok(json_response(StatusCode::OK, &envelope))
}
