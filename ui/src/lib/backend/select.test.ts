import { describe, expect, it } from "vitest";
import { MockBackend, mockNormalizePhone } from "./mock";
import { chooseBackend, mockScenario } from "./select";
import { TauriBackend } from "./tauri";

describe("mockScenario", () => {
  it("uses the real core inside Tauri", () => {
    expect(mockScenario({ location: { search: "" }, __TAURI_INTERNALS__: {} })).toBeNull();
    expect(chooseBackend({ location: { search: "" }, __TAURI_INTERNALS__: {} })).toBeInstanceOf(
      TauriBackend,
    );
  });

  it("falls back to the mock in a plain browser", () => {
    expect(mockScenario({ location: { search: "" } })).toBe("sample");
    expect(chooseBackend({ location: { search: "" } })).toBeInstanceOf(MockBackend);
  });

  it("lets ?mock force a scenario even inside Tauri", () => {
    expect(mockScenario({ location: { search: "?mock" }, __TAURI_INTERNALS__: {} })).toBe("sample");
    expect(mockScenario({ location: { search: "?mock=empty" } })).toBe("empty");
    expect(mockScenario({ location: { search: "?mock=error" } })).toBe("error");
    expect(mockScenario({ location: { search: "?mock=unconfigured" } })).toBe("unconfigured");
    expect(mockScenario({ location: { search: "?mock=nonsense" } })).toBe("sample");
  });
});

describe("mockNormalizePhone", () => {
  it.each([
    ["(415) 555-0134", "+14155550134"],
    ["415.555.0134", "+14155550134"],
    ["1 415 555 0134", "+14155550134"],
    ["+44 20 7946 0958", "+442079460958"],
  ])("normalises %s", (raw, e164) => {
    expect(mockNormalizePhone(raw)).toBe(e164);
  });

  it.each(["12", "", "555-0134", "+1"])("rejects %j", (raw) => {
    expect(mockNormalizePhone(raw)).toBeNull();
  });
});
