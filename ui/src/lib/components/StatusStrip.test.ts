import { screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import type { AppMode } from "../bindings";
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
