//! `admin set-passphrase | check`: the admin passphrase from the command line. Passphrases are
//! read from standard input, one per line, never from arguments (where other users and the shell
//! history could read them). A wrong passphrase or a lockout is an error: exit 1 with one line.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Subcommand;
use serde_json::json;

use clinic_desk_core::{access, Error, Result, Store};

use crate::output::{timestamp, Output};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Set the admin passphrase, or change it. Standard input gives the new passphrase on the
    /// first line and, when one is already set, the current passphrase on the second.
    SetPassphrase,
    /// Check the admin passphrase given on standard input; exit 1 when it is wrong or admin
    /// access is locked after too many wrong ones.
    Check,
}

pub fn run(db: &Path, command: AdminCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    match command {
        AdminCommand::SetPassphrase => {
            let was_set = access::is_set(&store)?;
            let new = read_line(&mut input, "new admin passphrase")?;
            let current = if was_set {
                Some(read_line(&mut input, "current admin passphrase")?)
            } else {
                None
            };
            access::set_passphrase(&store, &new, current.as_deref(), actor)?;
            let change = if was_set { "changed" } else { "set" };
            out.emit(&json!({ "passphraseSet": true, "change": change }), || {
                format!("admin passphrase {change}")
            });
        }
        AdminCommand::Check => {
            let passphrase = read_line(&mut input, "admin passphrase")?;
            let session = access::verify(&store, &passphrase, actor)?;
            out.emit(&session, || {
                format!(
                    "admin passphrase accepted ({} at {})",
                    session.actor,
                    timestamp(session.unlocked_at)
                )
            });
        }
    }
    Ok(())
}

/// One line of standard input without its line ending. At a terminal it asks first (what is
/// typed shows on screen: pipe the passphrase in to avoid that).
fn read_line(input: &mut impl BufRead, what: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        eprint!("{what}: ");
    }
    let mut line = String::new();
    let read = input.read_line(&mut line).map_err(|e| {
        Error::invalid(
            "passphrase",
            format!("cannot read the {what} from standard input: {e}"),
        )
    })?;
    if read == 0 {
        return Err(Error::invalid(
            "passphrase",
            format!(
                "no {what} on standard input; pipe it in, one passphrase per line (never on the \
                 command line)"
            ),
        ));
    }
    let trimmed = line.trim_end_matches(['\n', '\r']).to_string();
    line.clear();
    Ok(trimmed)
}
