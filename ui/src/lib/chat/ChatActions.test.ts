import { screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { thread } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend, mockMessage, type MockOptions } from "../backend/mock";
import { mockAppointment, mockSms } from "../backend/mock-appointments";
import type { StaffFlag, ThreadMessage } from "../bindings";
import ChatScreen from "../screens/ChatScreen.svelte";
import { estimateRowHeight } from "./rows";

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

function theirs(id: number, body: string): ThreadMessage {
  return mockMessage({ id, body, createdAt: Date.now() - 2 * HOUR + id * 1000 });
}

function flag(id: number, messageId: number, body: string, reason: StaffFlag["reason"]): StaffFlag {
  return {
    id,
    phone: PHONE,
    messageId,
    messageSid: null,
    body,
    reason,
    appointmentId: null,
    createdAt: Date.now() - HOUR,
    resolvedAt: null,
    resolvedBy: null,
  };
}

function undelivered(id: number, code: number, retry: ThreadMessage["retry"]): ThreadMessage {
  return ours(id, "See you at 9.", { status: "undelivered", errorCode: code, errorText: "why", retry });
}

function openChat(messages: ThreadMessage[], options: MockOptions = {}) {
  const backend = new MockBackend({
    threads: [thread({ phone: PHONE, patientName: "Sample Patient" })],
    messages: { [PHONE]: messages },
    ...options,
  });
  renderWithBackend(ChatScreen, backend, {
    thread: thread({ phone: PHONE, patientName: "Sample Patient" }),
    onGoToInbox: vi.fn(),
  });
  return backend;
}

const rows = () => screen.queryAllByTestId(TestId.messageRow);
const rowOf = (id: number) => rows().find((r) => r.getAttribute("data-message-id") === String(id));

async function row(id: number): Promise<HTMLElement> {
  let found: HTMLElement | undefined;
  await vi.waitFor(() => {
    found = rowOf(id);
    expect(found).toBeDefined();
  });
  return found as HTMLElement;
}

describe("Chat: flagged replies", () => {
  it("highlights a reschedule request with words and resolves it with one click", async () => {
    const backend = openChat([ours(1, "Reminder: tomorrow at 9."), theirs(2, "R"), theirs(3, "thanks")], {
      flags: [flag(7, 2, "R", "reschedule_requested")],
    });
    const flagged = await row(2);
    const note = within(flagged).getByTestId(TestId.messageFlag);
    expect(note).toHaveTextContent("Asked to reschedule — flagged for staff");
    expect(note).toHaveAttribute("data-open", "true");
    expect(flagged).toHaveClass("bubble-flagged");
    expect(within(rowOf(3)!).queryByTestId(TestId.messageFlag)).toBeNull();

    await userEvent.click(within(flagged).getByTestId(TestId.messageFlagDone));
    expect(backend.callsOf("resolveFlag").map((c) => c.args)).toEqual([[7, "done"]]);
    await vi.waitFor(() =>
      expect(within(rowOf(2)!).getByTestId(TestId.messageFlag)).toHaveAttribute("data-open", "false"),
    );
    const closed = within(rowOf(2)!).getByTestId(TestId.messageFlag);
    expect(closed).toHaveTextContent("Asked to reschedule — staff have dealt with it");
    expect(within(rowOf(2)!).queryByTestId(TestId.messageFlagDone)).toBeNull();
    expect(screen.getByText("Marked as handled.")).toBeInTheDocument();
  });

  it("confirms a plain-words opt-out the way the Compliance screen does, and texting turns off", async () => {
    const backend = openChat([theirs(1, "please stop texting me")], {
      flags: [flag(3, 1, "please stop texting me", "plain_words_opt_out")],
    });
    const flagged = await row(1);
    expect(within(flagged).getByTestId(TestId.messageFlag)).toHaveTextContent(
      "Reads like an opt-out — confirm it here or in Compliance",
    );
    expect(within(flagged).getByTestId(TestId.messageFlagDismiss)).toHaveTextContent("Not an opt-out");
    expect(screen.getByTestId(TestId.composerInput)).toBeEnabled();

    await userEvent.click(within(flagged).getByTestId(TestId.messageFlagConfirm));
    expect(backend.callsOf("resolveFlag").map((c) => c.args)).toEqual([[3, "opted_out"]]);
    await screen.findByTestId(TestId.optOutBanner);
    await vi.waitFor(() => expect(screen.getByTestId(TestId.composerInput)).toBeDisabled());
    expect(await backend.listStaffFlags()).toEqual([]);
  });

  it("says in words why resolving failed and keeps the flag open", async () => {
    openChat([theirs(1, "X")], {
      flags: [flag(4, 1, "X", "cancel_requested")],
      failures: {
        resolveFlag: new BackendError("DatabaseLocked", "the clinic database is busy; try again in a moment"),
      },
    });
    const flagged = await row(1);
    await userEvent.click(within(flagged).getByTestId(TestId.messageFlagDone));
    const error = await screen.findByTestId(TestId.messageActionError);
    expect(error).toHaveTextContent("The clinic database is busy; try again in a moment.");
    expect(error).toHaveAttribute("role", "alert");
    expect(within(rowOf(1)!).getByTestId(TestId.messageFlag)).toHaveAttribute("data-open", "true");
  });

  it("leaves room for a flag before a row is measured", () => {
    const plain = theirs(1, "R");
    const open = { ...plain, flag: { id: 1, reason: "reschedule_requested" as const, open: true } };
    const row = (message: ThreadMessage) => estimateRowHeight({ kind: "message", key: "m", message });
    expect(row(open)).toBeGreaterThan(row(plain));
  });
});

