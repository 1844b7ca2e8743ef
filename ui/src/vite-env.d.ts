/// <reference types="svelte" />
/// <reference types="vite/client" />

interface Window {
  /** Injected by Tauri inside the desktop webview; absent in a plain browser. */
  __TAURI_INTERNALS__?: unknown;
}
