import { screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import type { Patient } from "../bindings";
import { BackendError } from "../backend/errors";
import { MockBackend, mockMessage, type MockOptions } from "../backend/mock";
import { mockAppointment } from "../backend/mock-appointments";
import Composer from "./Composer.svelte";

const PHONE = "+14155550101";

function patient(language = "en"): Patient {
  return {
    id: 7,
    firstName: "Nadia",
    lastName: "Rivera",
    preferredLanguage: language,
    timeZone: null,
    phones: [{ e164: PHONE, lineType: "mobile" }],
  };
}

const booked = mockAppointment({
  id: 3,
  patientId: 7,
  patientName: "Nadia Rivera",
  patientFirstName: "Nadia",
  phone: PHONE,
  localDate: "2026-03-12",
  localTime: "10:00",
  provider: "Dr. Okafor",
  location: "Suite 4",
});

function renderComposer(options: MockOptions = {}, offReasonId: string | null = null) {
  const backend = new MockBackend({
    patients: [patient()],
    appointments: { today: "2026-03-09", appointments: [booked] },
    // Texted before, so no opt-out footer in the counts.
    messages: { [PHONE]: [mockMessage({ id: 1, direction: "outbound", status: "delivered" })] },
    pricePerSegment: 0.01,
    ...options,
  });
  const onSent = vi.fn();
  const view = renderWithBackend(Composer, backend, { phone: PHONE, who: "Nadia Rivera", offReasonId, onSent, onOptedOut: vi.fn() });
  return { backend, onSent, user: userEvent.setup(), unmount: view.unmount };
}

const input = () => screen.getByTestId(TestId.composerInput) as HTMLTextAreaElement;
const menuButton = () => screen.getByTestId(TestId.composerTemplates);
const item = (kind: string) =>
  screen.getAllByTestId(TestId.templatePickerItem).find((i) => i.dataset.kind === kind) as HTMLElement;

describe("Template picker", () => {
  it("opens from the keyboard, moves with the arrows, and closes on Escape", async () => {
    const { user } = renderComposer();
    expect(menuButton()).toHaveAttribute("aria-haspopup", "menu");
    expect(menuButton()).toHaveAttribute("aria-expanded", "false");

    menuButton().focus();
    await user.keyboard("{ArrowDown}");
    const menu = screen.getByRole("menu", { name: "Templates" });
    expect(menuButton()).toHaveAttribute("aria-expanded", "true");
    expect(screen.getAllByRole("menuitem").map((i) => i.querySelector(".label")?.textContent)).toEqual([
      "Confirmation",
      "Reminder",
      "Running late",
      "Intake form link",
      "Directions",
    ]);
    expect(item("confirmation")).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(item("reminder")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(item("directions")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(menu).not.toBeInTheDocument();
    expect(menuButton()).toHaveFocus();
    expect(input()).toHaveValue("");
  });

  it("fills the composer for this patient's next appointment; it can be edited and the counter follows", async () => {
    const { backend, onSent, user } = renderComposer();
    await user.click(menuButton());
    await user.click(item("directions"));

    await waitFor(() =>
      expect(input()).toHaveValue(
        "The clinic: your appointment on Thu, Mar 12 at 10:00 AM is at Suite 4. Trouble finding us? Call +15555550100.",
      ),
    );
    expect(backend.callsOf("previewTemplate")[0]?.args).toEqual([{ kind: "directions", phone: PHONE }]);
    expect(input()).toHaveFocus();
    expect(screen.getByTestId(TestId.composerTemplateNote)).toHaveTextContent(
      "Directions template filled in for the appointment on Thu, Mar 12 at 10:00 AM with Dr. Okafor. Check it, and edit it if needed, before sending.",
    );
    await waitFor(() =>
      expect(screen.getByTestId(TestId.composerCounter)).toHaveTextContent("109 characters · 1 segment (GSM-7) · est. cost 0.01"),
    );

    await user.type(input(), " See you then!");
    await waitFor(() => expect(screen.getByTestId(TestId.composerCounter)).toHaveTextContent("123 characters"));
    await user.keyboard("{Enter}");
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(backend.callsOf("sendText")[0]?.args[0]).toEqual({
      to: PHONE,
      body: "The clinic: your appointment on Thu, Mar 12 at 10:00 AM is at Suite 4. Trouble finding us? Call +15555550100. See you then!",
    });
    expect(screen.queryByTestId(TestId.composerTemplateNote)).not.toBeInTheDocument();
  });

  it("uses the patient's language", async () => {
    const { user } = renderComposer({ patients: [patient("es")] });
    await user.click(menuButton());
    await user.click(item("running_late"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: Hola Nadia, vamos con un poco de retraso/));
  });

  it("without an upcoming appointment, fills what it can, says what is missing, and holds the text until it is typed in", async () => {
    const { backend, onSent, user } = renderComposer({ appointments: { today: "2026-03-09", appointments: [] } });
    await user.click(menuButton());
    await user.click(item("confirmation"));

    await waitFor(() =>
      expect(input()).toHaveValue(
        "The clinic: Hi Nadia, your appointment with {provider} is on {date} at {time}. Reply C to confirm or R to reschedule.",
      ),
    );
    const note = screen.getByTestId(TestId.composerTemplateNote);
    expect(note).toHaveTextContent(
      "Nadia has no upcoming appointment, so {provider}, {date} and {time} are left for you to type in before sending.",
    );
    expect(note).toHaveTextContent("Replace {provider}, {date} and {time} with the right words before sending.");
    expect(input()).toHaveAccessibleDescription(/Replace \{provider\}, \{date\} and \{time\}/);
    // The cursor waits at the first gap.
    expect(input().selectionStart).toBe(input().value.indexOf("{provider}"));
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
    await user.keyboard("{Enter}");
    expect(backend.callsOf("sendText")).toEqual([]);

    const filled = input().value.replace("{provider}", "Dr. Okafor").replace("{date}", "Friday").replace("{time}", "9 AM");
    await user.clear(input());
    await user.click(input());
    await user.paste(filled);
    expect(screen.getByTestId(TestId.composerTemplateNote)).not.toHaveTextContent("Replace");
    expect(screen.getByTestId(TestId.composerSend)).toBeEnabled();
    await user.click(screen.getByTestId(TestId.composerSend));
    await vi.waitFor(() => expect(onSent).toHaveBeenCalled());
    expect(backend.callsOf("sendText")[0]?.args[0]).toMatchObject({ body: filled });
  });

  it("still holds Send for the gaps of a template after the chat is left and opened again", async () => {
    const { backend, onSent, unmount, user } = renderComposer({ appointments: { today: "2026-03-09", appointments: [] } });
    await user.click(menuButton());
    await user.click(item("confirmation"));
    await waitFor(() => expect(input().value).toContain("{provider}"));
    const text = input().value;
    unmount();

    renderWithBackend(Composer, backend, { phone: PHONE, who: "Nadia Rivera", offReasonId: null, onSent, onOptedOut: vi.fn() });
    expect(input()).toHaveValue(text);
    expect(screen.getByTestId(TestId.composerTemplateNote)).toHaveTextContent(
      "Replace {provider}, {date} and {time} with the right words before sending.",
    );
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
    await user.click(input());
    await user.keyboard("{Enter}");
    expect(backend.callsOf("sendText")).toEqual([]);
  });

  it("replaces what was typed, and can put it back", async () => {
    const { user } = renderComposer();
    await user.type(input(), "Half-written note");
    await user.click(menuButton());
    await user.click(item("reminder"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: Reminder, Nadia/));
    await user.click(screen.getByRole("button", { name: "Put back what I had typed" }));
    expect(input()).toHaveValue("Half-written note");
    expect(screen.queryByTestId(TestId.composerTemplateNote)).not.toBeInTheDocument();
  });

  it("puts back the typed note, not the first template, after two templates in a row", async () => {
    const { user } = renderComposer();
    await user.type(input(), "Half-written note");
    await user.click(menuButton());
    await user.click(item("reminder"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: Reminder, Nadia/));
    await user.click(menuButton());
    await user.click(item("directions"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: your appointment on Thu, Mar 12 at 10:00 AM is at Suite 4/));

    await user.click(screen.getByRole("button", { name: "Put back what I had typed" }));
    expect(input()).toHaveValue("Half-written note");
  });

  it("after an edit to a template, a second template puts back the edited text", async () => {
    const { user } = renderComposer();
    await user.click(menuButton());
    await user.click(item("reminder"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: Reminder, Nadia/));
    // Nothing was typed before the first template: nothing to put back yet.
    expect(screen.queryByRole("button", { name: "Put back what I had typed" })).not.toBeInTheDocument();
    await user.type(input(), " Bring your card.");
    const edited = input().value;

    await user.click(menuButton());
    await user.click(item("directions"));
    await waitFor(() => expect(input().value).toMatch(/^The clinic: your appointment on/));
    await user.click(screen.getByRole("button", { name: "Put back what I had typed" }));
    expect(input()).toHaveValue(edited);
  });

  it("says in words when the template cannot be filled in, and leaves the text alone", async () => {
    const { backend, user } = renderComposer();
    backend.fail("previewTemplate", new BackendError("DatabaseLocked", "the clinic database is busy; try again in a moment"));
    await user.type(input(), "Hello");
    await user.click(menuButton());
    await user.click(item("confirmation"));
    expect(await screen.findByTestId(TestId.templatePickerError)).toHaveTextContent(
      "The template could not be filled in: The clinic database is busy; try again in a moment.",
    );
    expect(input()).toHaveValue("Hello");
  });

  it("is off when texting is off for the patient", () => {
    renderComposer({}, "opt-out-banner");
    expect(menuButton()).toBeDisabled();
  });
});
