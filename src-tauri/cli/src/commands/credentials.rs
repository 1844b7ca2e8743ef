use std::io::Read;
use std::path::Path;

use clap::Subcommand;

use clinic_desk_core::credentials::{self, TwilioCredentials};
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::{workstation, Error, Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum CredentialsCommand {
    /// Save the clinic's Twilio account. The secret is read from standard input, never from
    /// the command line (where other users and shell history could see it).
    Set {
        #[arg(long)]
        account_sid: String,
        /// The clinic's Twilio number, E.164.
        #[arg(long)]
        from: Option<String>,
        /// A Messaging Service SID (MG…) to send through.
        #[arg(long)]
        messaging_service: Option<String>,
        /// Twilio's API base URL (the simulator's URL in tests and demo).
        #[arg(long, default_value = clinic_desk_core::twilio::client::TWILIO_API_BASE)]
        api_base: String,
        /// Read the Account's auth token from standard input.
        #[arg(long, conflicts_with = "api_key")]
        auth_token_stdin: bool,
        /// Use an API key (SK…); its secret is read from standard input.
        #[arg(long)]
        api_key: Option<String>,
    },
    /// Show the saved account (the secret masked).
    Show,
}

fn read_secret() -> Result<Secret> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| {
        Error::invalid(
            "secret",
            format!("cannot read the secret from standard input: {e}"),
        )
    })?;
    let secret = Secret::new(input.trim().to_string());
    input.clear();
    Ok(secret)
}

pub fn run(db: &Path, command: CredentialsCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let keys = workstation::key_store_for(&store)?;
    match command {
        CredentialsCommand::Set {
            account_sid,
            from,
            messaging_service,
            api_base,
            auth_token_stdin,
            api_key,
        } => {
            let auth = match (api_key, auth_token_stdin) {
                (Some(key_sid), _) => Auth::ApiKey {
                    key_sid,
                    secret: read_secret()?,
                },
                (None, true) => Auth::Token(read_secret()?),
                (None, false) => {
                    return Err(Error::invalid(
                        "auth",
                        "pass --auth-token-stdin (and pipe the token in) or --api-key SK… (and pipe its secret in)",
                    ))
                }
            };
            credentials::save_as(
                &store,
                &keys,
                &TwilioCredentials {
                    account_sid,
                    auth,
                    from_number: from,
                    messaging_service_sid: messaging_service,
                    api_base,
                },
                actor,
            )?;
            if let Some(warning) = keys.warning() {
                eprintln!("warning: {warning}");
            }
            show(&store, &keys, out)
        }
        CredentialsCommand::Show => show(&store, &keys, out),
    }
}

fn show(store: &Store, keys: &clinic_desk_core::credentials::KeyStore, out: &Output) -> Result<()> {
    match credentials::summary(store, keys)? {
        Some(summary) => out.emit(&summary, || {
            format!(
                "account {} sending as {} ({} {}) via {}",
                summary.account_sid,
                summary.sender,
                match summary.auth_kind {
                    credentials::AuthKind::AuthToken => "auth token",
                    credentials::AuthKind::ApiKey => "API key secret",
                },
                summary.masked_secret,
                summary.api_base
            )
        }),
        None => out.emit(&serde_json::Value::Null, || {
            "no Twilio account saved".to_string()
        }),
    }
    Ok(())
}
