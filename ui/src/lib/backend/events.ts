/**
 * Change notifications pushed by the core so screens re-read what changed instead of polling.
 * The core emits its typed `CoreEvent` (generated binding) as the Tauri event below; screens
 * only need to know which list to re-read, so each event is folded into a `StoreChange`.
 */
import type { CoreEvent } from "../bindings/CoreEvent";

export type StoreChange = { type: "patients" } | { type: "threads" } | { type: "status" };

export const STORE_CHANGED_EVENT = "core-event";

const AFFECTS: Record<CoreEvent["type"], StoreChange["type"]> = {
  threadsChanged: "threads",
  newReply: "threads",
  outboxChanged: "threads",
  patientsChanged: "patients",
  syncStatus: "status",
  backfill: "status",
};

/** Unknown variants are dropped rather than thrown on, so a newer core cannot break an older UI. */
export function parseStoreChanges(payload: unknown): StoreChange[] {
  const items = Array.isArray(payload) ? payload : [payload];
  const changes: StoreChange[] = [];
  for (const item of items) {
    if (typeof item !== "object" || item === null) continue;
    const type = (item as { type?: unknown }).type;
    if (typeof type === "string" && Object.hasOwn(AFFECTS, type)) {
      changes.push({ type: AFFECTS[type as CoreEvent["type"]] });
    }
  }
  return changes;
}
