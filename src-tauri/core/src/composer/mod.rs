//! Rules for what may be sent, shared by the UI and the CLI: phone numbers, segment counting and
//! encoding.

pub mod phone;
pub mod segments;
