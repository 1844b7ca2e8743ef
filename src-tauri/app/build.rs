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
        ]),
    ))
    .expect("tauri build configuration");
}
