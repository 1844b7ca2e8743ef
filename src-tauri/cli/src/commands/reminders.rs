//! `reminders run`: one scheduling pass (queue every reminder that has come due, exactly once),
//! then send them. The desktop app runs the same pass on every engine cycle.

use std::path::Path;

use clap::Subcommand;
use serde::Serialize;

use clinic_desk_core::appointments::reminders::{run_pass, ReminderReport};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::{Error, Result, Store};

use super::messaging::{connect, runtime};
use crate::output::Output;

#[derive(Subcommand)]
pub enum RemindersCommand {
    /// Queue the reminders that are due and send them.
    Run {
        /// Store them in the outbox only; the next sync sends them.
        #[arg(long)]
        queue_only: bool,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunOutput {
    #[serde(flatten)]
    report: ReminderReport,
    /// Texts Twilio accepted during this run (reminders and anything else that was queued).
    sent: usize,
}

pub fn run(db: &Path, command: RemindersCommand, out: &Output) -> Result<()> {
    let RemindersCommand::Run { queue_only } = command;
    let store = Store::open(db)?;
    let live = connect(&store)?;
    let report = run_pass(&store, &live.sender, &SystemClock)?;
    let mut sent = 0;
    if !queue_only && !report.queued.is_empty() {
        match runtime()?.block_on(live.engine.drain_outbox()) {
            Ok(drained) => sent = drained.submitted + drained.adopted,
            Err(err) if matches!(err, Error::Twilio(ref t) if !t.is_transient()) => {
                return Err(err)
            }
            Err(err) => {
                eprintln!("note: {err}; the reminders stay queued and go out with the next sync")
            }
        }
    }
    let output = RunOutput { report, sent };
    out.emit(&output, || {
        let r = &output.report;
        let mut lines = vec![format!(
            "queued {} reminders ({} already queued, {} covered by the booking's confirmation, \
             {} superseded by a nearer rule); sent {}",
            r.queued.len(),
            r.already_queued,
            r.covered_by_confirmation,
            r.superseded,
            output.sent
        )];
        for failure in &r.failed {
            lines.push(format!(
                "  appointment {} ({} h before): {}",
                failure.appointment_id, failure.hours_before, failure.reason
            ));
        }
        lines.join("\n")
    });
    Ok(())
}
