import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import SettingsScreen from "./SettingsScreen.svelte";

function row(key: string): HTMLElement {
  const found = screen.getAllByTestId(TestId.settingRow).find((r) => r.dataset.key === key);
  if (!found) throw new Error(`no setting row for ${key}`);
  return found;
}

describe("Settings", () => {
  it("shows every setting grouped, with its description, value and default", async () => {
    renderWithBackend(SettingsScreen, new MockBackend(), {});
    const groups = await screen.findAllByTestId(TestId.settingsGroup);
    expect(groups.map((g) => within(g).getByRole("heading").textContent)).toEqual([
      "Clinic",
      "Sending window",
      "Keywords and replies",
      "Reminders",
      "Messages",
      "Advanced",
    ]);
    expect(screen.getAllByTestId(TestId.settingRow)).toHaveLength(9);
    const start = row("sending_window.start");
    const input = within(start).getByLabelText("Texts may go out from");
    expect(input).toHaveValue("08:00");
    expect(input).toHaveAccessibleDescription(/Time \(HH:MM, 24 h\)/);
    expect(within(start).getByTestId(TestId.settingDefault)).toHaveTextContent("Default: 08:00 — in use");
    expect(within(start).getByTestId(TestId.settingReset)).toBeDisabled();
    expect(within(start).getByTestId(TestId.settingSave)).toBeDisabled();
    // The automatic replies get room to write.
    expect(within(row("replies.help")).getByTestId(TestId.settingInput).tagName).toBe("TEXTAREA");
  });

  it("saves a new value and says so beside the field", async () => {
    const backend = new MockBackend();
    renderWithBackend(SettingsScreen, backend, {});
    await screen.findAllByTestId(TestId.settingRow);
    const start = row("sending_window.start");
    const input = within(start).getByTestId(TestId.settingInput);
    await userEvent.clear(input);
    await userEvent.type(input, "09:30{Enter}");
    expect(await within(start).findByTestId(TestId.settingSaved)).toHaveTextContent("Saved.");
    expect(backend.callsOf("setSetting")[0]?.args).toEqual(["sending_window.start", "09:30"]);
    expect(within(start).getByTestId(TestId.settingDefault)).not.toHaveTextContent("in use");
    expect(within(start).getByTestId(TestId.settingReset)).toBeEnabled();
    expect((await backend.listSettings()).find((s) => s.key === "sending_window.start")?.value).toBe("09:30");
  });

  it("shows the core's validation message beside the field, in words", async () => {
    renderWithBackend(SettingsScreen, new MockBackend(), {});
    await screen.findAllByTestId(TestId.settingRow);
    const end = row("sending_window.end");
    const input = within(end).getByTestId(TestId.settingInput);
    await userEvent.clear(input);
    await userEvent.type(input, "9pm");
    await userEvent.click(within(end).getByTestId(TestId.settingSave));
    const error = await within(end).findByTestId(TestId.settingError);
    expect(error).toHaveTextContent(
      'Cannot set sending_window.end: "9pm" is not a time; write it as HH:MM in 24-hour time, e.g. 08:00.',
    );
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription(/is not a time/);
    expect(input).toHaveValue("9pm");
    // Other fields are untouched.
    expect(within(row("sending_window.start")).queryByTestId(TestId.settingError)).not.toBeInTheDocument();
  });

  it("resets a changed setting to its default", async () => {
    const backend = new MockBackend();
    await backend.setSetting("reminders.hours_before", "48, 2");
    renderWithBackend(SettingsScreen, backend, {});
    await screen.findAllByTestId(TestId.settingRow);
    const reminders = row("reminders.hours_before");
    expect(within(reminders).getByTestId(TestId.settingInput)).toHaveValue("48, 2");
    await userEvent.click(within(reminders).getByTestId(TestId.settingReset));
    await waitFor(() => expect(within(reminders).getByTestId(TestId.settingInput)).toHaveValue("24"));
    expect(within(reminders).getByTestId(TestId.settingSaved)).toHaveTextContent("Back to the default.");
    expect(backend.callsOf("setSetting").at(-1)?.args).toEqual(["reminders.hours_before", ""]);
    expect(within(reminders).getByTestId(TestId.settingReset)).toBeDisabled();
  });

  it("says so in words when the settings cannot be read, and retries", async () => {
    const backend = new MockBackend({
      failures: { listSettings: new BackendError("DatabaseLocked", "") },
    });
    renderWithBackend(SettingsScreen, backend, {});
    const error = await screen.findByTestId(TestId.settingsError);
    expect(error).toHaveTextContent("The clinic database is busy right now");
    backend.fail("listSettings", null);
    await userEvent.click(screen.getByTestId(TestId.settingsRetry));
    expect(await screen.findAllByTestId(TestId.settingRow)).toHaveLength(9);
  });
});
