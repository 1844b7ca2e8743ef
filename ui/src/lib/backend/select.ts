/**
 * Picks the backend at startup. Inside the desktop app Tauri injects `__TAURI_INTERNALS__`; in a
 * plain browser (`npm run dev`, `vite preview`) it is absent and the mock takes over, so the UI can
 * be looked at without building the Rust side. `?mock=<scenario>` forces a scenario anywhere.
 */
import type { Backend } from "./backend";
import { BackendError } from "./errors";
import { MockBackend } from "./mock";
import { generateMessages, generateThreads } from "./generate";
import { previewAppointments, previewFlags, previewMessages, previewPatients, previewThreads } from "./preview-data";
import { isoDay } from "../compliance/words";
import { TauriBackend } from "./tauri";

export type MockScenario = "sample" | "empty" | "error" | "unconfigured" | "large";

interface Environment {
  location: { search: string };
  __TAURI_INTERNALS__?: unknown;
}

export function mockScenario(env: Environment): MockScenario | null {
  const params = new URLSearchParams(env.location.search);
  const inTauri = env.__TAURI_INTERNALS__ !== undefined;
  if (!params.has("mock") && inTauri) return null;
  const requested = params.get("mock");
  switch (requested) {
    case "empty":
    case "error":
    case "unconfigured":
    case "large":
      return requested;
    default:
      return "sample";
  }
}

export function createMockForScenario(scenario: MockScenario): MockBackend {
  const latencyMs = 250;
  switch (scenario) {
    case "empty":
      return new MockBackend({ latencyMs });
    case "unconfigured":
      return new MockBackend({
        latencyMs,
        status: { version: "0.1.0", dbPath: ":memory:", schemaVersion: 1, mode: "unconfigured" },
      });
    case "error": {
      const locked = new BackendError(
        "DatabaseLocked",
        "The clinic database is busy right now. Wait a moment and try again.",
      );
      return new MockBackend({
        latencyMs,
        failures: { listThreads: locked, listPatients: locked },
      });
    }
    case "sample": {
      const now = Date.now();
      return new MockBackend({
        latencyMs,
        deliverAfterMs: 1500,
        patients: previewPatients(),
        threads: previewThreads(now),
        messages: previewMessages(now),
        flags: previewFlags(now),
        appointments: { appointments: previewAppointments(isoDay(new Date(now))) },
        optedOut: ["+14155550103"],
        sync: { status: { state: "online", lastSyncedAt: now, lastError: null }, backfill: [] },
      });
    }
    case "large": {
      // 20,000 threads and a 10,000-text conversation at the top, for looking at long lists.
      const now = Date.now();
      const threads = generateThreads(20_000, now);
      const first = threads[0];
      return new MockBackend({
        latencyMs,
        deliverAfterMs: 1500,
        threads,
        messages: first ? { [first.phone]: generateMessages(10_000, now) } : {},
        sync: { status: { state: "online", lastSyncedAt: now, lastError: null }, backfill: [] },
      });
    }
  }
}

export function chooseBackend(env: Environment): Backend {
  const scenario = mockScenario(env);
  return scenario ? createMockForScenario(scenario) : new TauriBackend();
}
