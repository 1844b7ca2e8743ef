//! `consent add | list`: the record of when patients agreed to texts or withdrew, and how.

use std::path::Path;

use clap::{Subcommand, ValueEnum};
use serde_json::{json, Value};

use clinic_desk_core::compliance::consent::{self, ConsentEvent, ConsentKind, ConsentMethod};
use clinic_desk_core::{Result, Store};

use crate::output::{timestamp, Output};

#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Record that a patient agreed to texts, or withdrew (logged with your name).
    Add {
        /// The patient's number, any common format.
        #[arg(long)]
        phone: String,
        #[arg(long, value_enum)]
        kind: Kind,
        /// How the patient said so.
        #[arg(long, value_enum)]
        method: Method,
        /// Where the evidence is, e.g. "intake form 2026-03-01" (no clinical details).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Consent records, newest first.
    List {
        /// Only this number's records.
        #[arg(long)]
        phone: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Granted,
    Revoked,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Method {
    Form,
    Verbal,
    Text,
}

fn to_json(event: &ConsentEvent) -> Value {
    json!({
        "id": event.id,
        "phone": event.phone,
        "kind": event.kind.as_sql(),
        "method": event.method.as_sql(),
        "actor": event.actor,
        "note": event.note,
        "at": timestamp(event.at),
    })
}

fn describe(event: &ConsentEvent) -> String {
    format!(
        "{:>5}  {}  {:<16} {:<7} by {:<7} {}{}",
        event.id,
        timestamp(event.at),
        event.phone,
        event.kind.as_sql(),
        event.method.as_sql(),
        event.actor,
        if event.note.is_empty() {
            String::new()
        } else {
            format!("  ({})", event.note.replace('\n', " "))
        }
    )
}

pub fn run(db: &Path, command: ConsentCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    match command {
        ConsentCommand::Add {
            phone,
            kind,
            method,
            note,
        } => {
            let kind = match kind {
                Kind::Granted => ConsentKind::Granted,
                Kind::Revoked => ConsentKind::Revoked,
            };
            let method = match method {
                Method::Form => ConsentMethod::Form,
                Method::Verbal => ConsentMethod::Verbal,
                Method::Text => ConsentMethod::Text,
            };
            let event = consent::record(&store, &phone, kind, method, actor, &note)?;
            out.emit(&to_json(&event), || {
                format!("recorded {}", describe(&event))
            });
        }
        ConsentCommand::List { phone } => {
            let events = consent::list(&store, phone.as_deref())?;
            let value: Vec<Value> = events.iter().map(to_json).collect();
            out.emit(&value, || {
                if events.is_empty() {
                    "no consent records".to_string()
                } else {
                    events.iter().map(describe).collect::<Vec<_>>().join("\n")
                }
            });
        }
    }
    Ok(())
}
