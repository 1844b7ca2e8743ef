import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { TauriBackend } from "./tauri";

afterEach(() => {
  clearMocks();
});

describe("TauriBackend templates", () => {
  it("invokes the template commands with the argument names the Rust side declares", async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const backend = new TauriBackend();
    await backend.listTemplates();
    await backend.previewTemplate({ kind: "reminder", language: "es", body: "Hola {patient_first_name}" });
    await backend.previewTemplate({ kind: "directions", phone: "+14155550101" });
    await backend.saveTemplate("intake_form", "en", "{link}");
    await backend.resetTemplate("intake_form", "en");
    expect(seen).toEqual([
      ["list_templates", {}],
      ["preview_template", { kind: "reminder", language: "es", body: "Hola {patient_first_name}", phone: null }],
      ["preview_template", { kind: "directions", language: null, body: null, phone: "+14155550101" }],
      ["save_template", { kind: "intake_form", language: "en", body: "{link}" }],
      ["reset_template", { kind: "intake_form", language: "en" }],
    ]);
  });
});
