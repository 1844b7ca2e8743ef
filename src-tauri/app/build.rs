fn main() {
    // Declaring our commands makes them subject to capabilities: the webview may call only what
    // capabilities/main.json grants.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_status",
            "list_patients",
            "add_patient",
            "list_threads",
            "thread_messages",
            "mark_thread_read",
            "send_text",
            "set_chat_open",
            "sync_now",
            "preview_text",
            "thread_context",
            "sync_status",
            "dashboard",
            "list_appointments",
            "book_appointment",
            "edit_appointment",
            "cancel_appointment",
            "mark_arrived",
            "mark_no_show",
            "import_appointments_csv",
            "list_opt_states",
            "list_staff_flags",
            "resolve_flag",
            "list_consent",
            "record_consent",
            "verify_audit",
            "read_audit",
            "export_audit",
            "list_settings",
            "set_setting",
        ]),
    ))
    .expect("tauri build configuration");
}
