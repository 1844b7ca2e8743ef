import { screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend, type MockOptions } from "../backend/mock";
import type { AppMode, SyncState } from "../bindings";
import StatusStrip from "./StatusStrip.svelte";

function backendIn(mode: AppMode) {
  return new MockBackend({
    status: { version: "2.4.1", dbPath: "/tmp/clinic.db", schemaVersion: 3, mode },
  });
}

describe("StatusStrip", () => {
  it("shows the demo banner and the version in demo mode", async () => {
    renderWithBackend(StatusStrip, backendIn("demo"), {});
    expect(await screen.findByTestId(TestId.demoBanner)).toHaveTextContent(
      "Demo mode — no real texts are sent",
    );
    expect(screen.getByTestId(TestId.statusVersion)).toHaveTextContent("Version 2.4.1");
    expect(screen.queryByTestId(TestId.unconfiguredHint)).not.toBeInTheDocument();
  });

  it("hints that Twilio is not set up when unconfigured", async () => {
    renderWithBackend(StatusStrip, backendIn("unconfigured"), {});
    expect(await screen.findByTestId(TestId.unconfiguredHint)).toHaveTextContent(
      /Twilio not set up yet/,
    );
    expect(screen.queryByTestId(TestId.demoBanner)).not.toBeInTheDocument();
  });

  it("shows neither banner nor hint when live", async () => {
    renderWithBackend(StatusStrip, backendIn("live"), {});
    expect(await screen.findByTestId(TestId.statusMode)).toHaveAttribute("data-mode", "live");
    expect(screen.queryByTestId(TestId.demoBanner)).not.toBeInTheDocument();
    expect(screen.queryByTestId(TestId.unconfiguredHint)).not.toBeInTheDocument();
  });

  it("says in words when the status can't be read", async () => {
    const backend = new MockBackend({
      failures: { appStatus: new BackendError("DatabaseTooNew", "Update Clinic Desk on this computer.") },
    });
    renderWithBackend(StatusStrip, backend, {});
    const error = await screen.findByTestId(TestId.statusError);
    expect(error).toHaveTextContent("Update Clinic Desk on this computer.");
    expect(error).not.toHaveTextContent("DatabaseTooNew");
  });

  it("re-reads the status when the core says it changed", async () => {
    const backend = backendIn("demo");
    renderWithBackend(StatusStrip, backend, {});
    await screen.findByTestId(TestId.demoBanner);
    const before = backend.calls.filter((c) => c.method === "appStatus").length;
    backend.emit({ type: "status" });
    await vi.waitFor(() =>
      expect(backend.calls.filter((c) => c.method === "appStatus").length).toBe(before + 1),
    );
    // A quiet refresh keeps the banner on screen instead of flashing a loading state.
    expect(screen.getByTestId(TestId.demoBanner)).toBeInTheDocument();
  });
});

describe("StatusStrip: sync state", () => {
  const at = Date.UTC(2025, 2, 14, 15, 4);

  function live(sync: MockOptions["sync"]) {
    return new MockBackend({
      status: { version: "1.0.0", dbPath: "/tmp/c.db", schemaVersion: 1, mode: "live" },
      sync,
    });
  }

  function liveIn(state: SyncState, lastError: string | null = null) {
    return live({ status: { state, lastSyncedAt: at, lastError }, backfill: [] });
  }

  it("shows online and when it last synced, from the engine's last announcement", async () => {
    renderWithBackend(StatusStrip, liveIn("online"), {});
    const sync = await screen.findByTestId(TestId.syncState);
    await vi.waitFor(() => expect(sync).toHaveAttribute("data-state", "online"));
    const time = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" }).format(at);
    expect(sync).toHaveTextContent(`Online · last synced ${time}`);
  });

  it("says offline in words that tell the receptionist texts are not lost", async () => {
    renderWithBackend(StatusStrip, liveIn("offline", "no route"), {});
    const sync = await screen.findByTestId(TestId.syncState);
    await vi.waitFor(() =>
      expect(sync).toHaveTextContent("Offline — texts wait and go out when the connection is back"),
    );
  });

  it("says when Twilio refuses the credentials and who can fix it", async () => {
    renderWithBackend(StatusStrip, liveIn("authError"), {});
    const sync = await screen.findByTestId(TestId.syncState);
    await vi.waitFor(() => expect(sync).toHaveTextContent("re-enters them in Settings"));
  });

  it("follows the engine's events: connecting, back-fill progress, then online", async () => {
    const backend = live({ status: null, backfill: [] });
    renderWithBackend(StatusStrip, backend, {});
    const sync = await screen.findByTestId(TestId.syncState);
    await vi.waitFor(() => expect(sync).toHaveTextContent("Connecting to Twilio…"));

    backend.emit({ type: "backfill", progress: { direction: "inbound", fetched: 10_000, oldestAt: at } });
    backend.emit({ type: "backfill", progress: { direction: "outbound", fetched: 2_500, oldestAt: null } });
    const progress = await screen.findByTestId(TestId.backfillProgress);
    const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", year: "numeric" }).format(at);
    expect(progress).toHaveTextContent(`Loading message history: 12,500 texts, back to ${day}`);
    expect(within(progress).getByRole("progressbar", { name: "Loading message history" })).toBeInTheDocument();

    backend.emit({ type: "sync", status: { state: "online", lastSyncedAt: at, lastError: null } });
    await vi.waitFor(() => expect(sync).toHaveAttribute("data-state", "online"));
    expect(screen.queryByTestId(TestId.backfillProgress)).not.toBeInTheDocument();
    // Sync events carry their state: nothing is re-read for them.
    expect(backend.callsOf("syncStatus")).toHaveLength(1);
    expect(backend.callsOf("appStatus")).toHaveLength(1);
  });

  it("shows a back-fill already under way when the window opens", async () => {
    renderWithBackend(
      StatusStrip,
      live({ status: null, backfill: [{ direction: "inbound", fetched: 30_000, oldestAt: null }] }),
      {},
    );
    expect(await screen.findByTestId(TestId.backfillProgress)).toHaveTextContent("30,000 texts");
  });

  it("leaves sync out while Twilio is not set up", async () => {
    renderWithBackend(StatusStrip, backendIn("unconfigured"), {});
    await screen.findByTestId(TestId.unconfiguredHint);
    expect(screen.queryByTestId(TestId.syncState)).not.toBeInTheDocument();
  });
});
