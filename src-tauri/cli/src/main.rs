//! `clinic-desk-cli`: the headless face of Clinic Desk. Same core, same SQLite file as the
//! desktop app, no webview: for scripts, support and servers without a display.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Output;

/// A first sync allocates for every text it reads and stores; with glibc's allocator that was
/// about an eighth of the CLI's CPU time in a 50,000-text catch-up.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "clinic-desk-cli",
    version,
    about = "Clinic Desk from the command line"
)]
struct Cli {
    /// The SQLite database (default: the desktop app's own, in the per-user data folder).
    #[arg(long, global = true, env = "CLINIC_DESK_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// Who is acting, as recorded in the audit log (default: cli:<your user name>).
    #[arg(long, global = true, env = "CLINIC_DESK_ACTOR", value_name = "NAME")]
    actor: Option<String>,

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
    /// Save, test or show the clinic's Twilio account.
    #[command(subcommand)]
    Credentials(commands::credentials::CredentialsCommand),
    /// Set or check the admin passphrase (read from standard input, never the command line).
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// Queue a text and send it now (or only queue it).
    Send {
        #[arg(long)]
        to: String,
        #[arg(long)]
        body: String,
        /// Store it in the outbox only; the next sync sends it.
        #[arg(long)]
        queue_only: bool,
    },
    /// Send queued texts and fetch replies and statuses from Twilio.
    Sync {
        /// One full cycle, then exit (otherwise run until interrupted, printing events).
        #[arg(long)]
        once: bool,
        /// Also re-read the last days of history (catches late-visible messages).
        #[arg(long)]
        reconcile: bool,
    },
    /// Conversations, newest first.
    Threads,
    /// One conversation, oldest first.
    Thread {
        /// The patient's number.
        phone: String,
    },
    /// Texts waiting for staff (plain-words opt-outs, reschedule/cancel requests), and closing them.
    #[command(subcommand)]
    Flags(commands::flags::FlagsCommand),
    /// Numbers that opted out (or back in), with the keyword, message SID and time.
    Optouts,
    /// Record or list patients' consent to texts.
    #[command(subcommand)]
    Consent(commands::consent::ConsentCommand),
    /// Verify or export the hash-chained audit log.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// List, read or change the clinic's settings.
    #[command(subcommand)]
    Settings(commands::settings::SettingsCommand),
    /// Import, list, book, edit and cancel appointments.
    #[command(subcommand)]
    Appointments(commands::appointments::AppointmentsCommand),
    /// Queue and send the reminders that are due (one scheduling pass).
    #[command(subcommand)]
    Reminders(commands::reminders::RemindersCommand),
    /// List, edit and preview text templates.
    #[command(subcommand)]
    Templates(commands::templates::TemplatesCommand),
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
    let actor = cli.actor.clone().unwrap_or_else(|| {
        std::env::var("USER")
            .ok()
            .filter(|user| !user.trim().is_empty())
            .map(|user| format!("cli:{user}"))
            .unwrap_or_else(|| "cli".to_string())
    });
    let result = match cli.command {
        Command::Init => commands::init::run(&db, &out),
        Command::Doctor => commands::doctor::run(&db, &out),
        Command::Patients(command) => commands::patients::run(&db, command, &out),
        Command::Credentials(command) => {
            match commands::credentials::run(&db, command, &actor, &out) {
                Ok(code) => return code,
                Err(err) => Err(err),
            }
        }
        Command::Admin(command) => commands::admin::run(&db, command, &actor, &out),
        Command::Send {
            to,
            body,
            queue_only,
        } => commands::messaging::send(&db, &to, &body, queue_only, &out),
        Command::Sync { once, reconcile } => commands::messaging::sync(&db, once, reconcile, &out),
        Command::Threads => commands::messaging::threads(&db, &out),
        Command::Thread { phone } => commands::messaging::thread(&db, &phone, &out),
        Command::Flags(command) => commands::flags::run(&db, command, &actor, &out),
        Command::Optouts => commands::optouts::run(&db, &out),
        Command::Consent(command) => commands::consent::run(&db, command, &actor, &out),
        Command::Audit(command) => match commands::audit::run(&db, command, &actor, &out) {
            Ok(code) => return code,
            Err(err) => Err(err),
        },
        Command::Settings(command) => commands::settings::run(&db, command, &actor, &out),
        Command::Appointments(command) => commands::appointments::run(&db, command, &actor, &out),
        Command::Reminders(command) => commands::reminders::run(&db, command, &out),
        Command::Templates(command) => commands::templates::run(&db, command, &actor, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::FAILURE
        }
    }
}
