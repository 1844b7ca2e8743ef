//! The Linux click path against a real D-Bus daemon: a private bus with a stand-in notification
//! server that records what it is asked to show and "clicks" it, and a bus with no notification
//! server at all (as on a bare X server in CI).
//!
//! The D-Bus library finds the bus through an environment variable, which one test cannot set
//! without racing the others, so each scenario runs in a child process of this test binary
//! (the `child_*` tests, ignored unless called that way).

use std::collections::HashMap;
use std::future::poll_fn;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zbus::export::futures_core::Stream;
use zbus::message::Type;
use zbus::OwnedVariant;

use super::freedesktop::show_and_listen;
use super::ReplyAlert;

/// Set only for the child processes, so `cargo test -- --ignored` never notifies a real desktop.
const PRIVATE_BUS: &str = "CLINIC_DESK_TEST_PRIVATE_BUS";
const NOTIFICATION_ID: u32 = 7;

/// What the stand-in server was asked to show.
#[derive(Debug)]
struct Shown {
    app_name: String,
    summary: String,
    body: String,
    actions: Vec<String>,
}

struct Bus {
    daemon: Child,
    address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A session bus of our own: no service directories, so nothing is started on demand.
fn private_bus(dir: &Path) -> Option<Bus> {
    let config = dir.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
            dir.join("bus").display()
        ),
    )
    .unwrap();
    let mut daemon = match Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(daemon) => daemon,
        Err(err) => {
            // CI installs the daemon (.ci/setup): there a missing one is a failure, not a skip.
            assert!(
                std::env::var_os("CI").is_none(),
                "dbus-daemon is required in CI: {err}"
            );
            eprintln!("skipped: dbus-daemon is not installed ({err})");
            return None;
        }
    };
    // The daemon prints its address once it accepts connections.
    let mut address = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    Some(Bus {
        daemon,
        address: address.trim().to_string(),
    })
}

/// Answers GetCapabilities and Notify, then keeps "clicking" the notification (the client starts
/// listening only after Notify returns, so one signal could go unheard).
async fn notification_server(address: String, ready: mpsc::Sender<()>, shown: mpsc::Sender<Shown>) {
    let connection = zbus::connection::Builder::address(address.as_str())
        .name("org.freedesktop.Notifications")
        .build()
        .await
        .unwrap();
    let mut stream = zbus::MessageStream::from(&connection);
    // The name is owned once `build` returns; a client asking earlier would find no server.
    let _ = ready.send(());
    while let Some(Ok(message)) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        let header = message.header();
        if header.message_type() != Type::MethodCall {
            continue;
        }
        match header.member().map(|m| m.as_str()) {
            Some("GetCapabilities") => {
                let capabilities = vec!["actions", "body", "body-markup"];
                connection.reply(&header, &capabilities).await.unwrap();
            }
            Some("Notify") => {
                type Notify = (
                    String,
                    u32,
                    String,
                    String,
                    String,
                    Vec<String>,
                    HashMap<String, OwnedVariant>,
                    i32,
                );
                let (app_name, _, _, summary, body, actions, _, _): Notify =
                    message.body().deserialize().unwrap();
                let _ = shown.send(Shown {
                    app_name,
                    summary,
                    body,
                    actions,
                });
                connection.reply(&header, &NOTIFICATION_ID).await.unwrap();
                let clicker = connection.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let sent = clicker
                            .emit_signal(
                                None::<&str>,
                                "/org/freedesktop/Notifications",
                                "org.freedesktop.Notifications",
                                "ActionInvoked",
                                &(NOTIFICATION_ID, "default"),
                            )
                            .await;
                        if sent.is_err() {
                            break;
                        }
                    }
                });
            }
            _ => {}
        }
    }
}

/// Runs one `child_*` test of this binary on `address` and says whether it passed.
fn run_child(name: &str, address: &str) -> (bool, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &format!("reply_alert::bus_tests::{name}"),
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env(PRIVATE_BUS, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // libtest reports "1 passed"; "0 passed" means the filter matched nothing.
    (output.status.success() && text.contains("1 passed"), text)
}

fn alert() -> ReplyAlert {
    ReplyAlert {
        phone: "+14155550134".into(),
        title: "New reply".into(),
        body: "Ana Rivera: <b>late</b> & sorry".into(),
    }
}

#[test]
fn a_click_on_the_notification_reaches_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let Some(bus) = private_bus(dir.path()) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (shown_tx, shown_rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    runtime.spawn(notification_server(bus.address.clone(), ready_tx, shown_tx));
    ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();

    let (passed, output) = run_child("child_shows_and_hears_the_click", &bus.address);
    assert!(passed, "the child did not hear the click:\n{output}");

    let shown = shown_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(shown.app_name, "Clinic Desk");
    assert_eq!(shown.summary, "New reply");
    assert_eq!(
        shown.body,
        "Ana Rivera: &lt;b&gt;late&lt;/b&gt; &amp; sorry"
    );
    assert_eq!(shown.actions, vec!["default", "Open chat"]);
}

#[test]
fn without_a_notification_server_the_alert_fails_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let Some(bus) = private_bus(dir.path()) else {
        return;
    };
    let (passed, output) = run_child("child_is_told_nothing_was_shown", &bus.address);
    assert!(passed, "{output}");
}

#[test]
fn without_a_message_bus_the_alert_fails_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    let (passed, output) = run_child("child_is_told_nothing_was_shown", &nowhere);
    assert!(passed, "{output}");
}

#[test]
#[ignore = "run by a_click_on_the_notification_reaches_the_app on a private bus"]
fn child_shows_and_hears_the_click() {
    if std::env::var_os(PRIVATE_BUS).is_none() {
        return;
    }
    let mut result = None;
    let mut clicked = false;
    show_and_listen(&alert(), |shown| result = Some(shown), || clicked = true);
    assert!(matches!(result, Some(Ok(()))), "{result:?}");
    assert!(clicked);
}

#[test]
#[ignore = "run by the tests without a notification server or bus"]
fn child_is_told_nothing_was_shown() {
    if std::env::var_os(PRIVATE_BUS).is_none() {
        return;
    }
    let mut result = None;
    let mut clicked = false;
    show_and_listen(&alert(), |shown| result = Some(shown), || clicked = true);
    let Some(Err(err)) = result else {
        panic!("expected an error, got {result:?}");
    };
    assert!(
        err.to_string()
            .starts_with("The desktop did not show the notification"),
        "{err}"
    );
    assert!(!clicked);
}
