//! The CLI's messaging commands as scripts use them, against the Twilio simulator over real
//! HTTP: the JSON contract, secrets kept out of the database file, and process kills mid-send.

mod support;

use std::process::Stdio;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use support::{cli, configure, json_of, run, Sim};

const TOKEN: &str = "sim-token-5ecret-f00dface";
const ANA: &str = "+14155550134";

#[test]
fn send_sync_threads_and_thread_keep_their_json_contract() {
    let sim = Sim::start(TOKEN, 42);
    let (_dir, db) = configure(&sim, TOKEN);

    let sent = json_of(&run(
        &db,
        &[
            "--json",
            "send",
            "--to",
            "(415) 555-0134",
            "--body",
            "See you at 9:00 tomorrow.",
        ],
    ));
    assert!(sent["id"].is_i64());
    assert!(sent["sid"].as_str().unwrap().starts_with("SM"));
    assert_eq!(sent["segments"], 1);
    assert!(sent["status"].is_string());

    sim.post("/_sim/clock", json!({"advance_seconds": 5}));
    sim.post(
        "/_sim/inbound",
        json!({"from": ANA, "to": sim.handle.numbers[0], "body": "C"}),
    );
    let synced = json_of(&run(&db, &["--json", "sync", "--once"]));
    assert_eq!(synced["new_messages"], 1);

    let threads = json_of(&run(&db, &["threads", "--json"]));
    let thread = &threads.as_array().unwrap()[0];
    for field in ["phone", "patient", "unread", "last_at", "last_body"] {
        assert!(thread.get(field).is_some(), "threads lacks {field}");
    }
    assert_eq!(thread["phone"], ANA);
    assert_eq!(thread["unread"], 1);
    assert_eq!(thread["last_body"], "C");

    let messages = json_of(&run(&db, &["thread", "415-555-0134", "--json"]));
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["direction"], "outbound");
    assert_eq!(messages[1]["direction"], "inbound");
    for field in [
        "sid",
        "direction",
        "body",
        "status",
        "error_code",
        "created_at",
    ] {
        assert!(messages[0].get(field).is_some(), "thread lacks {field}");
    }
}

#[test]
fn the_token_never_lands_in_the_database_files() {
    let sim = Sim::start(TOKEN, 42);
    let (dir, db) = configure(&sim, TOKEN);
    json_of(&run(
        &db,
        &["--json", "send", "--to", ANA, "--body", "Hello"],
    ));
    let shown = run(&db, &["credentials", "show"]);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("••••face"), "{shown}");
    assert!(!shown.contains(TOKEN));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes());
            assert!(!found, "token found in {}", path.display());
        }
    }
}

#[test]
fn send_without_credentials_says_how_to_set_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite3");
    let out = run(&db, &["send", "--to", ANA, "--body", "Hello"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials set"), "{stderr}");
}

/// Killing the process at any instant of a send loses no text and sends none twice.
#[test]
fn killing_the_cli_mid_send_loses_nothing_and_duplicates_nothing() {
    let sim = Sim::start(TOKEN, 42);
    let (_dir, db) = configure(&sim, TOKEN);
    // Texts in doubt are re-sent as soon as the list proves them absent.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('outbox.ambiguous_grace_seconds', '0', 0)",
            [],
        )
        .unwrap();
    let runs: u64 = std::env::var("KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut bodies = Vec::new();
    for run_index in 0..runs {
        let body = format!("Kill test text {run_index}");
        json_of(&run(
            &db,
            &[
                "--json",
                "send",
                "--queue-only",
                "--to",
                ANA,
                "--body",
                &body,
            ],
        ));
        bodies.push(body);
        // Slow or dropped answers widen the window in which the kill lands mid-request.
        let action = if rng.random_bool(0.5) {
            json!({"method": "POST", "path": "/Messages.json$", "action": "delay", "delay_ms": 300})
        } else {
            json!({"method": "POST", "path": "/Messages.json$", "action": "drop_response_after_commit", "count": 1})
        };
        sim.post("/_sim/faults", json!({ "rules": [action] }));
        let mut child = cli(&db)
            .args(["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..500)));
        let _ = child.kill();
        let _ = child.wait();
        sim.clear_faults();
    }
    for _ in 0..3 {
        json_of(&run(&db, &["--json", "sync", "--once"]));
    }
    let at_twilio = sim.messages();
    for body in &bodies {
        // The first text to a number carries the opt-out footer.
        let with_footer = format!("{body}\nReply STOP to opt out.");
        let copies = at_twilio
            .iter()
            .filter(|m| m["body"] == *body || m["body"] == with_footer)
            .count();
        assert_eq!(copies, 1, "{body:?} reached Twilio {copies} times");
    }
    let thread = json_of(&run(&db, &["thread", ANA, "--json"]));
    let thread = thread.as_array().unwrap();
    assert_eq!(
        thread.len(),
        bodies.len(),
        "every queued text is in the thread once"
    );
    assert!(thread.iter().all(|m| m["sid"].is_string()), "{thread:?}");
}

#[test]
fn a_plain_words_opt_out_is_flagged_and_confirmed_from_the_cli() {
    let sim = Sim::start(TOKEN, 42);
    let (_dir, db) = configure(&sim, TOKEN);
    sim.post(
        "/_sim/inbound",
        json!({"from": ANA, "to": sim.handle.numbers[0], "body": "please stop texting me"}),
    );
    json_of(&run(&db, &["--json", "sync", "--once"]));
    let flags = json_of(&run(&db, &["--json", "flags", "list"]));
    let flags = flags.as_array().unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0]["phone"], ANA);
    assert_eq!(flags[0]["reason"], "plain_words_opt_out");
    assert_eq!(flags[0]["body"], "please stop texting me");
    // Not an opt-out until staff say so: texting still works.
    let id = flags[0]["id"].as_i64().unwrap().to_string();
    let resolved = json_of(&run(
        &db,
        &[
            "--json",
            "--actor",
            "receptionist",
            "flags",
            "resolve",
            &id,
            "--as",
            "opted-out",
        ],
    ));
    assert_eq!(resolved["resolution"], "opted_out");
    assert!(json_of(&run(&db, &["--json", "flags", "list"]))
        .as_array()
        .unwrap()
        .is_empty());
    let refused = run(&db, &["--json", "send", "--to", ANA, "--body", "Hello?"]);
    assert!(!refused.status.success());
    let error: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["code"], "OptedOut");
    assert!(sim.messages().iter().all(|m| m["to"] != ANA));
}
