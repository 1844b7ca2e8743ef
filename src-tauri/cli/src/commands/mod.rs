//! One module per top-level command.

pub mod doctor;
pub mod init;
pub mod patients;
