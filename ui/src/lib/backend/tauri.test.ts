import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { patient, thread } from "../../test/fixtures";
import type { NewPatient } from "../bindings";
import { BackendError } from "./errors";
import { STORE_CHANGED_EVENT } from "./events";
import { OPEN_CHAT_EVENT, TauriBackend } from "./tauri";

afterEach(() => {
  clearMocks();
});

const input: NewPatient = {
  firstName: "Sample",
  lastName: "Patient",
  phone: "(415) 555-0134",
  preferredLanguage: null,
  timeZone: null,
};

describe("TauriBackend", () => {
  it("invokes the Rust command names with the documented argument shapes", async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      switch (cmd) {
        case "app_status":
          return { version: "1.2.3", dbPath: "/tmp/x.db", schemaVersion: 4, mode: "live" };
        case "list_patients":
          return [patient()];
        case "add_patient":
          return patient({ id: 9 });
        case "list_threads":
          return [thread()];
      }
      throw new Error(`unexpected command ${cmd}`);
    });

    const backend = new TauriBackend();
    await expect(backend.appStatus()).resolves.toMatchObject({ version: "1.2.3", mode: "live" });
    await expect(backend.listPatients()).resolves.toEqual([patient()]);
    await expect(backend.addPatient(input)).resolves.toMatchObject({ id: 9 });
    await expect(backend.listThreads()).resolves.toEqual([thread()]);

    expect(seen.map(([cmd]) => cmd)).toEqual([
      "app_status",
      "list_patients",
      "add_patient",
      "list_threads",
    ]);
    expect(seen[2]?.[1]).toEqual({ input });
  });

  it("invokes the chat's commands with the argument names the Rust side declares", async () => {
    const seen: Array<[string, unknown]> = [];
    const preview = {
      segments: { encoding: "GSM-7", segments: 1, units: 2, units_left_in_segment: 158, non_gsm_chars: [] },
      costEstimate: 0.0079,
      chars: 2,
      maxChars: 1600,
      footer: null,
    };
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      switch (cmd) {
        case "thread_messages":
          return [];
        case "thread_context":
          return { phone: "+14155550101", patientName: null, optedOut: false, upcoming: [] };
        case "send_text":
          return { id: 1 };
        case "preview_text":
          return preview;
        case "sync_status":
          return { status: null, backfill: [] };
        case "mark_thread_read":
        case "set_chat_open":
          return null;
      }
      throw new Error(`unexpected command ${cmd}`);
    });

    const backend = new TauriBackend();
    const phone = "+14155550101";
    await backend.threadMessages(phone);
    await backend.threadContext(phone);
    await backend.sendText({ to: phone, body: "Hi", overrideReason: "Patient asked" });
    await backend.markThreadRead(phone);
    await backend.setChatOpen(true);
    await expect(backend.previewText("Hi", phone)).resolves.toEqual(preview);
    await backend.previewText("Hi");
    await expect(backend.syncStatus()).resolves.toEqual({ status: null, backfill: [] });

    expect(seen).toEqual([
      ["thread_messages", { phone }],
      ["thread_context", { phone }],
      ["send_text", { input: { to: phone, body: "Hi", overrideReason: "Patient asked" } }],
      ["mark_thread_read", { phone }],
      ["set_chat_open", { open: true }],
      ["preview_text", { body: "Hi", to: phone }],
      ["preview_text", { body: "Hi", to: null }],
      ["sync_status", {}],
    ]);
  });

  it("reads the dashboard's figures", async () => {
    const figures = {
      delivery: { delivered: 1, failed: 0, rate: 1, alert: false },
      perDay: [],
      perMonth: [],
      failures: [],
    };
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      if (cmd === "dashboard") return figures;
      throw new Error(`unexpected command ${cmd}`);
    });
    await expect(new TauriBackend().dashboard()).resolves.toEqual(figures);
    expect(seen).toEqual(["dashboard"]);
  });

  it("turns an IpcError rejection into a typed BackendError", async () => {
    mockIPC(() => {
      throw { code: "InvalidNumber", message: "“12” is not a phone number." };
    });
    const error = await new TauriBackend().addPatient({ ...input, phone: "12" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "InvalidNumber", message: "“12” is not a phone number." });
  });

  it("delivers store-changed events, batched or single, until unsubscribed", async () => {
    mockIPC(() => undefined, { shouldMockEvents: true });
    const handler = vi.fn();
    const unsubscribe = new TauriBackend().onEvent(handler);
    await vi.waitFor(async () => {
      await emit(STORE_CHANGED_EVENT, { type: "threadsChanged", phones: [] });
      expect(handler).toHaveBeenCalled();
    });
    handler.mockClear();

    await emit(STORE_CHANGED_EVENT, [
      { type: "patientsChanged" },
      { type: "syncStatus", state: "online", lastSyncedAt: 5, lastError: null },
    ]);
    expect(handler.mock.calls).toEqual([
      [{ type: "patients" }],
      [{ type: "sync", status: { state: "online", lastSyncedAt: 5, lastError: null } }],
    ]);

    unsubscribe();
    handler.mockClear();
    await emit(STORE_CHANGED_EVENT, { type: "threadsChanged", phones: [] });
    expect(handler).not.toHaveBeenCalled();
  });

  it("asks the shell for a reply notification that carries the patient's number", async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    await new TauriBackend().showNotification({ title: "New reply", body: "Ana: See you soon" }, "+14155550134");
    expect(seen).toEqual([["show_reply_alert", { phone: "+14155550134", title: "New reply", body: "Ana: See you soon" }]]);
  });

  it("hears a clicked notification's number until unsubscribed, ignoring malformed events", async () => {
    mockIPC(() => undefined, { shouldMockEvents: true });
    const handler = vi.fn();
    const unsubscribe = new TauriBackend().onOpenChat(handler);
    await vi.waitFor(async () => {
      await emit(OPEN_CHAT_EVENT, { phone: "+14155550134" });
      expect(handler).toHaveBeenCalledWith("+14155550134");
    });
    handler.mockClear();
    await emit(OPEN_CHAT_EVENT, { phone: 5 });
    await emit(OPEN_CHAT_EVENT, null);
    expect(handler).not.toHaveBeenCalled();

    unsubscribe();
    await emit(OPEN_CHAT_EVENT, { phone: "+14155550134" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("honours an unsubscribe that happens before the listener is registered", async () => {
    mockIPC(() => undefined, { shouldMockEvents: true });
    const handler = vi.fn();
    new TauriBackend().onEvent(handler)();
    await new Promise((r) => setTimeout(r, 0));
    await emit(STORE_CHANGED_EVENT, { type: "threadsChanged", phones: [] });
    expect(handler).not.toHaveBeenCalled();
  });
});