describe("Chat: retrying failed texts", () => {
  it("offers Retry for a failure of the moment and queues one copy, however often it is clicked", async () => {
    const backend = openChat([undelivered(1, 30003, { kind: "allowed" })]);
    const failed = await row(1);
    const retry = within(failed).getByTestId(TestId.messageRetry);
    expect(retry).toHaveAccessibleName("Retry: send this text again");

    backend.pause();
    await userEvent.click(retry);
    // Busy: a second click cannot queue a second copy.
    expect(within(rowOf(1)!).getByTestId(TestId.messageRetry)).toBeDisabled();
    await userEvent.click(within(rowOf(1)!).getByTestId(TestId.messageRetry));
    backend.resume();

    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(backend.callsOf("retryText").map((c) => c.args)).toEqual([[1]]);
    const copy = rows()[1]!;
    expect(copy.querySelector(".body")).toHaveTextContent("See you at 9.");
    expect(within(copy).getByTestId(TestId.messageStatus)).toHaveAttribute("data-state", "waiting");
    const original = rowOf(1)!;
    expect(within(original).queryByTestId(TestId.messageRetry)).toBeNull();
    expect(within(original).getByTestId(TestId.messageRetried)).toHaveTextContent("Queued again — see the newer copy below.");
    // The failure stays as it was: history, not rewritten.
    expect(within(original).getByTestId(TestId.messageStatus)).toHaveAttribute("data-state", "failed");
  });

  it("explains instead of offering Retry when sending again cannot help", async () => {
    openChat([
      undelivered(1, 30006, {
        kind: "refused",
        reason: "the number is a landline or its carrier cannot take texts; call the patient instead",
      }),
      ours(2, "Delivered fine"),
    ]);
    const failed = await row(1);
    expect(within(failed).queryByTestId(TestId.messageRetry)).toBeNull();
    expect(within(failed).getByTestId(TestId.messageNoRetry)).toHaveTextContent(
      "Sending it again won't help: the number is a landline or its carrier cannot take texts; call the patient instead.",
    );
    const fine = rowOf(2)!;
    expect(within(fine).queryByTestId(TestId.messageRetry)).toBeNull();
    expect(within(fine).queryByTestId(TestId.messageNoRetry)).toBeNull();
  });

  it("shows why a retry was refused and leaves the text as it was", async () => {
    openChat([undelivered(1, 30003, { kind: "allowed" })], {
      failures: {
        retryText: new BackendError(
          "OptedOut",
          "+14155550101 has opted out of texts (replied STOP); they must text START to the clinic number before they can be texted again",
        ),
      },
    });
    const failed = await row(1);
    await userEvent.click(within(failed).getByTestId(TestId.messageRetry));
    const error = await screen.findByTestId(TestId.messageActionError);
    expect(error).toHaveTextContent("has opted out of texts");
    expect(rows()).toHaveLength(1);
    expect(within(rowOf(1)!).getByTestId(TestId.messageRetry)).toBeEnabled();
  });
});

