import { describe, expect, it } from "vitest";
import { mockSms } from "../backend/mock-appointments";
import { decodeCsv } from "./read-file";
import { addDays, importSummary, smsLine } from "./words";

describe("appointment words", () => {
  it("steps days across month ends, leap days and DST changes without drifting", () => {
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-08", 1)).toBe("2026-03-09");
    expect(addDays("2026-11-01", -1)).toBe("2026-10-31");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
  });

  it("always puts the reason next to a failed text", () => {
    expect(smsLine({ sms: null }).text).toBe("No text sent yet");
    expect(smsLine({ sms: mockSms({ summary: "delivered" }) })).toEqual({
      text: "SMS delivered",
      failed: false,
      about: "Confirmation",
    });
    const failed = smsLine({
      sms: mockSms({ kind: "reminder", failed: true, problem: "the number is unreachable", summary: "failed" }),
    });
    expect(failed).toEqual({ text: "SMS failed: the number is unreachable", failed: true, about: "Reminder" });
  });

  it("sums up an import, and a re-import as nothing new", () => {
    const base = { columns: [], ignoredColumns: [], confirmationsSent: false, notes: [] };
    expect(
      importSummary({
        ...base,
        imported: 1,
        skipped: 1,
        patientsCreated: 1,
        rows: [
          { row: 2, status: "ok", reason: null, appointmentId: 1, patientCreated: true },
          { row: 3, status: "skipped", reason: "missing phone number", appointmentId: null, patientCreated: false },
        ],
      }),
    ).toBe("1 row imported, 1 row skipped, 1 new patient added.");
    expect(
      importSummary({
        ...base,
        imported: 0,
        skipped: 2,
        patientsCreated: 0,
        rows: [2, 3].map((row) => ({
          row,
          status: "skipped" as const,
          reason: "already imported",
          appointmentId: null,
          patientCreated: false,
        })),
      }),
    ).toBe("Nothing new: all 2 rows were already imported.");
  });
});

describe("reading a CSV file", () => {
  it("reads UTF-8 as is and falls back to Windows-1252 with a note", () => {
    const utf8 = new TextEncoder().encode("Name\nJosé\n");
    expect(decodeCsv(utf8.buffer as ArrayBuffer)).toEqual({ text: "Name\nJosé\n", note: null });
    const latin = new Uint8Array([0x4a, 0x6f, 0x73, 0xe9]);
    const read = decodeCsv(latin.buffer);
    expect(read.text).toBe("José");
    expect(read.note).toMatch(/not UTF-8/);
  });
});
