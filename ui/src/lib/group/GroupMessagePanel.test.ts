import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { patient } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import type { Appointment } from "../bindings";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import { mockAppointment } from "../backend/mock-appointments";
import GroupMessagePanel from "./GroupMessagePanel.svelte";

const DAY = "2026-03-10";
const ANA = "+14155550134";
const BEN = "+14155550188";
const CAROL = "+14155550199";
const DAN = "+14155550177";

const day: Appointment[] = [
  mockAppointment({ id: 1, patientName: "Ana Rivera", phone: ANA, provider: "Dr. Lee", localDate: DAY }),
  mockAppointment({ id: 2, patientName: "Ben Okafor", phone: BEN, provider: "Dr. Lee", localDate: DAY }),
  mockAppointment({ id: 3, patientName: "Carol Diaz", phone: CAROL, provider: "Dr. Lee", localDate: DAY }),
  mockAppointment({ id: 4, patientName: "Dan Moss", phone: DAN, provider: "Dr. Kim", localDate: DAY }),
  mockAppointment({ id: 5, patientName: "No Number", phone: null, provider: "Dr. Kim", localDate: DAY }),
];

function clinic(options: { quietHours?: boolean } = {}) {
  return new MockBackend({
    appointments: { appointments: day, today: DAY },
    optedOut: [BEN],
    patients: [
      patient({ id: 3, firstName: "Carol", lastName: "Diaz", phones: [{ e164: CAROL, lineType: "landline" }] }),
      patient({ id: 1, firstName: "Ana", lastName: "Rivera", phones: [{ e164: ANA, lineType: "mobile" }] }),
    ],
    quietHours: options.quietHours,
  });
}

function open(backend: MockBackend, onClose = () => {}) {
  renderWithBackend(GroupMessagePanel, backend, { day: DAY, appointments: day, onClose });
  return userEvent.setup();
}

function lines(testId: string): string[] {
  return within(screen.getByTestId(testId))
    .getAllByRole("listitem")
    .map((li) => li.textContent?.replace(/\s+/g, " ").trim() ?? "");
}