describe("Chat: upcoming appointments beside the thread", () => {
  it("lists the patient's upcoming appointments with time, provider, place and states", async () => {
    openChat([theirs(1, "What time is it again?")], {
      appointments: {
        today: "2026-03-09",
        appointments: [
          mockAppointment({
            id: 2,
            phone: PHONE,
            localDate: "2026-03-20",
            localTime: "15:30",
            provider: "Dr. Later",
            location: "Main office",
          }),
          mockAppointment({
            id: 1,
            phone: PHONE,
            localDate: "2026-03-10",
            localTime: "09:00",
            provider: "Dr. Example",
            location: "Room 2",
            confirmation: "confirmed",
            sms: mockSms({ failed: true, problem: "landline or unreachable carrier", summary: "not delivered" }),
          }),
          mockAppointment({ id: 3, phone: PHONE, localDate: "2026-03-11", status: "cancelled" }),
          mockAppointment({ id: 4, phone: PHONE, localDate: "2026-03-01" }),
          mockAppointment({ id: 5, phone: "+14155550999", localDate: "2026-03-12" }),
        ],
      },
    });
    const panel = await screen.findByTestId(TestId.upcomingPanel);
    expect(panel).toHaveAccessibleName("Upcoming appointments");
    expect(panel).toHaveAttribute("tabindex", "0");
    await vi.waitFor(() => expect(within(panel).getAllByTestId(TestId.upcomingRow)).toHaveLength(2));
    const [first, second] = within(panel).getAllByTestId(TestId.upcomingRow);
    expect(first).toHaveAttribute("data-appointment-id", "1");
    expect(first).toHaveTextContent("March 10, 2026");
    expect(first).toHaveTextContent("9:00");
    expect(first).toHaveTextContent("Dr. Example · Room 2");
    expect(first).toHaveTextContent("Confirmed");
    expect(first).toHaveTextContent("SMS failed: landline or unreachable carrier");
    expect(second).toHaveAttribute("data-appointment-id", "2");
    expect(second).toHaveTextContent("Unconfirmed");
    expect(second).toHaveTextContent("No text sent yet");
  });

  it("says so when there are none, and refreshes when an appointment is booked", async () => {
    const backend = openChat([theirs(1, "Can I book a cleaning?")], {
      patients: [
        {
          id: 1,
          firstName: "Sample",
          lastName: "Patient",
          preferredLanguage: "en",
          timeZone: null,
          phones: [{ e164: PHONE, lineType: "mobile" }],
        },
      ],
      appointments: { today: "2026-03-09" },
    });
    const empty = await screen.findByTestId(TestId.upcomingEmpty);
    expect(empty).toHaveTextContent("No upcoming appointments.");

    await backend.bookAppointment({
      phone: PHONE,
      name: "",
      language: null,
      start: "2026-03-12 11:15",
      durationMinutes: null,
      provider: "Dr. Example",
      location: "",
    });
    const booked = await screen.findByTestId(TestId.upcomingRow);
    expect(booked).toHaveTextContent("March 12, 2026");
    expect(booked).toHaveTextContent("Dr. Example");
    expect(screen.queryByTestId(TestId.upcomingEmpty)).toBeNull();
  });

  it("says in words when the appointments cannot be loaded, and tries again", async () => {
    const backend = openChat([theirs(1, "Hi")], {
      failures: { threadContext: new BackendError("DatabaseLocked", "The clinic database is busy. Try again.") },
    });
    const error = await screen.findByTestId(TestId.upcomingError);
    expect(error).toHaveTextContent("We couldn't load Sample Patient's appointments. The clinic database is busy.");
    backend.fail("threadContext", null);
    await userEvent.click(within(error).getByRole("button", { name: "Try again" }));
    await screen.findByTestId(TestId.upcomingEmpty);
  });
});
