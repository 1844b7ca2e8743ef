//! `clinic-desk-cli`: the headless face of Clinic Desk. Same core, same SQLite file as the
//! desktop app, no webview: for scripts, support and servers without a display.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Output;

#[derive(Parser)]
#[command(name = "clinic-desk-cli", version, about = "Clinic Desk from the command line")]
struct Cli {
    /// The SQLite database (default: the desktop app's own, in the per-user data folder).
    #[arg(long, global = true, env = "CLINIC_DESK_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database (or bring an existing one up to date) and print where it is.
    Init,
    /// Check the installation: database, schema version, OS keyring, Twilio account.
    Doctor,
    /// Add and list patients.
    #[command(subcommand)]
    Patients(commands::patients::PatientsCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::new(cli.json);
    let db = match cli.db.or_else(clinic_desk_core::paths::default_live_db) {
        Some(db) => db,
        None => {
            out.error_message(
                "cannot find a per-user data folder for the database; pass --db PATH",
            );
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Init => commands::init::run(&db, &out),
        Command::Doctor => commands::doctor::run(&db, &out),
        Command::Patients(command) => commands::patients::run(&db, command, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::FAILURE
        }
    }
}
