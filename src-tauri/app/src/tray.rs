//! The tray icon: the unread count beside it (as a label where the desktop shows one, and in the
//! tooltip everywhere), a click that brings the window back, and a menu to open or quit.
//!
//! It follows the same `core-event`s the webview does, so the badge changes when a reply
//! arrives or a conversation is read, whichever screen is open.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Listener, Manager};

use crate::state::AppState;

const TRAY_ID: &str = "clinic-desk";
const MENU_OPEN: &str = "open";
const MENU_QUIT: &str = "quit";

/// What the tray shows for `unread` replies: the label beside the icon and the tooltip.
pub fn badge(unread: u64) -> (Option<String>, String) {
    match unread {
        0 => (None, "Clinic Desk: no unread replies".to_string()),
        1 => (
            Some("1".to_string()),
            "Clinic Desk: 1 unread reply".to_string(),
        ),
        n => (
            Some(n.to_string()),
            format!("Clinic Desk: {n} unread replies"),
        ),
    }
}

/// Adds the tray icon. The window works without one (a desktop with no tray area, or no
/// indicator library installed), so a failure is logged rather than stopping the app.
pub fn install(app: &AppHandle) {
    // On Linux the indicator library is loaded at run time and its absence panics inside the
    // tray crate; the app must still open.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::warn!("no tray icon: {err}"),
        Err(_) => tracing::warn!("no tray icon: this desktop has no tray (indicator) library"),
    }
}

fn build(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, MENU_OPEN, "Open Clinic Desk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, MENU_QUIT, "Quit Clinic Desk", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip(badge(0).1)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            MENU_OPEN => show_window(app),
            MENU_QUIT => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;

    let handle = app.clone();
    app.listen_any(crate::CORE_EVENT, move |event| {
        // Progress and sync-state events come often and never change the count.
        if event.payload().contains("\"type\":\"threadsChanged\"")
            || event.payload().contains("\"type\":\"newReply\"")
        {
            refresh(&handle);
        }
    });
    refresh(app);
    Ok(())
}

/// Re-reads the unread total and shows it.
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    match state.store.unread_total() {
        Ok(count) => {
            let (label, tooltip) = badge(count);
            let _ = tray.set_title(label);
            let _ = tray.set_tooltip(Some(tooltip));
        }
        Err(err) => tracing::warn!("tray badge not updated: {err}"),
    }
}

/// Brings the main window back to the front (tray click, notification click).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_counts_unread_replies_in_words_and_hides_at_zero() {
        assert_eq!(badge(0), (None, "Clinic Desk: no unread replies".into()));
        assert_eq!(
            badge(1),
            (Some("1".into()), "Clinic Desk: 1 unread reply".into())
        );
        assert_eq!(
            badge(12),
            (Some("12".into()), "Clinic Desk: 12 unread replies".into())
        );
    }
}
