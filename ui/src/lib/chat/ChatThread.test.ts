import { fireEvent, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { thread } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { generateMessages } from "../backend/generate";
import { MockBackend, mockMessage, type MockOptions } from "../backend/mock";
import type { ThreadMessage } from "../bindings";
import ChatScreen from "../screens/ChatScreen.svelte";

const PHONE = "+14155550101";
const HOUR = 3600_000;

function ours(id: number, body: string, fields: Partial<ThreadMessage> = {}): ThreadMessage {
  return mockMessage({
    id,
    body,
    direction: "outbound",
    status: "delivered",
    localState: "submitted",
    createdAt: Date.now() - 2 * HOUR + id * 1000,
    ...fields,
  });
}

function theirs(id: number, body: string, fields: Partial<ThreadMessage> = {}): ThreadMessage {
  return mockMessage({ id, body, createdAt: Date.now() - 2 * HOUR + id * 1000, ...fields });
}

function openChat(messages: ThreadMessage[], options: MockOptions = {}) {
  const backend = new MockBackend({
    threads: [thread({ phone: PHONE, patientName: "Sample Patient" })],
    messages: { [PHONE]: messages },
    ...options,
  });
  const view = renderWithBackend(ChatScreen, backend, {
    thread: thread({ phone: PHONE, patientName: "Sample Patient" }),
    onGoToInbox: vi.fn(),
  });
  return { backend, view };
}

const input = () => screen.getByTestId(TestId.composerInput) as HTMLTextAreaElement;
const rows = () => screen.queryAllByTestId(TestId.messageRow);
const list = () => screen.getByTestId(TestId.messageList);

describe("Chat: the conversation", () => {
  it("shows a skeleton while loading, then the texts in order with their times", async () => {
    const backend = new MockBackend({
      messages: { [PHONE]: [theirs(1, "Is there parking?"), ours(2, "Yes, behind the building.")] },
    });
    backend.pause();
    renderWithBackend(ChatScreen, backend, { thread: thread({ phone: PHONE }), onGoToInbox: vi.fn() });
    expect(screen.getByTestId(TestId.chatLoading)).toHaveAttribute("aria-busy", "true");

    backend.resume();
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => r.querySelector(".body")?.textContent)).toEqual([
      "Is there parking?",
      "Yes, behind the building.",
    ]);
    expect(rows()[0]).toHaveAttribute("data-direction", "inbound");
    expect(rows()[0]).toHaveTextContent("From the patient:");
    expect(rows()[1]).toHaveTextContent("Sent by the clinic:");
    expect(rows()[0]!.querySelector("time")).toHaveAttribute("datetime");
  });

  it("explains an empty conversation and still lets the receptionist write", async () => {
    openChat([]);
    const empty = await screen.findByTestId(TestId.chatNoMessages);
    expect(empty).toHaveTextContent("No texts with Sample Patient yet. Write the first one below.");
    expect(input()).toBeEnabled();
  });

  it("shows a load error in plain words and recovers on Try again", async () => {
    const { backend } = openChat([theirs(1, "Hello")], {
      failures: { threadMessages: new BackendError("DatabaseLocked", "The clinic database is busy. Try again.") },
    });
    const error = await screen.findByTestId(TestId.chatError);
    expect(error).toHaveTextContent("We couldn't load the texts with Sample Patient.");
    expect(error).toHaveTextContent("The clinic database is busy. Try again.");
    expect(error).not.toHaveTextContent("DatabaseLocked");

    backend.fail("threadMessages", null);
    await userEvent.click(screen.getByTestId(TestId.chatRetry));
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
  });

  it("separates days", async () => {
    const now = Date.now();
    openChat([
      theirs(1, "Three days ago", { createdAt: now - 72 * HOUR }),
      theirs(2, "Yesterday", { createdAt: now - 24 * HOUR }),
      theirs(3, "Now", { createdAt: now }),
    ]);
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const separators = screen.getAllByTestId(TestId.daySeparator).map((d) => d.textContent);
    expect(separators).toHaveLength(3);
    expect(separators.slice(1)).toEqual(["Yesterday", "Today"]);
  });

  it("shows each delivery state with an icon and words", async () => {
    openChat([
      ours(1, "queued", { status: "queued", localState: "queued" }),
      ours(2, "sending", { status: "queued", localState: "sending" }),
      ours(3, "held", { status: "queued", localState: "held", localError: "Quiet hours until 08:00." }),
      ours(4, "sent", { status: "sent" }),
      ours(5, "delivered", { status: "delivered" }),
      ours(6, "undelivered", { status: "undelivered", errorCode: 30003, errorText: "The phone is switched off." }),
      ours(7, "failed", { status: "failed", errorCode: 30007, errorText: "The carrier filtered it as spam." }),
      theirs(8, "a reply"),
    ]);
    await vi.waitFor(() => expect(rows()).toHaveLength(8));
    const states = rows().map((row) => {
      const status = within(row).queryByTestId(TestId.messageStatus);
      return status ? [status.getAttribute("data-state"), status.textContent?.trim()] : null;
    });
    expect(states).toEqual([
      ["waiting", "Queued"],
      ["waiting", "Sending"],
      ["held", "Waiting to send"],
      ["sent", "✓ Sent"],
      ["delivered", "✓✓ Delivered"],
      ["failed", "⚠ Not delivered"],
      ["failed", "⚠ Failed"],
      null,
    ]);
    // The clock is drawn; waiting texts carry it, and nothing claims a tick.
    expect(rows()[0]!.querySelector("svg")).not.toBeNull();
    expect(rows()[2]).toHaveTextContent("Quiet hours until 08:00.");
  });

  it("says why a text failed, in plain words", async () => {
    openChat([ours(1, "See you", { status: "undelivered", errorCode: 30006, errorText: "The number is a landline." })]);
    const problem = await screen.findByTestId(TestId.messageProblem);
    expect(problem).toHaveTextContent("The number is a landline.");
    expect(problem.textContent).not.toMatch(/30006/);
  });

  it("renders a patient's text as text, never as markup", async () => {
    const body = '<img src=x onerror="alert(1)"><b>hi</b>';
    openChat([theirs(1, body)]);
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveTextContent(body);
    expect(rows()[0]!.querySelector("img, b")).toBeNull();
  });

  it("opens a 10,000-text thread at the newest text with only a window of rows in the page", async () => {
    const messages = generateMessages(10_000, Date.now());
    openChat(messages);
    await vi.waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const shown = rows().map((r) => Number(r.getAttribute("data-message-id")));
    expect(shown.length).toBeLessThan(60);
    expect(shown).toContain(10_000);
    expect(shown).not.toContain(1);
    // Screen readers still learn the conversation's length.
    const items = list().querySelectorAll('[role="listitem"]');
    expect(Number(items[0]!.getAttribute("aria-setsize"))).toBeGreaterThan(10_000);
  });
});

