//! One module per top-level command.

pub mod credentials;
pub mod doctor;
pub mod flags;
pub mod init;
pub mod messaging;
pub mod patients;
