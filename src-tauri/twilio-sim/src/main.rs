//! The `twilio-sim` command: parse flags, start the simulator, print one JSON "ready" line on
//! stdout for the process that launched it, and serve until interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use twilio_sim::{
    AccountStatus, AccountType, ApiKey, SimConfig, DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN,
    DEFAULT_NUMBER,
};

#[derive(Debug, Parser)]
#[command(
    name = "twilio-sim",
    version,
    about = "A stateful, Twilio-compatible HTTP server for tests, demo mode and benchmarks.",
    after_help = "With no flags it serves a fixed test account:\n  \
        account SID  ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  \
        auth token   sim-auth-token\n  \
        number       +15555550100\n\
        When ready it prints one JSON line on stdout: \
        {\"base_url\": \"http://127.0.0.1:PORT\", \"account_sid\": \"AC…\", \"numbers\": [\"+1…\"]}.\n\
        Control API: /_sim/health, /_sim/inbound, /_sim/outcomes, /_sim/clock, /_sim/visibility, \
        /_sim/faults, /_sim/messages, /_sim/reset, /_sim/seed."
)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The account SID clients authenticate as (AC + 32 hex digits).
    #[arg(long, default_value = DEFAULT_ACCOUNT_SID)]
    account_sid: String,
    /// The account's auth token.
    #[arg(long, default_value = DEFAULT_AUTH_TOKEN)]
    auth_token: String,
    /// A phone number the account owns, in E.164; repeat for several.
    #[arg(long = "number", default_values_t = [DEFAULT_NUMBER.to_string()])]
    numbers: Vec<String>,
    /// An API key as SK…:secret; repeat for several. Keys cannot fetch the Account.
    #[arg(long = "api-key")]
    api_keys: Vec<ApiKey>,
    /// A Messaging Service SID (MG…) that sends from the first number; repeat for several.
    #[arg(long = "messaging-service")]
    messaging_services: Vec<String>,
    /// Seed for SIDs and fault probabilities, for reproducible runs.
    #[arg(long)]
    seed: Option<u64>,
    /// Report the account as a Trial account instead of Full: it may text only verified numbers.
    #[arg(long)]
    trial: bool,
    /// A verified caller ID a Trial account may text, in E.164; repeat for several.
    #[arg(long = "verified-number")]
    verified_numbers: Vec<String>,
    /// The account's status: active, suspended or closed (these two refuse every send).
    #[arg(long, default_value = "active")]
    account_status: AccountStatus,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TWILIO_SIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = SimConfig {
        listen: cli.listen,
        account_sid: cli.account_sid,
        auth_token: cli.auth_token,
        account_type: if cli.trial {
            AccountType::Trial
        } else {
            AccountType::Full
        },
        account_status: cli.account_status,
        numbers: cli.numbers,
        verified_numbers: cli.verified_numbers,
        api_keys: cli.api_keys,
        messaging_services: cli.messaging_services,
        seed: cli.seed,
        ..SimConfig::default()
    };
    let handle = match twilio_sim::spawn(config).await {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("twilio-sim: {error}");
            return ExitCode::FAILURE;
        }
    };
    let ready = serde_json::json!({
        "base_url": handle.base_url,
        "account_sid": handle.account_sid,
        "numbers": handle.numbers,
    });
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{ready}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody is reading the ready line; keep serving anyway.
    }
    drop(stdout);
    wait_for_signal().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
