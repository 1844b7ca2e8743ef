//! What keeps the clinic within the law: opt-outs and keyword replies, the sending window,
//! consent records and the hash-chained audit log.

pub mod audit;
pub mod consent;
pub mod flags;
pub mod keywords;
pub mod quiet_hours;
pub mod replies;
