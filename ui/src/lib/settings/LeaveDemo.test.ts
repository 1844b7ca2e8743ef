import { screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { DEFAULT_MOCK_STATUS, MockBackend } from "../backend/mock";
import SettingsScreen from "../screens/SettingsScreen.svelte";

describe("Leaving demo mode", () => {
  it("explains what happens before leaving, and can be cancelled", async () => {
    const backend = new MockBackend();
    renderWithBackend(SettingsScreen, backend, {});
    await userEvent.click(await screen.findByTestId(TestId.leaveDemoButton));
    const dialog = screen.getByTestId(TestId.leaveDemoDialog);
    expect(dialog).toHaveTextContent("The sample clinic stays in its own file");
    expect(dialog).toHaveTextContent("restarts on the clinic's own database, without demo data");
    expect(screen.getByTestId(TestId.leaveDemoCancel)).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    expect(screen.queryByTestId(TestId.leaveDemoDialog)).not.toBeInTheDocument();
    expect(screen.getByTestId(TestId.leaveDemoButton)).toHaveFocus();
    expect(backend.callsOf("leaveDemoMode")).toHaveLength(0);
  });

  it("leaves after confirmation and says the app is restarting", async () => {
    const backend = new MockBackend();
    renderWithBackend(SettingsScreen, backend, {});
    await userEvent.click(await screen.findByTestId(TestId.leaveDemoButton));
    await userEvent.click(screen.getByTestId(TestId.leaveDemoConfirm));
    expect(await screen.findByTestId(TestId.leaveDemoDone)).toHaveTextContent("Clinic Desk is restarting");
    expect(backend.callsOf("leaveDemoMode")).toHaveLength(1);
  });

  it("is not offered outside demo mode", async () => {
    renderWithBackend(SettingsScreen, new MockBackend({ status: { ...DEFAULT_MOCK_STATUS, mode: "live" } }), {});
    await screen.findAllByTestId(TestId.settingRow);
    expect(screen.queryByTestId(TestId.leaveDemo)).not.toBeInTheDocument();
  });
});
