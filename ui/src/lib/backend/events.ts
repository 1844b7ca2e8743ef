/**
 * Change notifications pushed by the core so screens re-read what changed instead of polling.
 * The core emits its typed `CoreEvent` (generated binding) as the Tauri event below. Each event
 * is folded into a `StoreChange` naming what to re-read (and, for threads, which ones); the sync
 * state and back-fill progress travel with their event, because the status strip shows them as
 * they are and they arrive every second while a chat is open.
 */
import type { BackfillProgress, CoreEvent, SyncState, SyncStatus } from "../bindings";
import type { ReplyAlert } from "../notify/words";

export type StoreChange =
  | { type: "patients" }
  /** `phones` absent: any thread may have changed (e.g. the outbox moved some texts). */
  | { type: "threads"; phones?: readonly string[]; reply?: ReplyAlert }
  | { type: "status" }
  | { type: "sync"; status: SyncStatus }
  | { type: "backfill"; progress: BackfillProgress }
  | { type: "appointments" };

export const STORE_CHANGED_EVENT = "core-event";

type Fields = Record<string, unknown>;

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : null;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const SYNC_STATES: readonly SyncState[] = ["starting", "online", "offline", "authError", "notConfigured"];

function syncStatus(item: Fields): SyncStatus | null {
  const state = SYNC_STATES.find((s) => s === item.state);
  if (!state) return null;
  return {
    state,
    lastSyncedAt: finiteOrNull(item.lastSyncedAt),
    lastError: typeof item.lastError === "string" ? item.lastError : null,
  };
}

function backfill(item: Fields): BackfillProgress | null {
  const direction = item.direction;
  const fetched = finiteOrNull(item.fetched);
  if ((direction !== "inbound" && direction !== "outbound") || fetched === null) return null;
  return { direction, fetched, oldestAt: finiteOrNull(item.oldestAt) };
}

function fold(type: CoreEvent["type"], item: Fields): StoreChange | null {
  switch (type) {
    case "threadsChanged":
    case "complianceChanged": {
      const phones = stringList(item.phones);
      return phones ? { type: "threads", phones } : { type: "threads" };
    }
    case "newReply": {
      if (typeof item.phone !== "string") return { type: "threads" };
      const reply =
        typeof item.body === "string"
          ? {
              phone: item.phone,
              patientName: typeof item.patientName === "string" ? item.patientName : null,
              body: item.body,
            }
          : undefined;
      return reply ? { type: "threads", phones: [item.phone], reply } : { type: "threads", phones: [item.phone] };
    }
    case "outboxChanged":
      return { type: "threads" };
    case "patientsChanged":
      return { type: "patients" };
    case "appointmentsChanged":
      return { type: "appointments" };
    case "syncStatus": {
      const status = syncStatus(item);
      return status ? { type: "sync", status } : null;
    }
    case "backfill": {
      const progress = backfill(item);
      return progress ? { type: "backfill", progress } : null;
    }
    default: {
      // A new variant in the generated bindings fails type checking here until it is handled.
      const unhandled: never = type;
      return unhandled;
    }
  }
}

const KNOWN: ReadonlySet<string> = new Set<CoreEvent["type"]>([
  "threadsChanged",
  "complianceChanged",
  "newReply",
  "outboxChanged",
  "patientsChanged",
  "appointmentsChanged",
  "syncStatus",
  "backfill",
]);

/** Unknown or malformed variants are dropped rather than thrown on, so a newer core cannot break an older UI. */
export function parseStoreChanges(payload: unknown): StoreChange[] {
  const items = Array.isArray(payload) ? payload : [payload];
  const changes: StoreChange[] = [];
  for (const item of items) {
    if (typeof item !== "object" || item === null) continue;
    const type = (item as { type?: unknown }).type;
    if (typeof type !== "string" || !KNOWN.has(type)) continue;
    const change = fold(type as CoreEvent["type"], item as Fields);
    if (change) changes.push(change);
  }
  return changes;
}

/** Whether a change may concern the thread of `phone`. */
export function touchesThread(change: StoreChange, phone: string): boolean {
  return change.type === "threads" && (change.phones === undefined || change.phones.includes(phone));
}
