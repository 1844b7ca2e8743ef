import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend, type MockOptions } from "../backend/mock";
import { MOCK_BUILT_IN } from "../backend/mock-templates";
import SettingsScreen from "../screens/SettingsScreen.svelte";
import TemplateEditor from "./TemplateEditor.svelte";

function renderEditor(options: MockOptions = {}) {
  const backend = new MockBackend(options);
  renderWithBackend(TemplateEditor, backend, {});
  return { backend, user: userEvent.setup() };
}

const body = () => screen.getByTestId(TestId.templateBody) as HTMLTextAreaElement;
const previewText = () => screen.getByTestId(TestId.templatePreviewText);
const kindButton = (kind: string) =>
  screen.getAllByTestId(TestId.templateKind).find((b) => b.dataset.kind === kind) as HTMLElement;
const languageButtons = () => screen.getAllByTestId(TestId.templateLanguage);

/** Braces are key names to user-event's `type`, so wording goes in as a paste. */
async function write(user: ReturnType<typeof userEvent.setup>, text: string) {
  await user.clear(body());
  await user.click(body());
  await user.paste(text);
}

async function stored(backend: MockBackend, kind: string, language: string) {
  return (await backend.listTemplates()).templates.find((t) => t.kind === kind && t.language === language);
}

describe("Template editor", () => {
  it("lists the five kinds with a version per language and previews the clinic's version", async () => {
    renderEditor();
    await screen.findByTestId(TestId.templateBody);
    expect(screen.getAllByTestId(TestId.templateKind).map((b) => b.querySelector(".kind-label")?.textContent)).toEqual([
      "Confirmation",
      "Reminder",
      "Running late",
      "Intake form link",
      "Directions",
    ]);
    expect(kindButton("confirmation")).toHaveAttribute("aria-pressed", "true");
    expect(languageButtons().map((b) => b.textContent)).toEqual(["English (en)", "Spanish (es)"]);
    expect(body()).toHaveValue(MOCK_BUILT_IN.en?.confirmation);
    expect(screen.getByLabelText("Confirmation text in English (en)")).toBe(body());
    await waitFor(() => expect(previewText()).toHaveTextContent(/^The clinic: Hi Alex, your appointment with Dr\. Lee is on .+ at 2:30 PM\./));
    expect(screen.getByTestId(TestId.templatePreviewCount)).toHaveTextContent(/^\d+ characters · 1 segment \(GSM-7\)$/);
    expect(screen.queryByTestId(TestId.templateWarnings)).not.toBeInTheDocument();
    // Built-in wording: nothing to reset, nothing changed to save.
    expect(screen.getByTestId(TestId.templateReset)).toBeDisabled();
    expect(screen.getByTestId(TestId.templateSave)).toBeDisabled();

    await userEvent.click(languageButtons()[1] as HTMLElement);
    expect(body()).toHaveValue(MOCK_BUILT_IN.es?.confirmation);
    await userEvent.click(kindButton("directions"));
    expect(body()).toHaveValue(MOCK_BUILT_IN.es?.directions);
  });

  it("previews the wording being typed, with its segment count and encoding", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await write(user, "{clinic_name}: see you {date}, {patient_first_name} 👋");
    await waitFor(() => expect(previewText()).toHaveTextContent(/^The clinic: see you .+, Alex 👋$/));
    expect(screen.getByTestId(TestId.templatePreviewCount)).toHaveTextContent(/1 segment \(UCS-2\)/);
    // Only the text as it stood when typing paused was asked for, not every keystroke.
    const asked = backend.callsOf("previewTemplate").map((c) => (c.args[0] as { body: string }).body);
    expect(asked.at(-1)).toBe("{clinic_name}: see you {date}, {patient_first_name} 👋");
    expect(asked.length).toBeLessThan(5);
  });

  it("highlights opt-out words and clinical detail in words, and still saves", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await user.click(kindButton("reminder"));
    await write(user, "{clinic_name}: your lab results are ready. Reply CANCEL to cancel.");
    const warnings = await screen.findByTestId(TestId.templateWarnings);
    expect(warnings).toHaveTextContent(/Opt-out word “CANCEL”: The text asks patients to reply CANCEL, an opt-out word: Twilio then blocks every text to them/);
    expect(warnings).toHaveTextContent(/Looks clinical: “lab”/);
    const marked = Array.from(previewText().querySelectorAll("mark")).map((m) => m.textContent);
    expect(marked).toEqual(expect.arrayContaining(["lab", "CANCEL", "cancel"]));

    await user.click(screen.getByTestId(TestId.templateSave));
    expect(await screen.findByTestId(TestId.templateSaved)).toHaveTextContent("Saved. Please read the warnings below.");
    expect((await stored(backend, "reminder", "en"))?.custom).toBe(true);
  });

  it("refuses an unknown placeholder beside the field and saves nothing", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await write(user, "See you {when}");
    // The live preview already says so…
    const error = await screen.findByTestId(TestId.templateBodyError);
    expect(error).toHaveTextContent("{when} is not a placeholder; use one of {patient_first_name}");
    expect(body()).toHaveAttribute("aria-invalid", "true");
    expect(body()).toHaveAccessibleDescription(/\{when\} is not a placeholder/);
    // …and Save is refused by the core in the same words.
    await user.click(screen.getByTestId(TestId.templateSave));
    await waitFor(() =>
      expect(screen.getByTestId(TestId.templateBodyError)).toHaveTextContent(/^Not saved: \{when\} is not a placeholder/),
    );
    expect(backend.callsOf("saveTemplate")).toHaveLength(1);
    expect((await stored(backend, "confirmation", "en"))?.custom).toBe(false);
    expect(screen.getByTestId(TestId.templateSaved)).toHaveTextContent("");
  });

  it("saves the clinic's wording and resets it to the default", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await user.click(kindButton("running_late"));
    await write(user, "{clinic_name}: we are 20 minutes behind, {patient_first_name}.");
    await user.click(screen.getByTestId(TestId.templateSave));
    expect(await screen.findByTestId(TestId.templateSaved)).toHaveTextContent("Saved.");
    expect(backend.callsOf("saveTemplate")[0]?.args).toEqual([
      "running_late",
      "en",
      "{clinic_name}: we are 20 minutes behind, {patient_first_name}.",
    ]);
    expect(kindButton("running_late")).toHaveTextContent("Edited by the clinic");
    expect(screen.getByText(/The clinic's own wording, saved by admin/)).toBeInTheDocument();
    expect(screen.getByTestId(TestId.templateSave)).toBeDisabled();

    const reset = screen.getByTestId(TestId.templateReset);
    expect(reset).toHaveTextContent("Reset to default");
    await user.click(reset);
    expect(await screen.findByTestId(TestId.templateSaved)).toHaveTextContent("Back to the built-in wording.");
    expect(body()).toHaveValue(MOCK_BUILT_IN.en?.running_late);
    expect(kindButton("running_late")).toHaveTextContent("Built-in wording");
    expect((await stored(backend, "running_late", "en"))?.custom).toBe(false);
  });

  it("keeps what is typed while a save is on its way, and leaves it to be saved next", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await user.click(kindButton("running_late"));
    const first = "{clinic_name}: we are 20 minutes behind, {patient_first_name}.";
    await write(user, first);
    backend.pause();
    await user.click(screen.getByTestId(TestId.templateSave));
    await waitFor(() => expect(backend.callsOf("saveTemplate")).toHaveLength(1));
    await user.type(body(), " Sorry");
    backend.resume();

    await waitFor(() =>
      expect(screen.getByTestId(TestId.templateSaved)).toHaveTextContent(
        "Saved the wording as it was when Save was pressed; press Save again for the changes since.",
      ),
    );
    expect(body()).toHaveValue(`${first} Sorry`);
    expect((await stored(backend, "running_late", "en"))?.body).toBe(first);
    expect(screen.getByTestId(TestId.templateSave)).toBeEnabled();

    await user.click(screen.getByTestId(TestId.templateSave));
    await waitFor(() => expect(screen.getByTestId(TestId.templateSaved)).toHaveTextContent(/^Saved\.$/));
    expect((await stored(backend, "running_late", "en"))?.body).toBe(`${first} Sorry`);
    expect(body()).toHaveValue(`${first} Sorry`);
    expect(screen.getByTestId(TestId.templateSave)).toBeDisabled();
  });

  it("inserts a placeholder chip where the cursor is", async () => {
    const { user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await write(user, "See you at ");
    const chip = screen.getAllByTestId(TestId.templateChip).find((c) => c.dataset.name === "time") as HTMLElement;
    expect(chip).toHaveAccessibleName("Insert {time}: the appointment's time");
    await user.click(chip);
    expect(body()).toHaveValue("See you at {time}");
    expect(body()).toHaveFocus();
    await waitFor(() => expect(previewText()).toHaveTextContent("See you at 2:30 PM"));
  });

  it("adds a language version, saves it, and removes it again", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    await user.click(kindButton("directions"));
    await user.click(screen.getByTestId(TestId.templateAddLanguage));
    const code = screen.getByTestId(TestId.templateNewLanguage);
    expect(code).toHaveFocus();
    await user.type(code, "french{Enter}");
    expect(screen.getByTestId(TestId.templateNewLanguageError)).toHaveTextContent("“french” is not a language code");
    await user.clear(code);
    await user.type(code, "FR{Enter}");

    expect(languageButtons().map((b) => b.textContent)).toEqual(["English (en)", "Spanish (es)", "French (fr)"]);
    expect(body()).toHaveValue(MOCK_BUILT_IN.en?.directions);
    expect(screen.getByText("New language version: not saved yet.")).toBeInTheDocument();
    await write(user, "{clinic_name}: votre rendez-vous est au {location}.");
    await user.click(screen.getByTestId(TestId.templateSave));
    expect(await screen.findByTestId(TestId.templateSaved)).toHaveTextContent("Saved.");
    expect(backend.callsOf("saveTemplate")[0]?.args.slice(0, 2)).toEqual(["directions", "fr"]);

    // No built-in French wording: resetting removes the version.
    const remove = screen.getByTestId(TestId.templateReset);
    expect(remove).toHaveTextContent("Remove this language");
    await user.click(remove);
    await waitFor(() => expect(languageButtons().map((b) => b.textContent)).toEqual(["English (en)", "Spanish (es)"]));
    expect(body()).toHaveValue(MOCK_BUILT_IN.en?.directions);
    expect(await stored(backend, "directions", "fr")).toBeUndefined();
  });

  it("says in words when the admin session has ended, and keeps the wording", async () => {
    const { backend, user } = renderEditor();
    await screen.findByTestId(TestId.templateBody);
    backend.admin.expire();
    await write(user, "{clinic_name}: see you soon.");
    await user.click(screen.getByTestId(TestId.templateSave));
    expect(await screen.findByTestId(TestId.templateSaveError)).toHaveTextContent(
      "Not saved: Only an admin can do this; enter the admin passphrase first.",
    );
    expect(body()).toHaveValue("{clinic_name}: see you soon.");
  });

  it("shows a plain error with a retry when the templates cannot be loaded", async () => {
    const backend = new MockBackend({
      failures: { listTemplates: new BackendError("DatabaseLocked", "the clinic database is busy; try again in a moment") },
    });
    renderWithBackend(TemplateEditor, backend, {});
    const error = await screen.findByTestId(TestId.templatesError);
    expect(error).toHaveTextContent("The templates could not be loaded.");
    expect(error).toHaveTextContent("The clinic database is busy; try again in a moment.");
    backend.fail("listTemplates", null);
    await userEvent.click(within(error).getByTestId(TestId.templatesRetry));
    expect(await screen.findByTestId(TestId.templateBody)).toBeInTheDocument();
  });

  it("sits on the Settings screen behind the admin gate", async () => {
    renderWithBackend(SettingsScreen, new MockBackend({ admin: { unlocked: false } }), {});
    await screen.findByTestId(TestId.adminUnlockForm);
    expect(screen.queryByTestId(TestId.templatesSection)).not.toBeInTheDocument();

    renderWithBackend(SettingsScreen, new MockBackend(), {});
    expect(await screen.findByTestId(TestId.templatesSection)).toHaveTextContent("Text templates");
  });
});