describe("Chat: live updates", () => {
  it("shows a new reply without any click and marks it read", async () => {
    const { backend } = openChat([ours(1, "Reminder for tomorrow")]);
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    const marks = () => backend.callsOf("markThreadRead").length;
    const before = marks();

    backend.receive(PHONE, "C");
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[1]).toHaveTextContent("C");
    await vi.waitFor(() => expect(marks()).toBe(before + 1));
  });

  it("marks the thread read when it opens with unread replies", async () => {
    const { backend } = openChat([theirs(1, "Hello?", { read: false })]);
    await vi.waitFor(() => expect(backend.callsOf("markThreadRead")).toEqual([{ method: "markThreadRead", args: [PHONE] }]));
  });

  it("ignores changes to other conversations", async () => {
    const { backend } = openChat([ours(1, "Hi")]);
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    const reads = backend.callsOf("threadMessages").length;
    backend.emit({ type: "threads", phones: ["+19995550100"] });
    await new Promise((r) => setTimeout(r, 0));
    expect(backend.callsOf("threadMessages").length).toBe(reads);
  });

  it("tells the engine while the chat is open", async () => {
    const { backend, view } = openChat([]);
    await vi.waitFor(() => expect(backend.callsOf("setChatOpen").map((c) => c.args)).toEqual([[true]]));
    view.unmount();
    expect(backend.callsOf("setChatOpen").map((c) => c.args)).toEqual([[true], [false]]);
  });

  it("follows new texts while at the bottom", async () => {
    const { backend } = openChat(generateMessages(300, Date.now() - HOUR));
    await vi.waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const before = list().scrollTop;
    backend.receive(PHONE, "Newest");
    await vi.waitFor(() => expect(screen.getByText("Newest")).toBeInTheDocument());
    expect(list().scrollTop).toBeGreaterThan(before);
    expect(screen.queryByTestId(TestId.chatNewBelow)).not.toBeInTheDocument();
  });

  it("keeps the place and counts new texts while scrolled up", async () => {
    const { backend } = openChat(generateMessages(300, Date.now() - HOUR));
    await vi.waitFor(() => expect(rows().length).toBeGreaterThan(0));
    list().scrollTop = 1200;
    await fireEvent.scroll(list());
    const firstShown = rows()[0]!.getAttribute("data-message-id");

    backend.receive(PHONE, "One");
    backend.receive(PHONE, "Two");
    const badge = await screen.findByTestId(TestId.chatNewBelow);
    await vi.waitFor(() => expect(badge).toHaveTextContent("2 new texts"));
    expect(list().scrollTop).toBe(1200);
    expect(rows()[0]!.getAttribute("data-message-id")).toBe(firstShown);
    expect(screen.queryByText("Two")).not.toBeInTheDocument();

    await userEvent.click(badge);
    await vi.waitFor(() => expect(screen.getByText("Two")).toBeInTheDocument());
    expect(screen.queryByTestId(TestId.chatNewBelow)).not.toBeInTheDocument();
  });
});

describe("Chat: opt-out", () => {
  it("shows the banner and turns the composer off", async () => {
    openChat([theirs(1, "STOP")], { optedOut: [PHONE] });
    const banner = await screen.findByTestId(TestId.optOutBanner);
    expect(banner).toHaveTextContent("Sample Patient has opted out of texts.");
    expect(banner).toHaveTextContent("START");
    expect(input()).toBeDisabled();
    expect(input().getAttribute("aria-describedby")).toContain(banner.id);
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
  });

  it("shows the banner when the core refuses a send because the patient just opted out", async () => {
    const { backend } = openChat([ours(1, "Hi")]);
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    backend.setOptedOut(PHONE, true);
    await userEvent.type(input(), "Are you coming?{Enter}");
    expect(await screen.findByTestId(TestId.composerError)).toHaveTextContent(/opted out of texts/);
    expect(await screen.findByTestId(TestId.optOutBanner)).toBeInTheDocument();
    expect(input()).toBeDisabled();
  });
});
