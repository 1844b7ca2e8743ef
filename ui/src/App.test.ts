import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { BackendError } from "./lib/backend/errors";
import { MockBackend, mockMessage } from "./lib/backend/mock";
import { SCREENS } from "./lib/navigation";
import { TestId } from "./lib/testids";
import { thread } from "./test/fixtures";

const EMPTY_STATES: Record<string, { id: string; text: RegExp }> = {
  chat: { id: TestId.chatEmpty, text: /Choose a conversation in the Inbox to open the patient's chat\./ },
  appointments: { id: TestId.appointmentsEmpty, text: /No appointments on this day\./ },
  compliance: { id: TestId.flagsEmpty, text: /Nothing is waiting for staff\./ },
  dashboard: { id: TestId.dashboardEmpty, text: /Nothing to report yet\./ },
};

function renderApp(backend = new MockBackend()) {
  render(App, { props: { backend } });
  return backend;
}

describe("App shell", () => {
  it("has the landmarks, the status strip and the Inbox first", async () => {
    renderApp();
    expect(screen.getByTestId(TestId.appShell)).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
    expect(screen.getByRole("main")).toContainElement(screen.getByTestId(TestId.screenInbox));
    expect(await screen.findByTestId(TestId.demoBanner)).toBeInTheDocument();
    expect(screen.getByTestId(TestId.navInbox)).toHaveAttribute("aria-current", "page");
  });

  it.each(SCREENS.map((s) => [s.label, s] as const))(
    "navigates to %s and shows its heading",
    async (_label, info) => {
      renderApp();
      const user = userEvent.setup();
      if (info.id !== "inbox") {
        await user.click(screen.getByTestId(TestId.navDashboard));
      }
      await user.click(screen.getByTestId(TestId[info.nav]));

      const section = screen.getByTestId(TestId[info.screen]);
      const heading = within(section).getByTestId(TestId.screenHeading);
      expect(heading.tagName).toBe("H1");
      expect(heading).toHaveTextContent(info.label);
      expect(screen.getAllByTestId(TestId.screenHeading)).toHaveLength(1);
      expect(screen.getByTestId(TestId[info.nav])).toHaveAttribute("aria-current", "page");

      const empty = EMPTY_STATES[info.id];
      // Screens that read from the core show their empty state once the (mock) read settles.
      if (empty) expect(await within(section).findByTestId(empty.id)).toHaveTextContent(empty.text);
      // The strip stays visible on every screen.
      expect(screen.getByTestId(TestId.statusStrip)).toBeInTheDocument();
    },
  );

  it("moves focus to the new screen's heading after navigating", async () => {
    renderApp();
    await userEvent.click(screen.getByTestId(TestId.navAppointments));
    expect(screen.getByRole("heading", { level: 1, name: "Appointments" })).toHaveFocus();
  });

  it("supports arrow keys in the navigation rail", async () => {
    renderApp();
    const user = userEvent.setup();
    screen.getByTestId(TestId.navInbox).focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId(TestId.navChat)).toHaveFocus();
    await user.keyboard("{End}");
    expect(screen.getByTestId(TestId.navDashboard)).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId(TestId.navInbox)).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByTestId(TestId.navDashboard)).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByTestId(TestId.screenDashboard)).toBeInTheDocument();
  });

  it("opens a conversation from the Inbox in the Chat screen", async () => {
    const chosen = thread({ patientName: "Sample Patient", lastBody: "Running 10 minutes late" });
    renderApp(
      new MockBackend({
        threads: [chosen],
        messages: {
          [chosen.phone]: [mockMessage({ id: 1, body: "Running 10 minutes late", createdAt: chosen.lastAt })],
        },
      }),
    );
    await userEvent.click(await screen.findByTestId(TestId.threadRow));
    const chat = await screen.findByTestId(TestId.chatThread);
    expect(chat).toHaveTextContent("Sample Patient");
    expect(chat).toHaveTextContent("Running 10 minutes late");
    expect(screen.getByTestId(TestId.navChat)).toHaveAttribute("aria-current", "page");
  });

  it("keeps the Inbox search after a visit to a chat", async () => {
    renderApp(
      new MockBackend({
        threads: [
          thread({ phone: "+14155550101", patientName: "Sample Patient" }),
          thread({ phone: "+14155550102", patientName: "Example Person" }),
        ],
      }),
    );
    const user = userEvent.setup();
    await screen.findAllByTestId(TestId.threadRow);
    await user.type(screen.getByTestId(TestId.inboxSearch), "example");
    expect(screen.getAllByTestId(TestId.threadRow)).toHaveLength(1);
    await user.click(screen.getByTestId(TestId.threadRow));
    await screen.findByTestId(TestId.chatThread);

    await user.click(screen.getByTestId(TestId.navInbox));
    expect(screen.getByTestId(TestId.inboxSearch)).toHaveValue("example");
    await vi.waitFor(() => expect(screen.getAllByTestId(TestId.threadRow)).toHaveLength(1));
    expect(screen.getByTestId(TestId.threadRow)).toHaveTextContent("Example Person");
  });

  it("opens the patient's chat when a reply notification is clicked", async () => {
    const replied = thread({ phone: "+14155550134", patientName: "Ana Rivera", lastBody: "See you soon" });
    const backend = renderApp(
      new MockBackend({
        threads: [thread(), replied],
        messages: { [replied.phone]: [mockMessage({ id: 1, body: "See you soon", createdAt: replied.lastAt })] },
      }),
    );
    await userEvent.click(screen.getByTestId(TestId.navAppointments));

    backend.clickNotification(replied.phone);

    const chat = await screen.findByTestId(TestId.chatThread);
    expect(chat).toHaveTextContent("Ana Rivera");
    expect(chat).toHaveTextContent("See you soon");
    expect(screen.getByTestId(TestId.navChat)).toHaveAttribute("aria-current", "page");
    await vi.waitFor(() => expect(screen.getByRole("heading", { level: 1, name: "Chat" })).toHaveFocus());
  });

  it("opens the chat of a clicked notification even when the Inbox cannot be read", async () => {
    const backend = renderApp(new MockBackend({ messages: { "+14155550177": [mockMessage({ id: 1, body: "Hello?" })] } }));
    backend.fail("listThreads", new BackendError("DatabaseLocked", "The database is busy."));

    backend.clickNotification("+14155550177");

    const chat = await screen.findByTestId(TestId.chatThread);
    expect(chat).toHaveTextContent("Hello?");
  });

  it("keeps an unsent text in a chat while another is open, and forgets it once sent", async () => {
    const first = thread({ phone: "+14155550101", patientName: "Sample Patient" });
    const second = thread({ phone: "+14155550134", patientName: "Ana Rivera" });
    const backend = renderApp(
      new MockBackend({
        threads: [first, second],
        messages: {
          [first.phone]: [mockMessage({ id: 1, body: "Hello", createdAt: first.lastAt })],
          [second.phone]: [mockMessage({ id: 2, body: "See you soon", createdAt: second.lastAt })],
        },
      }),
    );
    const user = userEvent.setup();
    const composer = () => screen.getByTestId(TestId.composerInput) as HTMLTextAreaElement;
    const chatWith = async (name: string) =>
      vi.waitFor(() => expect(screen.getByTestId(TestId.chatThread)).toHaveTextContent(name));

    await user.click((await screen.findAllByTestId(TestId.threadRow))[0] as HTMLElement);
    await chatWith("Sample Patient");
    await user.type(composer(), "Your forms are ready");

    // A reply notification opens the other chat, whose box starts empty.
    backend.clickNotification(second.phone);
    await chatWith("Ana Rivera");
    expect(composer()).toHaveValue("");

    // Back from the Inbox: the text is where it was left.
    await user.click(screen.getByTestId(TestId.navInbox));
    const rows = await screen.findAllByTestId(TestId.threadRow);
    await user.click(rows.find((row) => row.textContent?.includes("Sample Patient")) as HTMLElement);
    await chatWith("Sample Patient");
    expect(composer()).toHaveValue("Your forms are ready");

    await user.click(screen.getByTestId(TestId.composerSend));
    await vi.waitFor(() => expect(backend.callsOf("sendText")).toHaveLength(1));
    expect(backend.callsOf("sendText")[0]?.args[0]).toEqual({ to: first.phone, body: "Your forms are ready" });
    await vi.waitFor(() => expect(composer()).toHaveValue(""));

    backend.clickNotification(second.phone);
    await chatWith("Ana Rivera");
    backend.clickNotification(first.phone);
    await chatWith("Sample Patient");
    expect(composer()).toHaveValue("");
  });

  it("goes back to the Inbox from the Chat empty state", async () => {
    renderApp();
    const user = userEvent.setup();
    await user.click(screen.getByTestId(TestId.navChat));
    await user.click(screen.getByRole("button", { name: "Go to the Inbox" }));
    expect(screen.getByTestId(TestId.screenInbox)).toBeInTheDocument();
  });
});
