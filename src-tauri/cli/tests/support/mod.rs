//! What the CLI's integration tests share: the real binary run against a database file in a temp
//! dir, its JSON output, and the Twilio simulator over real HTTP with credentials saved for it.

// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{Duration, Timelike, Utc};
use serde_json::{json, Value};

/// The binary with `--db db`, its keys and home in the database's folder so no test touches the
/// real keyring or home, and a fixed user and no ambient actor so the audit log's actor is
/// whatever the test says.
pub fn cli(db: &Path) -> Command {
    let dir = db.parent().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_clinic-desk-cli"));
    command
        .arg("--db")
        .arg(db)
        .env("CLINIC_DESK_KEY_STORE", "file")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("USER", "desk1")
        .env_remove("CLINIC_DESK_ACTOR");
    command
}

pub fn run(db: &Path, args: &[&str]) -> Output {
    cli(db).args(args).output().expect("run clinic-desk-cli")
}

/// Runs `command` with `stdin` written to its standard input, as a script piping secrets does.
pub fn feed(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run clinic-desk-cli");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn run_with_stdin(db: &Path, args: &[&str], stdin: &str) -> Output {
    feed(cli(db).args(args), stdin)
}

/// Standard output as JSON, after checking the command succeeded.
pub fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Standard error as JSON, after checking the command failed with exit code 1.
pub fn err_json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    serde_json::from_slice(&out.stderr).expect("stderr is one JSON line")
}

/// A fresh temp dir with an initialised database in it; the dir lives as long as the guard.
pub fn new_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    json_of(&run(&db, &["--json", "init"]));
    (dir, db)
}

/// Writes a setting straight into the file, for state the test needs but does not test.
pub fn set_setting(db: &Path, key: &str, value: &str) {
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, 0) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        .unwrap();
}

/// A fixed-offset zone where it is about noon now, so texts are inside the sending window, and
/// local "YYYY-MM-DD HH:MM" strings `hours` from now in it.
pub struct Midday {
    pub zone: String,
    offset_hours: i64,
}

impl Midday {
    pub fn now() -> Midday {
        let offset = Utc::now().hour() as i64 - 12;
        // IANA's Etc zones count west as positive: Etc/GMT+5 is five hours behind UTC.
        let zone = if offset >= 0 {
            format!("Etc/GMT+{offset}")
        } else {
            format!("Etc/GMT-{}", -offset)
        };
        Midday {
            zone,
            offset_hours: -offset,
        }
    }

    pub fn local_in(&self, hours: i64) -> String {
        (Utc::now() + Duration::hours(hours + self.offset_hours))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

/// The Twilio simulator on its own runtime, so blocking tests can drive it between CLI runs.
pub struct Sim {
    runtime: tokio::runtime::Runtime,
    pub handle: twilio_sim::SimHandle,
}

impl Sim {
    pub fn start(auth_token: &str, seed: u64) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime
            .block_on(twilio_sim::spawn(twilio_sim::SimConfig {
                auth_token: auth_token.to_string(),
                seed: Some(seed),
                ..twilio_sim::SimConfig::default()
            }))
            .unwrap();
        Sim { runtime, handle }
    }

    /// Posts to one of the simulator's `/_sim` control endpoints, which must accept it.
    pub fn post(&self, path: &str, body: Value) {
        let url = format!("{}{path}", self.handle.base_url);
        self.runtime.block_on(async {
            let response = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{path}");
        });
    }

    /// A patient texting the account's first number.
    pub fn inbound(&self, from: &str, body: &str) {
        let body = json!({"from": from, "to": self.handle.numbers[0], "body": body});
        self.post("/_sim/inbound", body);
    }

    pub fn clear_faults(&self) {
        let url = format!("{}/_sim/faults", self.handle.base_url);
        self.runtime.block_on(async {
            reqwest::Client::new().delete(url).send().await.unwrap();
        });
    }

    /// Every message the simulator holds, both directions.
    pub fn messages(&self) -> Vec<Value> {
        let url = format!("{}/_sim/messages", self.handle.base_url);
        self.runtime.block_on(async {
            let value: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            value["messages"].as_array().cloned().unwrap()
        })
    }

    /// The bodies of the messages sent to `phone`, oldest first.
    pub fn texts_to(&self, phone: &str) -> Vec<String> {
        self.messages()
            .iter()
            .filter(|m| m["to"] == phone)
            .map(|m| m["body"].as_str().unwrap().to_string())
            .collect()
    }
}

/// `credentials set` with the token read from standard input.
pub fn credentials_set_args<'a>(
    account: &'a str,
    from: &'a str,
    api_base: &'a str,
) -> Vec<&'a str> {
    vec![
        "credentials",
        "set",
        "--account-sid",
        account,
        "--from",
        from,
        "--api-base",
        api_base,
        "--auth-token-stdin",
    ]
}

fn save_credentials(mut command: Command, sim: &Sim, auth_token: &str) {
    let h = &sim.handle;
    command.args(credentials_set_args(
        &h.account_sid,
        &h.numbers[0],
        &h.base_url,
    ));
    let out = feed(&mut command, &format!("{auth_token}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Saves the simulator's account and first number as the clinic's credentials.
pub fn connect(sim: &Sim, db: &Path, auth_token: &str) {
    save_credentials(cli(db), sim, auth_token);
}

/// [`connect`], recorded in the audit log as done by `actor`.
pub fn connect_as(actor: &str, sim: &Sim, db: &Path, auth_token: &str) {
    let mut command = cli(db);
    command.args(["--actor", actor]);
    save_credentials(command, sim, auth_token);
}

/// A new database connected to the simulator, in a zone where it is about noon so texts go out
/// whatever the hour the test runs at; quiet hours have their own tests with a fixed clock.
pub fn configure(sim: &Sim, auth_token: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    connect(sim, &db, auth_token);
    set_setting(&db, "clinic.timezone", &Midday::now().zone);
    (dir, db)
}
