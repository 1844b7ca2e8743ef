//! Twilio's token paging: query parsing, PageToken cursors and the relative URIs of the envelope.
//!
//! A PageToken names the last item a page returned (`PA…`, continue after it) or the first
//! (`PB…`, go back before it), by its sort date and SID, like Twilio's `PASM…` tokens. Because a
//! cursor is a position in the order rather than an offset, messages created while a client pages
//! never shift the pages it has yet to read: no duplicates, no gaps.

use crate::error::TwilioError;
use crate::state::SortKey;

pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 1_000;

/// The decoded query string, with keys and values exactly as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Self::from_bytes(raw.unwrap_or_default().as_bytes())
    }

    /// Also used for form bodies; invalid UTF-8 or percent escapes decode lossily, never fail.
    pub fn from_bytes(raw: &[u8]) -> Self {
        let pairs = form_urlencoded::parse(raw)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Query { pairs }
    }

    /// A value that is present and not blank.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Items that come after this one in list order.
    After(SortKey),
    /// Items that come before this one in list order.
    Before(SortKey),
}

impl Cursor {
    pub fn encode(&self) -> String {
        let (prefix, (date, sid)) = match self {
            Cursor::After(key) => ("PA", key),
            Cursor::Before(key) => ("PB", key),
        };
        format!("{prefix}{sid}_{date}")
    }

    pub fn decode(token: &str) -> Result<Self, TwilioError> {
        let invalid = || TwilioError::invalid_paging(format!("Invalid PageToken: {token}"));
        let (direction, rest) = (token.get(..2).ok_or_else(invalid)?, &token[2..]);
        let (sid, date) = rest.rsplit_once('_').ok_or_else(invalid)?;
        let date = date.parse::<i64>().map_err(|_| invalid())?;
        if sid.is_empty() {
            return Err(invalid());
        }
        let key = (date, sid.to_string());
        match direction {
            "PA" => Ok(Cursor::After(key)),
            "PB" => Ok(Cursor::Before(key)),
            _ => Err(invalid()),
        }
    }
}

/// Which page the client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub page_size: usize,
    pub page: u64,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub fn from_query(query: &Query) -> Result<Self, TwilioError> {
        let page_size = match query.get("PageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    TwilioError::invalid_paging(format!(
                        "Invalid PageSize {raw:?}: must be an integer from 1 to {MAX_PAGE_SIZE}"
                    ))
                })?,
        };
        let page = match query.get("Page") {
            None => 0,
            Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
                TwilioError::invalid_paging(format!("Invalid Page {raw:?}: must be an integer"))
            })?,
        };
        let cursor = query
            .get("PageToken")
            .filter(|t| !t.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        if page > 0 && cursor.is_none() {
            return Err(TwilioError::invalid_paging(
                "Page was specified without a PageToken: follow next_page_uri to page",
            ));
        }
        Ok(PageRequest {
            page_size,
            page,
            cursor,
        })
    }
}

/// Builds the envelope's relative URIs for one list resource and its filters.
#[derive(Debug, Clone)]
pub struct UriBuilder {
    path: String,
    filters: Vec<(String, String)>,
    page_size: usize,
}

impl UriBuilder {
    /// `filters` keeps only the named keys the client sent, in the order given here.
    pub fn new(path: &str, query: &Query, filter_keys: &[&str], page_size: usize) -> Self {
        let filters = filter_keys
            .iter()
            .filter_map(|k| query.get(k).map(|v| (k.to_string(), v.to_string())))
            .collect();
        UriBuilder {
            path: path.to_string(),
            filters,
            page_size,
        }
    }

    pub fn build(&self, page: u64, cursor: Option<&Cursor>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.filters {
            query.append_pair(k, v);
        }
        query.append_pair("PageSize", &self.page_size.to_string());
        query.append_pair("Page", &page.to_string());
        if let Some(cursor) = cursor {
            query.append_pair("PageToken", &cursor.encode());
        }
        format!("{}?{}", self.path, query.finish())
    }
}

/// One page cut from candidates that are already in list order and past the request's cursor.
#[derive(Debug)]
pub struct Cut<T> {
    pub items: Vec<T>,
    pub first: Option<SortKey>,
    pub last: Option<SortKey>,
    pub has_more: bool,
}

/// Takes up to `page_size` items; `has_more` tells whether another item follows.
pub fn cut<T>(candidates: impl Iterator<Item = (SortKey, T)>, page_size: usize) -> Cut<T> {
    let mut items = Vec::with_capacity(page_size.min(MAX_PAGE_SIZE));
    let mut first = None;
    let mut last = None;
    let mut has_more = false;
    for (key, item) in candidates {
        if items.len() == page_size {
            has_more = true;
            break;
        }
        if first.is_none() {
            first = Some(key.clone());
        }
        last = Some(key);
        items.push(item);
    }
    Cut {
        items,
        first,
        last,
        has_more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inequality_is_part_of_the_key() {
        let query = Query::parse(Some(
            "DateSent>=2026-01-02&To=%2B15551230000&DateSent%3C=2026-02-01",
        ));
        assert_eq!(query.get("DateSent>"), Some("2026-01-02"));
        assert_eq!(query.get("DateSent<"), Some("2026-02-01"));
        assert_eq!(query.get("To"), Some("+15551230000"));
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let cursor = Cursor::After((1_700_000_000_000, "SMabc".into()));
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        let back = Cursor::Before((-5, "SMx_y".into()));
        assert_eq!(Cursor::decode(&back.encode()), Ok(back));
        for bad in ["", "P", "PX_1", "PAabc", "PA_12", "PAsid_x", "é", "Pé_1"] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn page_rules() {
        let req = |q: &str| PageRequest::from_query(&Query::parse(Some(q)));
        assert_eq!(req("").unwrap().page_size, 50);
        assert_eq!(req("PageSize=1000").unwrap().page_size, 1000);
        assert_eq!(req("PageSize=0").unwrap_err().code, 20001);
        assert_eq!(req("PageSize=1001").unwrap_err().code, 20001);
        assert_eq!(req("PageSize=abc").unwrap_err().code, 20001);
        assert_eq!(req("Page=1").unwrap_err().code, 20001);
        assert_eq!(req("Page=2&PageToken=PASM1_5").unwrap().page, 2);
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        let query = Query::parse(Some("To=%2B1555&DateSent%3E=2026-01-02&Ignored=x"));
        let uris = UriBuilder::new(
            "/2010-04-01/Accounts/AC1/Messages.json",
            &query,
            &["To", "DateSent>"],
            2,
        );
        assert_eq!(
            uris.build(0, None),
            "/2010-04-01/Accounts/AC1/Messages.json?To=%2B1555&DateSent%3E=2026-01-02&PageSize=2&Page=0"
        );
        let next = uris.build(1, Some(&Cursor::After((7, "SMa".into()))));
        assert!(next.ends_with("&Page=1&PageToken=PASMa_7"), "{next}");
    }

    #[test]
    fn cut_reports_more() {
        let items = (0..5).map(|i| ((i, format!("SM{i}")), i));
        let page = cut(items, 3);
        assert_eq!(page.items, [0, 1, 2]);
        assert!(page.has_more);
        assert_eq!(page.last, Some((2, "SM2".into())));
        let rest = cut((0..2).map(|i| ((i, String::new()), i)), 3);
        assert!(!rest.has_more);
    }
}
