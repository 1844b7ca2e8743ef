import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import type { CredentialsSummary, SaveAndTestInput, StepKind, StepProblem, TestReport } from "../bindings";
import { MockBackend } from "../backend/mock";
import { failingReport, passingReport } from "../backend/mock-admin";
import SettingsScreen from "../screens/SettingsScreen.svelte";

const SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "token-0123456789abcdef-9f3a";
const FROM = "+15555550100";

const SAVED: CredentialsSummary = {
  accountSid: SID,
  authKind: "auth_token",
  apiKeySid: null,
  sender: FROM,
  fromNumber: FROM,
  messagingServiceSid: null,
  apiBase: "https://api.twilio.com",
  maskedSecret: "••••wxyz",
  updatedAt: Date.UTC(2026, 0, 5, 15, 0),
};

async function fill(token = TOKEN, testTo = "") {
  const form = await screen.findByTestId(TestId.twilioForm);
  await userEvent.type(within(form).getByLabelText("Account SID"), SID);
  await userEvent.type(within(form).getByLabelText("Auth Token"), token);
  await userEvent.type(within(form).getByLabelText("Clinic's Twilio number"), FROM);
  if (testTo) await userEvent.type(within(form).getByLabelText("Send a test text to (optional)"), testTo);
  return form;
}

function steps(): Record<string, string> {
  return Object.fromEntries(
    screen.getAllByTestId(TestId.twilioStep).map((s) => [s.dataset.kind ?? "", s.dataset.outcome ?? ""]),
  );
}

function failing(kind: StepKind, problem: StepProblem, reason: string) {
  return (input: SaveAndTestInput): TestReport => failingReport(input, kind, problem, reason);
}

describe("Twilio account", () => {
  it("shows the saved account with the secret masked to its last 4", async () => {
    renderWithBackend(SettingsScreen, new MockBackend({ admin: { credentials: SAVED } }), {});
    const summary = await screen.findByTestId(TestId.twilioSummary);
    expect(summary).toHaveTextContent(SID);
    expect(summary).toHaveTextContent("••••wxyz");
    expect(summary).toHaveTextContent(`Texts come from ${FROM}`);
  });

  it("says when no account is saved yet", async () => {
    renderWithBackend(SettingsScreen, new MockBackend(), {});
    expect(await screen.findByTestId(TestId.twilioNone)).toHaveTextContent("No Twilio account is saved yet");
  });

  it("saves after every check passes, shows each step, and never keeps the token", async () => {
    const backend = new MockBackend();
    renderWithBackend(SettingsScreen, backend, {});
    const form = await fill(TOKEN, "+15555550123");
    await userEvent.click(within(form).getByTestId(TestId.twilioSubmit));
    expect(await screen.findByTestId(TestId.twilioReportSummary)).toHaveTextContent(
      "Every check passed; the Twilio account is saved.",
    );
    expect(steps()).toEqual({ credentials: "pass", sender: "pass", test_text: "pass" });
    expect(within(form).getByTestId(TestId.twilioAuthToken)).toHaveValue("");
    expect(within(form).getByLabelText("Account SID")).toHaveValue(SID);
    const summary = await screen.findByTestId(TestId.twilioSummary);
    expect(summary).toHaveTextContent("••••9f3a");
    expect(document.body.textContent).not.toContain(TOKEN);
    expect(JSON.stringify(backend.callsOf("saveAndTest"))).not.toContain(TOKEN);
  });

  it.each([
    ["credentials", "wrong_credentials", "Twilio refused the Auth Token for this account; copy it again from the Twilio Console"],
    ["credentials", "account_suspended", "the Twilio account is suspended; sort it out in the Twilio Console"],
    ["sender", "number_not_on_account", "+15555550100 is not a number on this Twilio account"],
    ["test_text", "trial_unverified", "a trial account can only text verified numbers; verify the number in the Twilio Console"],
  ] as const)("shows a %s failure (%s) in words and saves nothing", async (kind, problem, reason) => {
    const backend = new MockBackend({ admin: { saveAndTest: failing(kind, problem, reason) } });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await fill();
    await userEvent.click(within(form).getByTestId(TestId.twilioSubmit));
    const report = await screen.findByTestId(TestId.twilioReport);
    expect(within(report).getByTestId(TestId.twilioReportSummary)).toHaveTextContent(`Not saved: ${reason}.`);
    const failed = within(report)
      .getAllByTestId(TestId.twilioStep)
      .find((s) => s.dataset.kind === kind);
    expect(failed).toHaveAttribute("data-outcome", "fail");
    expect(failed).toHaveTextContent("Failed");
    expect(screen.queryByTestId(TestId.twilioOffline)).not.toBeInTheDocument();
    expect(await backend.credentialsSummary()).toBeNull();
  });

  it("offers to save offline only after an offline failure, once the token is typed again", async () => {
    const backend = new MockBackend({
      admin: { saveAndTest: failing("credentials", "offline", "Twilio could not be reached; check this computer's internet connection") },
    });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await fill();
    expect(within(form).queryByTestId(TestId.twilioOffline)).not.toBeInTheDocument();
    await userEvent.click(within(form).getByTestId(TestId.twilioSubmit));
    expect(steps()).toEqual({ credentials: "fail", sender: "skipped", test_text: "skipped" });
    const offline = await within(form).findByTestId(TestId.twilioOffline);
    expect(offline).toBeDisabled();
    expect(offline).toHaveAccessibleDescription(/type the Auth Token again/);

    await userEvent.type(within(form).getByTestId(TestId.twilioAuthToken), TOKEN);
    await userEvent.click(offline);
    expect(await screen.findByTestId(TestId.twilioReportSummary)).toHaveTextContent(
      "Saved without a full test because Twilio could not be reached",
    );
    expect(backend.callsOf("saveAndTest").at(-1)?.args[0]).toMatchObject({ offlineSave: true });
    await waitFor(() => expect(screen.getByTestId(TestId.twilioSummary)).toHaveTextContent("••••9f3a"));
  });

  it("shows a malformed Account SID as the core words it", async () => {
    renderWithBackend(SettingsScreen, new MockBackend(), {});
    const form = await screen.findByTestId(TestId.twilioForm);
    await userEvent.type(within(form).getByLabelText("Account SID"), "AC123");
    await userEvent.click(within(form).getByTestId(TestId.twilioSubmit));
    expect(await within(form).findByTestId(TestId.twilioError)).toHaveTextContent(
      'The Account SID must be "AC" followed by 32 letters a–f and digits',
    );
  });

  it("uses an API key when chosen", async () => {
    const backend = new MockBackend({ admin: { saveAndTest: passingReport } });
    renderWithBackend(SettingsScreen, backend, {});
    const form = await screen.findByTestId(TestId.twilioForm);
    await userEvent.type(within(form).getByLabelText("Account SID"), SID);
    await userEvent.click(within(form).getByLabelText("API key and secret"));
    await userEvent.type(within(form).getByLabelText("API Key SID"), "SK0123456789abcdef0123456789abcdef");
    await userEvent.type(within(form).getByLabelText("API Key secret"), "key-secret-abcd");
    await userEvent.type(within(form).getByLabelText("or Messaging Service SID"), "MG0123456789abcdef0123456789abcdef");
    await userEvent.click(within(form).getByTestId(TestId.twilioSubmit));
    expect(await screen.findByTestId(TestId.twilioSummary)).toHaveTextContent("API key SK0123456789abcdef0123456789abcdef");
    expect(screen.getByTestId(TestId.twilioSummary)).toHaveTextContent("••••abcd");
  });
});
