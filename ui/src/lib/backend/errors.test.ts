import { describe, expect, it } from "vitest";
import { BackendError, plainMessage, toBackendError } from "./errors";

describe("toBackendError", () => {
  it("keeps the code and message of an IpcError object", () => {
    const err = toBackendError({ code: "InvalidNumber", message: "Check the number." });
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("InvalidNumber");
    expect(err.message).toBe("Check the number.");
  });

  it("returns an existing BackendError unchanged", () => {
    const original = new BackendError("NotFound", "Gone.");
    expect(toBackendError(original)).toBe(original);
  });

  it("treats Tauri's own string rejections as Internal but keeps the text", () => {
    const err = toBackendError("command add_patient not found");
    expect(err.code).toBe("Internal");
    expect(err.message).toBe("command add_patient not found");
  });

  it("maps a code this UI doesn't know yet to Internal and keeps the message", () => {
    const err = toBackendError({ code: "SomethingNew", message: "Do this to fix it." });
    expect(err.code).toBe("Internal");
    expect(err.message).toBe("Do this to fix it.");
  });

  it.each([null, undefined, 42, {}, ""])("copes with %j", (raw) => {
    const err = toBackendError(raw);
    expect(err.code).toBe("Internal");
  });
});

describe("plainMessage", () => {
  it("prefers the core's message", () => {
    expect(plainMessage({ code: "DatabaseLocked", message: "Close the other program." })).toBe(
      "Close the other program.",
    );
  });

  it("falls back to plain words, never the bare code, when the message is empty", () => {
    const text = plainMessage({ code: "DatabaseLocked", message: "  " });
    expect(text).not.toBe("DatabaseLocked");
    expect(text).not.toContain("DatabaseLocked");
    expect(text).toMatch(/busy/i);
  });

  it("has words for an unknown failure", () => {
    expect(plainMessage(undefined)).toMatch(/something went wrong/i);
  });
});
