//! `appointments`: import, list, book, edit, cancel, mark arrived or no-show. Booking and
//! rescheduling text the confirmation and send it at once; a texting problem is reported with
//! the booking ("SMS failed: …") and never undoes it.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use clinic_desk_core::appointments::csv_import::{import_file, ImportReport, RowStatus};
use clinic_desk_core::appointments::{
    self, Appointment, AppointmentChanges, NewAppointment, SmsOutcome,
};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::outbox::Sender;
use clinic_desk_core::sync::Engine;
use clinic_desk_core::{Error, Result, Store};

use super::messaging::{connect, runtime};
use crate::output::Output;

#[derive(Subcommand)]
pub enum AppointmentsCommand {
    /// Import appointments from a CSV file (columns found by header). Sends no confirmations.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// One day's appointments with confirmation and SMS state (default: today).
    List {
        /// The day, e.g. 2026-03-10 or 3/10/2026, in the clinic's time zone.
        #[arg(long)]
        date: Option<String>,
    },
    /// Book an appointment and text the confirmation.
    Book {
        /// The patient's number (a patient on file with it is used as they are).
        #[arg(long)]
        phone: String,
        /// The patient's name, needed when the number is not on file yet.
        #[arg(long, default_value = "")]
        name: String,
        /// Local date and time in the clinic's zone, e.g. "2026-03-10 14:30".
        #[arg(long)]
        at: String,
        #[arg(long, default_value = "")]
        provider: String,
        #[arg(long, default_value = "")]
        location: String,
        /// Language for a new patient's texts, e.g. es (default en).
        #[arg(long)]
        language: Option<String>,
        /// Length in minutes (default 30).
        #[arg(long)]
        duration: Option<u32>,
        /// Store the confirmation in the outbox only; the next sync sends it.
        #[arg(long)]
        queue_only: bool,
    },
    /// Change an appointment's time, provider, location or length. A new time texts a new
    /// confirmation and re-arms the reminders.
    Edit {
        id: i64,
        /// New local date and time, e.g. "2026-03-11 09:00".
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        duration: Option<u32>,
        #[arg(long)]
        queue_only: bool,
    },
    /// Cancel an appointment (its unsent confirmation and reminders are cancelled too).
    Cancel { id: i64 },
    /// Mark the patient arrived.
    Arrived { id: i64 },
    /// Mark the patient a no-show.
    NoShow { id: i64 },
}

/// The sender and engine when Twilio is set up; otherwise why texts cannot go out.
struct Texting {
    sender: Option<Sender>,
    engine: Option<Engine>,
    problem: Option<Error>,
}

impl Texting {
    fn connect(store: &Store) -> Texting {
        match connect(store) {
            Ok(live) => Texting {
                sender: Some(live.sender),
                engine: Some(live.engine),
                problem: None,
            },
            Err(err) => Texting {
                sender: None,
                engine: None,
                problem: Some(err),
            },
        }
    }

    /// The booking's text outcome, with the real reason when Twilio is not usable.
    fn explain(&self, outcome: SmsOutcome) -> SmsOutcome {
        match (&self.problem, outcome.ok) {
            (Some(problem), false) => SmsOutcome::failed(problem.to_string()),
            _ => outcome,
        }
    }

    /// Sends what is queued now. A network problem leaves texts queued for the next sync.
    fn send_now(&self) -> Result<()> {
        let Some(engine) = &self.engine else {
            return Ok(());
        };
        if let Err(err) = runtime()?.block_on(engine.drain_outbox()) {
            if matches!(err, Error::Twilio(ref t) if !t.is_transient()) {
                return Err(err);
            }
            eprintln!("note: {err}; the text stays queued and goes out with the next sync");
        }
        Ok(())
    }
}

fn describe(a: &Appointment) -> String {
    let place = match (a.provider.as_str(), a.location.as_str()) {
        ("", "") => String::new(),
        (provider, "") => provider.to_string(),
        ("", location) => format!("@ {location}"),
        (provider, location) => format!("{provider} @ {location}"),
    };
    let sms = a
        .sms
        .as_ref()
        .map(|s| format!("  SMS: {}", s.summary))
        .unwrap_or_default();
    format!(
        "{:>5}  {} {}  {:<24} {:<16} {:<28} {:?}/{:?}{sms}",
        a.id,
        a.local_date,
        a.local_time,
        a.patient_name,
        a.phone.as_deref().unwrap_or("-"),
        place,
        a.status,
        a.confirmation,
    )
}

