//! One module per top-level command.

pub mod admin;
pub mod appointments;
pub mod audit;
pub mod consent;
pub mod credentials;
pub mod doctor;
pub mod flags;
pub mod init;
pub mod messaging;
pub mod optouts;
pub mod patients;
pub mod reminders;
pub mod settings;
pub mod setup;
pub mod templates;
