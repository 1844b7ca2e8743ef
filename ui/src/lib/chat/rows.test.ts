import { describe, expect, it } from "vitest";
import { mockMessage } from "../backend/mock";
import { chatRows, estimateRowHeight } from "./rows";

const NOW = Date.UTC(2025, 2, 14, 15, 30);
const HOUR = 3600_000;
const options = { now: NOW, locale: "en-US", timeZone: "UTC" };

describe("chatRows", () => {
  it("puts a separator before the first text of each day", () => {
    const rows = chatRows(
      [
        mockMessage({ id: 1, createdAt: Date.UTC(2024, 11, 31, 9) }),
        mockMessage({ id: 2, createdAt: Date.UTC(2025, 2, 10, 9) }),
        mockMessage({ id: 3, createdAt: Date.UTC(2025, 2, 10, 18) }),
        mockMessage({ id: 4, createdAt: NOW - 24 * HOUR }),
        mockMessage({ id: 5, createdAt: NOW - HOUR }),
        mockMessage({ id: 6, createdAt: NOW }),
      ],
      options,
    );
    expect(rows.map((r) => (r.kind === "day" ? r.label : r.message.id))).toEqual([
      "Tuesday, December 31, 2024",
      1,
      "Monday, March 10",
      2,
      3,
      "Yesterday",
      4,
      "Today",
      5,
      6,
    ]);
  });

  it("uses the given time zone for where a day ends", () => {
    // 02:00 UTC on the 14th is still the 13th in New York.
    const rows = chatRows([mockMessage({ id: 1, createdAt: Date.UTC(2025, 2, 14, 2) })], {
      ...options,
      timeZone: "America/New_York",
    });
    expect(rows[0]).toMatchObject({ kind: "day", label: "Yesterday" });
  });

  it("has stable keys, so a re-read keeps rows in place", () => {
    const messages = [mockMessage({ id: 7, createdAt: NOW })];
    expect(chatRows(messages, options).map((r) => r.key)).toEqual(chatRows(messages, options).map((r) => r.key));
  });

  it("estimates taller rows for longer texts", () => {
    const short = estimateRowHeight({ kind: "message", key: "a", message: mockMessage({ id: 1, body: "C" }) });
    const long = estimateRowHeight({
      kind: "message",
      key: "b",
      message: mockMessage({ id: 2, body: "word ".repeat(60) }),
    });
    expect(long).toBeGreaterThan(short);
  });
});
