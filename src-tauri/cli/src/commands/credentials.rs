use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use clinic_desk_core::credentials::{self, TwilioCredentials};
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::{workstation, Error, Result, Store};

use crate::commands::setup;
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
        /// Save & Test: check the account, the number (or Messaging Service) and optionally send
        /// a test text first; nothing is saved unless every check passes (exit 1 otherwise).
        #[arg(long)]
        test: bool,
        /// With --test: also send a test text to this number.
        #[arg(long, requires = "test", value_name = "PHONE")]
        test_to: Option<String>,
        /// With --test: save anyway when the only failure is that Twilio cannot be reached.
        #[arg(long, requires = "test")]
        offline_save: bool,
    },
    /// Show the saved account (the secret masked).
    Show,
    /// Save & Test's checks against the saved account (nothing is changed); exit 1 if one fails.
    Test {
        /// Also send a test text to this number.
        #[arg(long, value_name = "PHONE")]
        to: Option<String>,
    },
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

/// Failure of a Save & Test step is an exit code, after the report is printed.
pub fn run(db: &Path, command: CredentialsCommand, actor: &str, out: &Output) -> Result<ExitCode> {
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
            test,
            test_to,
            offline_save,
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
            let creds = TwilioCredentials {
                account_sid,
                auth,
                from_number: from,
                messaging_service_sid: messaging_service,
                api_base,
            };
            if test {
                return setup::save_and_test(
                    &store,
                    &keys,
                    &creds,
                    test_to.as_deref(),
                    offline_save,
                    actor,
                    out,
                );
            }
            credentials::save_as(&store, &keys, &creds, actor)?;
            if let Some(warning) = keys.warning() {
                eprintln!("warning: {warning}");
            }
            show(&store, &keys, out)?;
            Ok(ExitCode::SUCCESS)
        }
        CredentialsCommand::Show => show(&store, &keys, out).map(|()| ExitCode::SUCCESS),
        CredentialsCommand::Test { to } => {
            setup::test_saved(&store, &keys, to.as_deref(), actor, out)
        }
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
