import { screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import { MOCK_PASSPHRASE } from "../backend/mock-admin";
import SettingsScreen from "../screens/SettingsScreen.svelte";

const CHOSEN = "lighthouse maple orbit";

function locked(options: ConstructorParameters<typeof MockBackend>[0] = {}) {
  return new MockBackend({ ...options, admin: { unlocked: false, ...options.admin } });
}

describe("Admin gate", () => {
  it("asks for a new passphrase twice on first run, then unlocks the settings", async () => {
    const backend = new MockBackend({ admin: { passphrase: null } });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await screen.findByTestId(TestId.adminSetupForm);
    expect(screen.queryByTestId(TestId.settingRow)).not.toBeInTheDocument();
    expect(within(form).getByText(/at least\s+10 characters/)).toBeInTheDocument();

    await userEvent.type(within(form).getByLabelText("New admin passphrase"), CHOSEN);
    await userEvent.type(within(form).getByLabelText("Type it again"), `${CHOSEN}{Enter}`);
    expect(await screen.findByTestId(TestId.adminUnlocked)).toHaveTextContent("locks itself after 10 minutes");
    expect(await screen.findAllByTestId(TestId.settingRow)).toHaveLength(9);
    expect((await backend.accessStatus()).passphraseSet).toBe(true);
  });

  it("refuses two different passphrases and clears both boxes", async () => {
    const backend = new MockBackend({ admin: { passphrase: null } });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await screen.findByTestId(TestId.adminSetupForm);
    await userEvent.type(within(form).getByTestId(TestId.adminNewPassphrase), CHOSEN);
    await userEvent.type(within(form).getByTestId(TestId.adminConfirmPassphrase), `${CHOSEN}x`);
    await userEvent.click(within(form).getByTestId(TestId.adminSetSubmit));
    expect(await within(form).findByTestId(TestId.adminError)).toHaveTextContent(
      "The two passphrases are different. Type the same passphrase in both boxes.",
    );
    expect(within(form).getByTestId(TestId.adminNewPassphrase)).toHaveValue("");
    expect(within(form).getByTestId(TestId.adminConfirmPassphrase)).toHaveValue("");
    expect(backend.callsOf("setAdminPassphrase")).toHaveLength(0);
  });

  it("shows the core's message for a passphrase that is too short", async () => {
    renderWithBackend(SettingsScreen, new MockBackend({ admin: { passphrase: null } }), {});
    const form = await screen.findByTestId(TestId.adminSetupForm);
    await userEvent.type(within(form).getByTestId(TestId.adminNewPassphrase), "short");
    await userEvent.type(within(form).getByTestId(TestId.adminConfirmPassphrase), "short{Enter}");
    expect(await within(form).findByTestId(TestId.adminError)).toHaveTextContent(
      "The admin passphrase must be at least 10 characters long (this one has 5)",
    );
    expect(screen.queryByTestId(TestId.adminUnlocked)).not.toBeInTheDocument();
  });

  it("refuses a wrong passphrase with the tries left, and unlocks with the right one", async () => {
    const backend = locked();
    renderWithBackend(SettingsScreen, backend, {});
    const form = await screen.findByTestId(TestId.adminUnlockForm);
    const input = within(form).getByLabelText("Admin passphrase");
    await userEvent.type(input, "not the passphrase{Enter}");
    const error = await within(form).findByTestId(TestId.adminError);
    expect(error).toHaveTextContent("Wrong admin passphrase; after 4 more wrong tries admin access locks for 5 minutes.");
    expect(input).toHaveValue("");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId(TestId.settingRow)).not.toBeInTheDocument();

    await userEvent.type(input, `${MOCK_PASSPHRASE}{Enter}`);
    expect(await screen.findAllByTestId(TestId.settingRow)).toHaveLength(9);
  });

  it("locks after repeated wrong passphrases and says how long to wait", async () => {
    const backend = locked({ admin: { failures: 4 } });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await screen.findByTestId(TestId.adminUnlockForm);
    await userEvent.type(within(form).getByTestId(TestId.adminPassphrase), "still wrong{Enter}");
    expect(await within(form).findByTestId(TestId.adminError)).toHaveTextContent(
      "Too many wrong admin passphrases in a row: admin access is locked; try again in 5 minutes.",
    );
    expect(await within(form).findByTestId(TestId.adminLocked)).toHaveTextContent("Try again in 5 minutes.");
    expect(within(form).getByTestId(TestId.adminPassphrase)).toBeDisabled();
    expect(within(form).getByTestId(TestId.adminUnlockSubmit)).toBeDisabled();
  });

  it("shows a lockout already in force when the screen opens", async () => {
    renderWithBackend(SettingsScreen, locked({ admin: { lockedUntil: Date.now() + 90_000 } }), {});
    expect(await screen.findByTestId(TestId.adminLocked)).toHaveTextContent("Try again in 2 minutes.");
  });

  it("locks again with the Lock button", async () => {
    const backend = new MockBackend();
    renderWithBackend(SettingsScreen, backend, {});
    await screen.findAllByTestId(TestId.settingRow);
    await userEvent.click(screen.getByTestId(TestId.adminLock));
    expect(await screen.findByTestId(TestId.adminUnlockForm)).toBeInTheDocument();
    expect(screen.queryByTestId(TestId.settingRow)).not.toBeInTheDocument();
    await expect(backend.setSetting("sending_window.start", "09:00")).rejects.toMatchObject({ code: "AdminRequired" });
  });

  it("says so in words when admin access cannot be checked, and retries", async () => {
    const backend = new MockBackend({ failures: { accessStatus: new BackendError("DatabaseLocked", "") } });
    renderWithBackend(SettingsScreen, backend, {});
    expect(await screen.findByTestId(TestId.adminLoadError)).toHaveTextContent("The clinic database is busy right now");
    backend.fail("accessStatus", null);
    await userEvent.click(screen.getByTestId(TestId.adminRetry));
    expect(await screen.findAllByTestId(TestId.settingRow)).toHaveLength(9);
  });
});

describe("Admin gate session end", () => {
  it("brings the passphrase form back when the session has ended", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const backend = new MockBackend();
      renderWithBackend(SettingsScreen, backend, {});
      await screen.findAllByTestId(TestId.settingRow);
      backend.admin.expire();
      await vi.advanceTimersByTimeAsync(16_000);
      expect(await screen.findByTestId(TestId.adminUnlockForm)).toBeInTheDocument();
      expect(screen.queryByTestId(TestId.settingRow)).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});
