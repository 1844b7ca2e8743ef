import { screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { thread } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { generateThreads } from "../backend/generate";
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

  it("keeps a thread's flags visible in the list", async () => {
    renderInbox(
      new MockBackend({
        threads: [thread({ phone: "+1", flagged: true }), thread({ phone: "+2", optedOut: true })],
      }),
    );
    const rows = await screen.findAllByTestId(TestId.threadRow);
    expect(within(rows[0]!).getByTestId(TestId.threadFlagged)).toHaveTextContent("Flagged");
    expect(within(rows[1]!).getByTestId(TestId.threadOptedOut)).toHaveTextContent("Opted out");
  });
});

describe("Inbox search and filters", () => {
  const threads = [
    thread({ phone: "+14155550101", patientName: "Sample Patient", lastBody: "Is there parking?", unread: 0 }),
    thread({ phone: "+14155550177", patientName: null, lastBody: "See you", lastDirection: "outbound" }),
    thread({ phone: "+12125550142", patientName: "Example Person", lastBody: "R", unread: 2, flagged: true }),
    thread({ phone: "+13125550199", patientName: "Opted Person", lastBody: "STOP", optedOut: true }),
  ];
  const names = () => screen.queryAllByTestId(TestId.threadRow).map((r) => r.querySelector(".thread-name")?.textContent);

  it("searches by name, number and text as the receptionist types", async () => {
    renderInbox(new MockBackend({ threads }));
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    expect(screen.getByTestId(TestId.inboxCount)).toHaveTextContent("4 conversations");
    const search = screen.getByRole("searchbox", { name: /Search conversations/ });

    await user.type(search, "person");
    expect(names()).toEqual(["Example Person", "Opted Person"]);
    expect(screen.getByTestId(TestId.inboxCount)).toHaveTextContent("Showing 2 of 4");

    await user.clear(search);
    await user.type(search, "(415) 555-0177");
    expect(names()).toEqual(["(415) 555-0177"]);

    await user.clear(search);
    await user.type(search, "parking");
    expect(names()).toEqual(["Sample Patient"]);
  });

  it("filters to threads that need a reply, are flagged or opted out, with counts", async () => {
    renderInbox(new MockBackend({ threads }));
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    expect(screen.getByRole("radio", { name: /Needs reply/ }).closest("label")).toHaveTextContent("Needs reply 2");

    await user.click(screen.getByTestId(TestId.inboxFilterNeedsReply));
    expect(names()).toEqual(["Sample Patient", "Example Person"]);
    await user.click(screen.getByTestId(TestId.inboxFilterFlagged));
    expect(names()).toEqual(["Example Person"]);
    await user.click(screen.getByTestId(TestId.inboxFilterOptedOut));
    expect(names()).toEqual(["Opted Person"]);
    await user.click(screen.getByTestId(TestId.inboxFilterAll));
    expect(names()).toHaveLength(4);
  });

  it("can put unread conversations first", async () => {
    renderInbox(new MockBackend({ threads }));
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    expect(screen.getByRole("heading", { level: 1 }).parentElement).toHaveTextContent("Most recent conversations first.");

    await user.click(screen.getByRole("checkbox", { name: "Unread first" }));
    expect(names()[0]).toBe("Example Person");
    expect(screen.getByText("Unread conversations first, then the most recent.")).toBeInTheDocument();
  });

  it("says when nothing matches and clears the search in one click", async () => {
    const onViewChange = vi.fn();
    renderWithBackend(InboxScreen, new MockBackend({ threads }), { onOpenThread: vi.fn(), onViewChange });
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    await user.type(screen.getByTestId(TestId.inboxSearch), "nobody here");
    expect(screen.getByTestId(TestId.inboxNoMatches)).toHaveTextContent("No conversations match “nobody here”.");
    expect(onViewChange).toHaveBeenLastCalledWith({ query: "nobody here", filter: "all", unreadFirst: false });

    await user.click(screen.getByTestId(TestId.inboxClearFilters));
    expect(names()).toHaveLength(4);
    expect(screen.getByTestId(TestId.inboxSearch)).toHaveValue("");
  });

  it("starts from the view it is given", async () => {
    renderWithBackend(InboxScreen, new MockBackend({ threads }), {
      onOpenThread: vi.fn(),
      initialView: { query: "", filter: "optedOut" as const, unreadFirst: false },
    });
    await screen.findByTestId(TestId.threadList);
    expect(names()).toEqual(["Opted Person"]);
    expect(screen.getByTestId(TestId.inboxFilterOptedOut)).toBeChecked();
  });

  it("keeps 20,000 conversations to a window of rows and filters them", async () => {
    const many = generateThreads(20_000, Date.now());
    renderInbox(new MockBackend({ threads: many }));
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    expect(screen.getByTestId(TestId.inboxCount)).toHaveTextContent("20,000 conversations");
    expect(screen.getAllByTestId(TestId.threadRow).length).toBeLessThan(40);

    await user.click(screen.getByTestId(TestId.inboxFilterOptedOut));
    const optedOut = many.filter((t) => t.optedOut).length;
    expect(screen.getByTestId(TestId.inboxCount)).toHaveTextContent(`Showing ${optedOut.toLocaleString()} of 20,000`);
    for (const row of screen.getAllByTestId(TestId.threadRow)) {
      expect(within(row).getByTestId(TestId.threadOptedOut)).toBeInTheDocument();
    }
  });

  it("moves between conversations with the arrow keys, one Tab stop for the list", async () => {
    const many = generateThreads(500, Date.now());
    const onOpen = renderInbox(new MockBackend({ threads: many }));
    const user = userEvent.setup();
    await screen.findByTestId(TestId.threadList);
    const rows = screen.getAllByTestId(TestId.threadRow);
    expect(rows.filter((r) => r.tabIndex === 0)).toHaveLength(1);

    rows[0]!.focus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(document.activeElement).toHaveAttribute("tabindex", "0");
    expect(document.activeElement?.closest("[data-index]")).toHaveAttribute("data-index", "2");

    // End reaches the last conversation even though it was never in the page before.
    await user.keyboard("{End}");
    await vi.waitFor(() =>
      expect(document.activeElement?.closest("[data-index]")).toHaveAttribute("data-index", "499"),
    );
    await user.keyboard("{Enter}");
    expect(onOpen).toHaveBeenCalledWith(many[499]);

    await user.keyboard("{Home}");
    await vi.waitFor(() =>
      expect(document.activeElement?.closest("[data-index]")).toHaveAttribute("data-index", "0"),
    );
  });
});
