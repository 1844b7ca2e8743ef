import { describe, expect, it } from "vitest";
import { formatPhone, formatWhen, patientFullName } from "./format";

describe("formatPhone", () => {
  it("formats North American numbers for reading", () => {
    expect(formatPhone("+14155550134")).toBe("(415) 555-0134");
  });

  it("shows other numbers as stored", () => {
    expect(formatPhone("+442079460958")).toBe("+442079460958");
  });
});

describe("formatWhen", () => {
  const now = Date.UTC(2025, 2, 14, 15, 30);
  const opts = { now, locale: "en-US", timeZone: "UTC" };

  it("shows the time for today", () => {
    expect(formatWhen(Date.UTC(2025, 2, 14, 9, 5), opts)).toBe("9:05 AM");
  });

  it("shows day and month earlier this year", () => {
    expect(formatWhen(Date.UTC(2025, 0, 3, 9, 5), opts)).toBe("Jan 3");
  });

  it("adds the year for older messages", () => {
    expect(formatWhen(Date.UTC(2023, 11, 24, 9, 5), opts)).toBe("Dec 24, 2023");
  });

  it("decides 'today' in the given time zone", () => {
    // 02:00 UTC on the 14th is still the 13th in Los Angeles.
    const la = { now, locale: "en-US", timeZone: "America/Los_Angeles" };
    expect(formatWhen(Date.UTC(2025, 2, 14, 2, 0), la)).toBe("Mar 13");
  });
});

describe("patientFullName", () => {
  it("joins first and last name", () => {
    expect(patientFullName({ firstName: "Sample", lastName: "Patient" })).toBe("Sample Patient");
  });
});
