//! `settings list | get KEY | set KEY VALUE`: the clinic's documented settings. A value is
//! checked and normalised before it is stored, and every change is logged with your name.

use std::path::Path;

use clap::Subcommand;
use serde_json::json;

use clinic_desk_core::settings::{self, SettingEntry};
use clinic_desk_core::{Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Every setting with its value, default and meaning.
    List,
    /// One setting's value in effect.
    Get { key: String },
    /// Change a setting; an empty VALUE ("") returns it to its default.
    Set {
        key: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

fn describe(entry: &SettingEntry) -> String {
    format!(
        "{:<32} {}{}\n{:<32} {}",
        entry.key,
        if entry.value.is_empty() {
            "(none)"
        } else {
            &entry.value
        },
        if entry.is_default { "  (default)" } else { "" },
        "",
        entry.description
    )
}

pub fn run(db: &Path, command: SettingsCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    match command {
        SettingsCommand::List => {
            let entries = settings::list(&store)?;
            out.emit(&entries, || {
                entries.iter().map(describe).collect::<Vec<_>>().join("\n")
            });
        }
        SettingsCommand::Get { key } => {
            let value = settings::get(&store, &key)?;
            out.emit(&json!({ "key": key.trim(), "value": value }), || {
                value.clone()
            });
        }
        SettingsCommand::Set { key, value } => {
            let value = settings::set(&store, &key, &value, actor)?;
            out.emit(&json!({ "key": key.trim(), "value": value }), || {
                format!("{} = {value}", key.trim())
            });
        }
    }
    Ok(())
}
