import { describe, expect, it } from "vitest";
import { parseStoreChanges, touchesThread } from "./events";

describe("parseStoreChanges", () => {
  it("folds each core event into what it affects, keeping the thread numbers", () => {
    expect(parseStoreChanges({ type: "threadsChanged", phones: ["+14155550134"] })).toEqual([
      { type: "threads", phones: ["+14155550134"] },
    ]);
    expect(parseStoreChanges({ type: "newReply", phone: "+1", patientName: "Ana", body: "C", at: 1 })).toEqual([
      { type: "threads", phones: ["+1"], reply: { phone: "+1", patientName: "Ana", body: "C" } },
    ]);
    expect(parseStoreChanges({ type: "newReply", phone: "+1" })).toEqual([{ type: "threads", phones: ["+1"] }]);
    expect(parseStoreChanges({ type: "complianceChanged", phones: ["+2"] })).toEqual([
      { type: "threads", phones: ["+2"] },
    ]);
    // The outbox doesn't say which threads moved: any may have.
    expect(parseStoreChanges({ type: "outboxChanged" })).toEqual([{ type: "threads" }]);
    expect(parseStoreChanges({ type: "patientsChanged" })).toEqual([{ type: "patients" }]);
    expect(parseStoreChanges({ type: "appointmentsChanged" })).toEqual([{ type: "appointments" }]);
  });

  it("carries the sync state and back-fill progress with their events", () => {
    expect(
      parseStoreChanges({ type: "syncStatus", state: "offline", lastSyncedAt: 5, lastError: "no route" }),
    ).toEqual([{ type: "sync", status: { state: "offline", lastSyncedAt: 5, lastError: "no route" } }]);
    expect(parseStoreChanges({ type: "backfill", direction: "inbound", fetched: 10_000, oldestAt: null })).toEqual([
      { type: "backfill", progress: { direction: "inbound", fetched: 10_000, oldestAt: null } },
    ]);
  });

  it("accepts a batch and drops variants it doesn't know or can't read", () => {
    expect(
      parseStoreChanges([
        { type: "patientsChanged" },
        { type: "futureThing" },
        null,
        "x",
        { type: "syncStatus", state: "dancing" },
        { type: "backfill", fetched: 10 },
        { type: "threadsChanged", phones: "not a list" },
      ]),
    ).toEqual([{ type: "patients" }, { type: "threads" }]);
  });

  it("ignores garbage, including inherited property names", () => {
    expect(parseStoreChanges(undefined)).toEqual([]);
    expect(parseStoreChanges(7)).toEqual([]);
    expect(parseStoreChanges({ type: "toString" })).toEqual([]);
  });
});

describe("touchesThread", () => {
  it("matches named threads, and every thread when none are named", () => {
    expect(touchesThread({ type: "threads", phones: ["+1", "+2"] }, "+2")).toBe(true);
    expect(touchesThread({ type: "threads", phones: ["+1"] }, "+2")).toBe(false);
    expect(touchesThread({ type: "threads" }, "+2")).toBe(true);
    expect(touchesThread({ type: "patients" }, "+2")).toBe(false);
  });
});
