//! Desktop notifications of new replies that open the patient's chat when clicked.
//!
//! On Linux the notification goes straight to the freedesktop notification server with the
//! "default" action (the one a click on the notification's body invokes), and a thread of its
//! own waits for that click so the async runtime never blocks on D-Bus. Elsewhere the notification
//! plugin shows it without a click action: its desktop side cannot report one.

use serde::Serialize;
use tauri::{AppHandle, Emitter};
use ts_rs::TS;

// The click path exists on Linux only; elsewhere its parts stay compiled (and tested) but unused.

/// The event the webview receives when a reply notification is clicked.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub const OPEN_CHAT_EVENT: &str = "open-chat";
/// The UI sends an 80-character preview; anything much longer did not come from it and would
/// turn a glance into a wall of text.
const MAX_BODY_CHARS: usize = 200;

/// Payload of the `open-chat` event: whose chat to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct OpenChat {
    pub phone: String,
}

/// One reply notification as the UI words it.
#[derive(Debug, Clone)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct ReplyAlert {
    pub phone: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplyAlertError {
    #[error(
        "The desktop did not show the notification ({0}). New replies are still in the Inbox."
    )]
    NotShown(String),
}

/// Shows the notification; on Linux a click later brings the window forward and tells the
/// webview to open the chat. Fails (without panicking) when the desktop has no notification
/// service, as on a bare X server.
#[cfg(target_os = "linux")]
pub async fn show(app: &AppHandle, alert: ReplyAlert) -> Result<(), ReplyAlertError> {
    let (told, shown) = tokio::sync::oneshot::channel();
    let app = app.clone();
    std::thread::Builder::new()
        .name("reply-alert".into())
        .spawn(move || {
            let phone = alert.phone.clone();
            freedesktop::show_and_listen(
                &alert,
                |result| {
                    let _ = told.send(result);
                },
                || open_chat(&app, phone),
            );
        })
        .map_err(|err| ReplyAlertError::NotShown(format!("no thread to show it on: {err}")))?;
    shown
        .await
        .map_err(|_| ReplyAlertError::NotShown("it stopped unexpectedly".into()))?
}

#[cfg(not(target_os = "linux"))]
pub async fn show(app: &AppHandle, alert: ReplyAlert) -> Result<(), ReplyAlertError> {
    use tauri_plugin_notification::NotificationExt;
    // No click action here: the phone has nowhere to go.
    let ReplyAlert { title, body, .. } = alert;
    app.notification()
        .builder()
        .title(title)
        .body(short(&body))
        .show()
        .map_err(|err| ReplyAlertError::NotShown(err.to_string()))
}

/// Brings the window back and asks the webview to open `phone`'s chat.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn open_chat(app: &AppHandle, phone: String) {
    crate::tray::show_window(app);
    if let Err(err) = app.emit(OPEN_CHAT_EVENT, OpenChat { phone }) {
        tracing::warn!("could not open the chat from a notification: {err}");
    }
}

/// At most [`MAX_BODY_CHARS`] characters, cut on a character boundary.
fn short(body: &str) -> String {
    match body.char_indices().nth(MAX_BODY_CHARS) {
        Some((end, _)) => format!("{}…", &body[..end]),
        None => body.to_string(),
    }
}

/// Freedesktop servers may read the body as markup; a patient's text must show as typed and
/// never restyle the notification or add links.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn escape_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(target_os = "linux")]
mod freedesktop {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use notify_rust::{Hint, Notification, NotificationHandle, NotificationResponse};

    use super::{escape_markup, short, ReplyAlert, ReplyAlertError};

    /// The sender name notification servers show.
    const APP_NAME: &str = "Clinic Desk";

    /// The action a click on the notification's body invokes.
    pub const CLICK_ACTION: &str = "default";
    const CLICK_LABEL: &str = "Open chat";
    /// Some desktops keep notifications in a list and report them closed only when dismissed;
    /// the listening thread must end some time.
    const LISTEN_FOR: Duration = Duration::from_secs(30 * 60);

