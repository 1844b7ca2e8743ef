import { describe, expect, it } from "vitest";
import { parseStoreChanges } from "./events";

describe("parseStoreChanges", () => {
  it("accepts a single change", () => {
    expect(parseStoreChanges({ type: "threads" })).toEqual([{ type: "threads" }]);
  });

  it("accepts a batch and drops variants it doesn't know", () => {
    expect(
      parseStoreChanges([{ type: "patients" }, { type: "futureThing" }, null, "x", { type: "status" }]),
    ).toEqual([{ type: "patients" }, { type: "status" }]);
  });

  it("ignores garbage", () => {
    expect(parseStoreChanges(undefined)).toEqual([]);
    expect(parseStoreChanges(7)).toEqual([]);
  });
});