describe("Group message panel", () => {
  it("asks for the text before showing who gets it", async () => {
    const backend = clinic();
    open(backend);
    expect(screen.getByTestId(TestId.groupPreviewEmpty)).toHaveTextContent("Write the text to see who gets it.");
    expect(screen.getByTestId(TestId.groupSend)).toBeDisabled();
    expect(screen.getByTestId(TestId.groupBody)).toHaveFocus();
    expect(backend.callsOf("previewGroupMessage")).toEqual([]);
  });

  it("previews one provider's patients and who is left out and why", async () => {
    const backend = clinic();
    const user = open(backend);
    expect(screen.getByTestId(TestId.groupProvider)).toHaveValue("Dr. Kim");
    await user.selectOptions(screen.getByTestId(TestId.groupProvider), "Dr. Lee");
    await user.type(screen.getByTestId(TestId.groupBody), "Running late");
    expect(screen.getByTestId(TestId.groupPreviewLoading)).toHaveTextContent("Checking who gets it…");
    await screen.findByTestId(TestId.groupRecipients);
    expect(lines(TestId.groupRecipients)).toEqual(["Ana Rivera (415) 555-0134"]);
    expect(lines(TestId.groupExcluded)).toEqual([
      "Ben Okafor (415) 555-0188 Opted out: opted out of texts (replied STOP)",
      "Carol Diaz (415) 555-0199 Landline: landline: cannot receive texts",
    ]);
    expect(screen.getByTestId(TestId.groupCost)).toHaveTextContent("1 segment per text · 1 in all · est. cost");
    expect(screen.getByTestId(TestId.groupSend)).toHaveTextContent("Send to 1 patient");
    expect(backend.callsOf("previewGroupMessage").at(-1)?.args[0]).toEqual({
      selection: { kind: "todayOfProvider", date: DAY, provider: "Dr. Lee" },
      body: "Running late",
    });
  });

  it("previews everyone booked on the day, including a patient without a number", async () => {
    const backend = clinic();
    const user = open(backend);
    await user.click(screen.getByTestId(TestId.groupModeDay));
    await user.selectOptions(screen.getByTestId(TestId.groupTemplate), "closed");
    expect((screen.getByTestId(TestId.groupBody) as HTMLTextAreaElement).value).toMatch(/^The clinic is closed on/);
    await screen.findByTestId(TestId.groupRecipients);
    expect(lines(TestId.groupRecipients).map((l) => l.split(" (")[0])).toEqual(["Ana Rivera", "Dan Moss"]);
    expect(lines(TestId.groupExcluded).at(-1)).toBe("No Number No mobile number: no valid mobile number on file");
  });

  it("texts only the patients picked", async () => {
    const backend = clinic();
    const user = open(backend);
    await user.click(screen.getByTestId(TestId.groupModePicked));
    expect(screen.getByTestId(TestId.groupPreviewEmpty)).toHaveTextContent("Pick at least one patient.");
    await user.click(await screen.findByRole("checkbox", { name: /Ana Rivera/ }));
    await user.type(screen.getByTestId(TestId.groupBody), "Hello");
    await screen.findByTestId(TestId.groupRecipients);
    expect(lines(TestId.groupRecipients)).toEqual(["Ana Rivera (415) 555-0134"]);
  });

  it("flags patients for whom it is quiet time instead of leaving them out", async () => {
    const user = open(clinic({ quietHours: true }));
    await user.selectOptions(screen.getByTestId(TestId.groupProvider), "Dr. Lee");
    await user.type(screen.getByTestId(TestId.groupBody), "Running late");
    await screen.findByTestId(TestId.groupRecipients);
    expect(lines(TestId.groupRecipients)[0]).toContain("Quiet time: held for quiet time; goes out");
  });

  it("says in plain words when the preview fails", async () => {
    const backend = clinic();
    backend.fail("previewGroupMessage", new BackendError("Storage", "the database is busy; try again"));
    const user = open(backend);
    await user.type(screen.getByTestId(TestId.groupBody), "x");
    expect(await screen.findByTestId(TestId.groupPreviewError)).toHaveTextContent(
      "Could not check who gets it: the database is busy; try again",
    );
    expect(screen.getByTestId(TestId.groupSend)).toBeDisabled();
  });

  it("sends, then shows progress as statuses arrive, each text in its patient's chat", async () => {
    const backend = clinic();
    const user = open(backend);
    await user.click(screen.getByTestId(TestId.groupModeDay));
    await user.type(screen.getByTestId(TestId.groupBody), "Closed today");
    await screen.findByTestId(TestId.groupRecipients);
    await user.dblClick(screen.getByTestId(TestId.groupSend));

    const progress = await screen.findByTestId(TestId.groupProgress);
    expect(progress).toHaveTextContent("2 of 2 queued. 2 waiting to go out.");
    expect(backend.callsOf("sendGroupMessage")).toHaveLength(1);
    const ana = await backend.threadMessages(ANA);
    expect(ana.map((m) => m.body)).toEqual(["Closed today\nReply STOP to opt out."]);

    const dan = (await backend.threadMessages(DAN))[0]!;
    backend.updateMessage(ANA, ana[0]!.id, { status: "delivered", localState: "submitted" });
    backend.updateMessage(DAN, dan.id, { status: "failed", errorText: "the number is not reachable" });
    await waitFor(() =>
      expect(screen.getByTestId(TestId.groupProgress)).toHaveTextContent("2 of 2 queued. 1 delivered, 1 not delivered."),
    );
    expect(screen.getByTestId(TestId.groupResult)).toHaveTextContent("Failed — the number is not reachable");

    await user.click(screen.getByTestId(TestId.groupAnother));
    expect(screen.getByTestId(TestId.groupBody)).toHaveValue("");
  });

  it("reports a failed send, and a retry sends nobody a second copy", async () => {
    const backend = clinic();
    const user = open(backend);
    await user.selectOptions(screen.getByTestId(TestId.groupProvider), "Dr. Lee");
    await user.type(screen.getByTestId(TestId.groupBody), "Running late");
    await screen.findByTestId(TestId.groupRecipients);
    backend.fail("sendGroupMessage", new BackendError("DatabaseLocked", "the database is busy; try again"));
    await user.click(screen.getByTestId(TestId.groupSend));
    expect(await screen.findByTestId(TestId.groupSendError)).toHaveTextContent(
      "The group message was not sent: the database is busy; try again. Sending again is safe",
    );
    backend.fail("sendGroupMessage", null);
    await user.click(screen.getByTestId(TestId.groupSend));
    await screen.findByTestId(TestId.groupProgress);
    const ids = backend.callsOf("sendGroupMessage").map((c) => (c.args[0] as { groupId: string }).groupId);
    expect(new Set(ids).size).toBe(1);
    expect(await backend.threadMessages(ANA)).toHaveLength(1);
  });

  it("closes with Escape", async () => {
    const onClose = vi.fn();
    const user = open(clinic(), onClose);
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });
});