    /// What the server can do, from its advertised capabilities.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Server {
        pub markup: bool,
        pub actions: bool,
    }

    impl Server {
        pub fn from_capabilities(capabilities: &[String]) -> Self {
            let has = |name: &str| capabilities.iter().any(|c| c == name);
            Server {
                markup: has("body-markup"),
                actions: has("actions"),
            }
        }
    }

    pub fn notification(alert: &ReplyAlert, server: Server) -> Notification {
        let body = short(&alert.body);
        // Escaping on a server without markup would show "&lt;" to the receptionist.
        let body = if server.markup {
            escape_markup(&body)
        } else {
            body
        };
        let mut notification = Notification::new();
        notification
            .appname(APP_NAME)
            .summary(&alert.title)
            .body(&body)
            .hint(Hint::Category("im.received".into()));
        if server.actions {
            notification.action(CLICK_ACTION, CLICK_LABEL);
        }
        notification
    }

    /// Shows the notification, reports through `shown` whether the server took it, then blocks
    /// the calling thread until it is clicked (`on_click` runs), closed, or listened to for long
    /// enough.
    pub fn show_and_listen(
        alert: &ReplyAlert,
        shown: impl FnOnce(Result<(), ReplyAlertError>),
        on_click: impl FnOnce(),
    ) {
        let server = match notify_rust::get_capabilities() {
            Ok(capabilities) => Server::from_capabilities(&capabilities),
            Err(err) => {
                shown(Err(ReplyAlertError::NotShown(err.to_string())));
                return;
            }
        };
        // Each listener holds a thread and a bus connection: after a burst of replies, the
        // notifications beyond the limit are shown without the click action (a click that
        // would do nothing is worse than none); the inbox lists every reply anyway.
        let listening = if server.actions {
            Listening::start()
        } else {
            None
        };
        let server = Server {
            actions: listening.is_some(),
            ..server
        };
        let handle = match notification(alert, server).show() {
            Ok(handle) => handle,
            Err(err) => {
                shown(Err(ReplyAlertError::NotShown(err.to_string())));
                return;
            }
        };
        shown(Ok(()));
        if listening.is_none() {
            return;
        }
        // The D-Bus library unwraps inside its wait; a lost session bus must not take more than
        // this thread with it.
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wait(handle)));
        match waited {
            Ok(true) => on_click(),
            Ok(false) => {}
            Err(_) => tracing::warn!(
                "stopped listening for a notification click: the desktop's message bus went away"
            ),
        }
    }

    /// At most this many notifications wait for a click at once.
    const MAX_LISTENING: usize = 16;
    static LISTENING: AtomicUsize = AtomicUsize::new(0);

    /// A place among the notifications waiting for a click, given back when dropped.
    struct Listening;

    impl Listening {
        fn start() -> Option<Self> {
            LISTENING
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < MAX_LISTENING).then_some(n + 1)
                })
                .ok()
                .map(|_| Listening)
        }
    }

    impl Drop for Listening {
        fn drop(&mut self) {
            LISTENING.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Whether the notification was clicked.
    fn wait(handle: NotificationHandle) -> bool {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                tracing::warn!("not listening for a notification click: {err}");
                return false;
            }
        };
        runtime.block_on(async {
            let mut clicked = false;
            let answered = tokio::time::timeout(
                LISTEN_FOR,
                handle.wait_for_action_async(|response| {
                    clicked = matches!(response, NotificationResponse::Default);
                }),
            )
            .await;
            if answered.is_err() {
                // A click now would do nothing; better gone than misleading.
                handle.close_async().await;
            }
            clicked
        })
    }

    #[cfg(test)]
    mod listening_tests {
        use super::*;

        #[test]
        fn no_more_than_the_limit_wait_for_a_click_and_places_come_back() {
            let held: Vec<Listening> = std::iter::from_fn(Listening::start).collect();
            assert_eq!(held.len(), MAX_LISTENING);
            assert!(Listening::start().is_none());
            drop(held);
            assert!(Listening::start().is_some());
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod bus_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patient_text_cannot_inject_markup() {
        assert_eq!(
            escape_markup("<b>Hi</b> & <a href=\"x\">y</a>"),
            "&lt;b&gt;Hi&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;y&lt;/a&gt;"
        );
        assert_eq!(escape_markup("&amp;"), "&amp;amp;");
        assert_eq!(escape_markup("See you at 9 😀"), "See you at 9 😀");
    }

    #[test]
    fn an_overlong_body_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_BODY_CHARS + 5);
        let cut = short(&long);
        assert_eq!(cut.chars().count(), MAX_BODY_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(short("C"), "C");
    }

    #[test]
    fn the_open_chat_event_carries_the_phone() {
        let payload = serde_json::to_value(OpenChat {
            phone: "+14155550134".into(),
        })
        .unwrap();
        assert_eq!(payload, serde_json::json!({ "phone": "+14155550134" }));
    }

    #[cfg(target_os = "linux")]
    mod linux {
        use super::super::freedesktop::{notification, Server, CLICK_ACTION};
        use super::super::*;

        fn alert(body: &str) -> ReplyAlert {
            ReplyAlert {
                phone: "+14155550134".into(),
                title: "New reply".into(),
                body: body.into(),
            }
        }

        #[test]
        fn the_notification_is_from_clinic_desk_and_a_click_opens_the_chat() {
            let server = Server::from_capabilities(&["actions".into(), "body-markup".into()]);
            let shown = notification(&alert("Ana: <i>late</i> & sorry"), server);
            assert_eq!(shown.appname, "Clinic Desk");
            assert_eq!(shown.summary, "New reply");
            assert_eq!(shown.body, "Ana: &lt;i&gt;late&lt;/i&gt; &amp; sorry");
            assert_eq!(
                shown.actions,
                vec![CLICK_ACTION.to_string(), "Open chat".into()]
            );
        }

        #[test]
        fn a_server_without_markup_or_actions_gets_the_plain_text_and_no_action() {
            let shown = notification(&alert("Ana: <i>late</i>"), Server::from_capabilities(&[]));
            assert_eq!(shown.body, "Ana: <i>late</i>");
            assert!(shown.actions.is_empty());
        }
    }
}
