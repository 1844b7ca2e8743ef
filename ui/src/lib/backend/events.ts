/**
 * Change notifications pushed by the core so screens re-read what changed instead of polling.
 * Hand-written until the Rust side exports it through ts-rs: it mirrors
 * `#[serde(tag = "type", rename_all = "camelCase")] enum StoreChange { Patients, Threads, Status }`
 * emitted as the Tauri event below, either one object or a batched array of them.
 */
export type StoreChange = { type: "patients" } | { type: "threads" } | { type: "status" };

export const STORE_CHANGED_EVENT = "store-changed";

const KNOWN = new Set<StoreChange["type"]>(["patients", "threads", "status"]);

/** Unknown variants are dropped rather than thrown on, so a newer core cannot break an older UI. */
export function parseStoreChanges(payload: unknown): StoreChange[] {
  const items = Array.isArray(payload) ? payload : [payload];
  return items.filter(
    (item): item is StoreChange =>
      typeof item === "object" &&
      item !== null &&
      KNOWN.has((item as { type?: unknown }).type as StoreChange["type"]),
  );
}
