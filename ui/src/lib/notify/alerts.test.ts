import { waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { thread } from "../../test/fixtures";
import { MockBackend } from "../backend/mock";
import { startDesktopAlerts } from "./alerts";

function setUp(focused: boolean, openChatPhone: string | null) {
  const backend = new MockBackend({ threads: [thread({ phone: "+14155550134", patientName: "Ana Rivera", unread: 1 })] });
  const stop = startDesktopAlerts(backend, { focused: () => focused, openChatPhone: () => openChatPhone });
  return { backend, stop };
}

const reply = { phone: "+14155550134", patientName: "Ana Rivera", body: "See you soon" };

describe("desktop alerts", () => {
  it("shows the unread count in the window title at start and as replies arrive", async () => {
    const { backend, stop } = setUp(false, null);
    await waitFor(() => expect(backend.windowTitle).toBe("Clinic Desk (1 unread)"));
    backend.receive("+14155550134", "See you soon");
    await waitFor(() => expect(backend.windowTitle).toBe("Clinic Desk (2 unread)"));
    await backend.markThreadRead("+14155550134");
    backend.emit({ type: "threads", phones: ["+14155550134"] });
    await waitFor(() => expect(backend.windowTitle).toBe("Clinic Desk"));
    stop();
  });

  it("notifies a new reply when the window is not on that chat, with the number a click opens", async () => {
    const { backend, stop } = setUp(true, "+19999999999");
    backend.emit({ type: "threads", phones: [reply.phone], reply });
    await waitFor(() =>
      expect(backend.notifications).toEqual([
        { title: "New reply", body: "Ana Rivera: See you soon", phone: "+14155550134" },
      ]),
    );
    stop();
  });

  it("does not notify the chat being read, nor changes that are not replies", async () => {
    const { backend, stop } = setUp(true, reply.phone);
    backend.emit({ type: "threads", phones: [reply.phone], reply });
    backend.emit({ type: "threads" });
    await waitFor(() => expect(backend.callsOf("listThreads").length).toBeGreaterThan(1));
    expect(backend.notifications).toEqual([]);
    stop();
  });

  it("stops listening when stopped", async () => {
    const { backend, stop } = setUp(false, null);
    stop();
    backend.emit({ type: "threads", phones: [reply.phone], reply });
    await new Promise((r) => setTimeout(r, 10));
    expect(backend.notifications).toEqual([]);
  });
});
