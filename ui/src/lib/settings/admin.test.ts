import { describe, expect, it } from "vitest";
import { outcomeWords, stepLabel, waitWords } from "./admin";

describe("admin words", () => {
  it("says how long a lockout lasts in minutes or seconds", () => {
    expect(waitWords(5 * 60 * 1000)).toBe("5 minutes");
    expect(waitWords(61_000)).toBe("2 minutes");
    expect(waitWords(60_000)).toBe("1 minute");
    expect(waitWords(40_000)).toBe("40 seconds");
    expect(waitWords(0)).toBe("1 second");
  });

  it("names every step and outcome in words", () => {
    expect(stepLabel("sender")).toBe("Clinic number or Messaging Service");
    expect(outcomeWords("skipped")).toBe("Skipped");
  });
});
