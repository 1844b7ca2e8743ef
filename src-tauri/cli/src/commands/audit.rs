//! `audit verify | export`: check the hash-chained audit log and export it as CSV.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;

use clinic_desk_core::compliance::audit;
use clinic_desk_core::{Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no row was edited, deleted or moved; exits with 1 and names the row if one was.
    Verify,
    /// Write the log (or part of it) to a CSV file; the export is itself logged.
    Export {
        /// The CSV file to write (replaced if it exists).
        file: PathBuf,
        /// First day included (YYYY-MM-DD, in the clinic's time zone).
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last day included (YYYY-MM-DD, in the clinic's time zone).
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Only entries about this patient number.
        #[arg(long)]
        phone: Option<String>,
    },
}

fn parse_date(value: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{value}\" is not a date; use YYYY-MM-DD, e.g. 2026-03-01"))
}

/// Failure means the chain is broken: the caller exits with it after the report is printed.
pub fn run(db: &Path, command: AuditCommand, actor: &str, out: &Output) -> Result<ExitCode> {
    let store = Store::open(db)?;
    match command {
        AuditCommand::Verify => {
            let report = audit::verify(&store)?;
            if report.ok {
                out.emit(&report, || match &report.last_hash {
                    Some(hash) => format!("{}; last hash {hash}", report.message),
                    None => report.message.clone(),
                });
                return Ok(ExitCode::SUCCESS);
            }
            if out.is_json() {
                out.emit(&report, String::new);
            } else {
                out.error_message(&report.message);
            }
            Ok(ExitCode::FAILURE)
        }
        AuditCommand::Export {
            file,
            from,
            to,
            phone,
        } => {
            let rows = audit::export(&store, &file, from, to, phone.as_deref(), actor)?;
            out.emit(
                &json!({
                    "file": file,
                    "rows": rows,
                    "from": from.map(|d| d.to_string()),
                    "to": to.map(|d| d.to_string()),
                    "phone": phone,
                }),
                || format!("wrote {rows} audit entries to {}", file.display()),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
