import { screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { thread } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import InboxScreen from "./InboxScreen.svelte";

function renderInbox(backend: MockBackend, onOpenThread = vi.fn()) {
  renderWithBackend(InboxScreen, backend, { onOpenThread });
  return onOpenThread;
}

describe("Inbox", () => {
  it("shows a skeleton while loading, then the conversations", async () => {
    const backend = new MockBackend({ threads: [thread()] });
    backend.pause();
    renderInbox(backend);
    expect(screen.getByTestId(TestId.inboxLoading)).toHaveAttribute("aria-busy", "true");
    expect(screen.queryByTestId(TestId.threadList)).not.toBeInTheDocument();

    backend.resume();
    expect(await screen.findByTestId(TestId.threadList)).toBeInTheDocument();
    expect(screen.queryByTestId(TestId.inboxLoading)).not.toBeInTheDocument();
  });

  it("has a heading and explains an empty inbox to the receptionist", async () => {
    renderInbox(new MockBackend());
    expect(screen.getByRole("heading", { level: 1, name: "Inbox" })).toBeInTheDocument();
    const empty = await screen.findByTestId(TestId.inboxEmpty);
    expect(empty).toHaveTextContent("No conversations yet. Texts from patients will appear here.");
  });

  it("lists conversations in the core's order with unread counts and who wrote last", async () => {
    const backend = new MockBackend({
      threads: [
        thread({ phone: "+14155550101", patientName: "Sample Patient", unread: 3, lastBody: "C" }),
        thread({
          phone: "+14155550177",
          patientId: null,
          patientName: null,
          lastBody: "Your appointment is confirmed.",
          lastDirection: "outbound",
        }),
      ],
    });
    renderInbox(backend);
    await screen.findByTestId(TestId.threadList);
    const rows = screen.getAllByTestId(TestId.threadRow);
    expect(rows).toHaveLength(2);

    expect(rows[0]).toHaveTextContent("Sample Patient");
    expect(within(rows[0]!).getByTestId(TestId.threadUnread)).toHaveTextContent("3 unread");

    // Unknown numbers are shown as a readable phone number, outbound previews say "You:".
    expect(rows[1]).toHaveTextContent("(415) 555-0177");
    expect(rows[1]).toHaveTextContent("You: Your appointment is confirmed.");
    expect(within(rows[1]!).queryByTestId(TestId.threadUnread)).not.toBeInTheDocument();
  });

  it("renders a patient's text as text, never as markup", async () => {
    const body = '<img src=x onerror="alert(1)"><b>hi</b>';
    renderInbox(new MockBackend({ threads: [thread({ lastBody: body })] }));
    const row = await screen.findByTestId(TestId.threadRow);
    expect(row).toHaveTextContent(body);
    expect(row.querySelector("img, b")).toBeNull();
  });

  it("opens the chat for the chosen conversation", async () => {
    const chosen = thread({ phone: "+14155550188", patientName: "Example Person" });
    const onOpen = renderInbox(new MockBackend({ threads: [chosen] }));
    await userEvent.click(await screen.findByTestId(TestId.threadRow));
    expect(onOpen).toHaveBeenCalledWith(chosen);
  });

  it("shows the error in plain words and recovers on Try again", async () => {
    const backend = new MockBackend({
      threads: [thread()],
      failures: {
        listThreads: new BackendError(
          "DatabaseLocked",
          "The clinic database is busy. Wait a moment and try again.",
        ),
      },
    });
    renderInbox(backend);
    const error = await screen.findByTestId(TestId.inboxError);
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("We couldn't load the conversations.");
    expect(error).toHaveTextContent("The clinic database is busy. Wait a moment and try again.");
    expect(error).not.toHaveTextContent("DatabaseLocked");

    backend.fail("listThreads", null);
    await userEvent.click(screen.getByTestId(TestId.inboxRetry));
    expect(await screen.findByTestId(TestId.threadList)).toBeInTheDocument();
    expect(screen.queryByTestId(TestId.inboxError)).not.toBeInTheDocument();
  });

  it("re-reads the list when the core reports new texts, without flashing a skeleton", async () => {
    const backend = new MockBackend({ threads: [thread()] });
    renderInbox(backend);
    await screen.findByTestId(TestId.threadList);

    backend.setThreads([
      thread({ phone: "+14155550199", patientName: "Another Sample", unread: 1 }),
      thread(),
    ]);
    backend.pause();
    backend.emit({ type: "threads" });
    expect(screen.queryByTestId(TestId.inboxLoading)).not.toBeInTheDocument();
    expect(screen.getAllByTestId(TestId.threadRow)).toHaveLength(1);

    backend.resume();
    await vi.waitFor(() => expect(screen.getAllByTestId(TestId.threadRow)).toHaveLength(2));
    expect(screen.getAllByTestId(TestId.threadRow)[0]).toHaveTextContent("Another Sample");
  });

  it("ignores changes to other data", async () => {
    const backend = new MockBackend({ threads: [thread()] });
    renderInbox(backend);
    await screen.findByTestId(TestId.threadList);
    const reads = () => backend.calls.filter((c) => c.method === "listThreads").length;
    const before = reads();
    backend.emit({ type: "status" });
    await new Promise((r) => setTimeout(r, 0));
    expect(reads()).toBe(before);
  });
});