fn describe_import(report: &ImportReport) -> String {
    let mut lines = vec![format!(
        "imported {} appointments ({} new patients); skipped {} rows",
        report.imported, report.patients_created, report.skipped
    )];
    for row in &report.rows {
        if row.status == RowStatus::Skipped {
            lines.push(format!(
                "  row {}: {}",
                row.row,
                row.reason.as_deref().unwrap_or("skipped")
            ));
        }
    }
    if !report.ignored_columns.is_empty() {
        lines.push(format!(
            "columns not used: {}",
            report.ignored_columns.join(", ")
        ));
    }
    lines.extend(report.notes.iter().cloned());
    lines.join("\n")
}

pub fn run(db: &Path, command: AppointmentsCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let clock = SystemClock;
    match command {
        AppointmentsCommand::Import { file } => {
            let report = import_file(&store, &clock, &file, actor)?;
            out.emit(&report, || describe_import(&report));
        }
        AppointmentsCommand::List { date } => {
            let day = match date {
                Some(date) => appointments::parse_day(&store, &date)?,
                None => appointments::today(&store, &clock)?,
            };
            let list = appointments::list_day(&store, day)?;
            out.emit(&list, || {
                if list.is_empty() {
                    format!("no appointments on {day}")
                } else {
                    list.iter().map(describe).collect::<Vec<_>>().join("\n")
                }
            });
        }
        AppointmentsCommand::Book {
            phone,
            name,
            at,
            provider,
            location,
            language,
            duration,
            queue_only,
        } => {
            let texting = Texting::connect(&store);
            let mut booking = appointments::book(
                &store,
                texting.sender.as_ref(),
                &clock,
                &NewAppointment {
                    phone,
                    name,
                    language,
                    start: at,
                    duration_minutes: duration,
                    provider,
                    location,
                },
                actor,
            )?;
            booking.sms = texting.explain(booking.sms);
            if booking.sms.ok && !queue_only {
                texting.send_now()?;
                booking.appointment = appointments::get(&store, booking.appointment.id)?;
                booking.sms = booking.sms.after_sending(&booking.appointment);
            }
            out.emit(&booking, || {
                format!(
                    "booked {}\n{}",
                    describe(&booking.appointment),
                    booking.sms.summary
                )
            });
        }
        AppointmentsCommand::Edit {
            id,
            at,
            provider,
            location,
            duration,
            queue_only,
        } => {
            let texting = Texting::connect(&store);
            let mut edited = appointments::edit(
                &store,
                texting.sender.as_ref(),
                &clock,
                id,
                &AppointmentChanges {
                    start: at,
                    duration_minutes: duration,
                    provider,
                    location,
                },
                actor,
            )?;
            edited.sms = edited.sms.map(|sms| texting.explain(sms));
            if edited.sms.as_ref().is_some_and(|s| s.ok) && !queue_only {
                texting.send_now()?;
                edited.appointment = appointments::get(&store, id)?;
                edited.sms = edited.sms.map(|sms| sms.after_sending(&edited.appointment));
            }
            out.emit(&edited, || {
                let sms = edited
                    .sms
                    .as_ref()
                    .map(|s| format!("\n{}", s.summary))
                    .unwrap_or_default();
                format!("updated {}{sms}", describe(&edited.appointment))
            });
        }
        AppointmentsCommand::Cancel { id } => {
            let changed = appointments::cancel(&store, &clock, id, actor)?;
            out.emit(&changed, || {
                format!(
                    "cancelled {} ({} unsent texts cancelled)",
                    describe(&changed.appointment),
                    changed.cancelled_texts
                )
            });
        }
        AppointmentsCommand::Arrived { id } => {
            let changed = appointments::mark_arrived(&store, &clock, id, actor)?;
            out.emit(&changed, || describe(&changed.appointment));
        }
        AppointmentsCommand::NoShow { id } => {
            let changed = appointments::mark_no_show(&store, &clock, id, actor)?;
            out.emit(&changed, || describe(&changed.appointment));
        }
    }
    Ok(())
}
