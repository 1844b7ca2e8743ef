//! Clinic Desk desktop app: a thin Tauri shell. It opens the store once, hands the webview typed
//! commands over the core, and forwards the core's change events. Product logic lives in
//! `clinic-desk-core`.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod commands;
mod error;
mod state;

use tauri::Manager;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .init();

    let result = tauri::Builder::default()
        .setup(|app| {
            let state = state::AppState::open()?;
            tracing::info!(db = %state.store.path().display(), "store opened");
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_patients,
            commands::add_patient,
            commands::list_threads,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!("Clinic Desk could not start: {err}");
        std::process::exit(1);
    }
}
