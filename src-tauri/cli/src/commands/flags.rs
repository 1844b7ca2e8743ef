//! Texts waiting for staff: plain-words opt-outs to confirm, reschedule and cancellation
//! requests, answers that could mean more than one appointment.

use std::path::Path;

use clap::{Subcommand, ValueEnum};

use clinic_desk_core::store::flags::{FlagResolution, StaffFlag};
use clinic_desk_core::{Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum FlagsCommand {
    /// Open flags, newest first.
    List {
        /// Only this number's flags.
        #[arg(long)]
        phone: Option<String>,
        /// Include resolved flags.
        #[arg(long)]
        all: bool,
    },
    /// Close a flag; `opted-out` records the patient's opt-out (logged with your name).
    Resolve {
        id: i64,
        #[arg(long = "as", value_enum)]
        resolution: Resolution,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Resolution {
    OptedOut,
    Dismissed,
    Done,
}

fn describe(flag: &StaffFlag) -> String {
    format!(
        "{:>5}  {}  {:<22} {}{}",
        flag.id,
        flag.phone,
        format!("{:?}", flag.reason),
        flag.body.replace('\n', " "),
        match &flag.resolved_by {
            Some(by) => format!("  (resolved by {by})"),
            None => String::new(),
        }
    )
}

pub fn run(db: &Path, command: FlagsCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    match command {
        FlagsCommand::List { phone, all } => {
            let flags = store.staff_flags(phone.as_deref(), all)?;
            out.emit(&flags, || {
                if flags.is_empty() {
                    "nothing waits for staff".to_string()
                } else {
                    flags.iter().map(describe).collect::<Vec<_>>().join("\n")
                }
            });
        }
        FlagsCommand::Resolve { id, resolution } => {
            let resolution = match resolution {
                Resolution::OptedOut => FlagResolution::OptedOut,
                Resolution::Dismissed => FlagResolution::Dismissed,
                Resolution::Done => FlagResolution::Done,
            };
            let phone =
                clinic_desk_core::compliance::flags::resolve(&store, id, resolution, actor)?;
            out.emit(
                &serde_json::json!({"id": id, "phone": phone, "resolution": resolution}),
                || format!("flag {id} for {phone} resolved"),
            );
        }
    }
    Ok(())
}
