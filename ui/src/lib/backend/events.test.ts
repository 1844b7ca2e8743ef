import { describe, expect, it } from "vitest";
import { parseStoreChanges } from "./events";

describe("parseStoreChanges", () => {
  it("folds each core event into the list it affects", () => {
    expect(parseStoreChanges({ type: "threadsChanged", phones: ["+14155550134"] })).toEqual([
      { type: "threads" },
    ]);
    expect(parseStoreChanges({ type: "newReply", phone: "+1", body: "C", at: 1 })).toEqual([
      { type: "threads" },
    ]);
    expect(parseStoreChanges({ type: "patientsChanged" })).toEqual([{ type: "patients" }]);
    expect(parseStoreChanges({ type: "syncStatus", state: "online" })).toEqual([{ type: "status" }]);
  });

  it("accepts a batch and drops variants it doesn't know", () => {
    expect(
      parseStoreChanges([
        { type: "patientsChanged" },
        { type: "futureThing" },
        null,
        "x",
        { type: "backfill", fetched: 10 },
      ]),
    ).toEqual([{ type: "patients" }, { type: "status" }]);
  });

  it("ignores garbage, including inherited property names", () => {
    expect(parseStoreChanges(undefined)).toEqual([]);
    expect(parseStoreChanges(7)).toEqual([]);
    expect(parseStoreChanges({ type: "toString" })).toEqual([]);
  });
});
