//! Clinic Desk desktop app: a thin Tauri shell. It opens the store once, starts the sync engine
//! when a Twilio account is configured, hands the webview typed commands over the core, and
//! forwards the core's change events. Product logic lives in `clinic-desk-core`.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod admin_session;
mod bindings;
mod commands;
mod demo;
mod error;
mod reply_alert;
mod state;
mod sync_view;
mod tray;

use clinic_desk_core::events::CoreEvent;
use clinic_desk_core::workstation;
use tauri::{AppHandle, Emitter, Manager};

/// The sync engine allocates for every text it reads and stores; with glibc's allocator that was
/// about an eighth of the CPU time of a 50,000-text first sync (measured in the CLI, same core).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::state::{AppState, Connection};
use crate::sync_view::SyncView;

/// The Tauri event the webview listens to for `CoreEvent`s.
pub const CORE_EVENT: &str = "core-event";

/// Starts the engine when credentials are saved, and forwards its events to the webview.
fn start_engine(app: &AppHandle, state: &AppState) {
    let (events, _) = tokio::sync::broadcast::channel::<CoreEvent>(1024);
    match workstation::connect(&state.store, &state.keys, events) {
        Ok(live) => {
            let engine = tauri::async_runtime::block_on(async { live.engine.spawn() });
            let mut receiver = engine.subscribe();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    match receiver.recv().await {
                        Ok(event) => {
                            if let Some(view) = app.try_state::<SyncView>() {
                                view.observe(&event);
                            }
                            let _ = app.emit(CORE_EVENT, &event);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
            });
            state.set_connection(Connection {
                engine,
                sender: live.sender,
            });
        }
        Err(clinic_desk_core::Error::NotConfigured) => {
            tracing::info!("no Twilio account configured; sync is off");
        }
        Err(err) => tracing::warn!("sync not started: {err}"),
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let builder = tauri::Builder::default();
    // Linux shows reply notifications itself (reply_alert.rs) to hear their clicks.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_notification::init());
    let result = builder
        .setup(|app| {
            let state = AppState::open()?;
            tracing::info!(db = %state.store.path().display(), "store opened");
            app.manage(SyncView::default());
            start_engine(app.handle(), &state);
            app.manage(state);
            tray::install(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_patients,
            commands::add_patient,
            commands::list_threads,
            commands::thread_messages,
            commands::mark_thread_read,
            commands::send_text,
            commands::set_chat_open,
            commands::sync_now,
            commands::preview_text,
            commands::thread_context,
            commands::sync_status,
            commands::dashboard::dashboard,
            commands::appointments::list_appointments,
            commands::appointments::book_appointment,
            commands::appointments::edit_appointment,
            commands::appointments::cancel_appointment,
            commands::appointments::mark_arrived,
            commands::appointments::mark_no_show,
            commands::appointments::import_appointments_csv,
            commands::group::preview_group_message,
            commands::group::send_group_message,
            commands::compliance::list_opt_states,
            commands::compliance::list_staff_flags,
            commands::compliance::resolve_flag,
            commands::compliance::list_consent,
            commands::compliance::record_consent,
            commands::compliance::verify_audit,
            commands::compliance::read_audit,
            commands::compliance::export_audit,
            commands::chat::retry_text,
            commands::settings::list_settings,
            commands::settings::set_setting,
            commands::templates::list_templates,
            commands::templates::preview_template,
            commands::templates::save_template,
            commands::templates::reset_template,
            commands::admin::access_status,
            commands::admin::set_admin_passphrase,
            commands::admin::unlock_admin,
            commands::admin::lock_admin,
            commands::admin::credentials_summary,
            commands::admin::save_and_test,
            commands::admin::leave_demo_mode,
            commands::alerts::show_reply_alert,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!("Clinic Desk could not start: {err}");
        std::process::exit(1);
    }
}
