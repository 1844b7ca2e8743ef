//! Talking to Twilio: the REST client, its typed errors, message JSON and statuses, and the
//! redacting secret type that carries the auth token.

pub mod client;
pub mod error;
pub mod secret;
pub mod status;
pub mod types;

pub use client::{Auth, ClientConfig, CreateMessage, ListFilter, TwilioClient};
pub use error::TwilioError;
pub use secret::Secret;
pub use status::MessageStatus;
