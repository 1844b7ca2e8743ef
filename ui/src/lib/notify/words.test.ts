import { describe, expect, it } from "vitest";
import { replyNotification, shouldNotify, unreadTotal, windowTitle } from "./words";

describe("reply notifications", () => {
  it("names the patient and shows the start of the text", () => {
    expect(replyNotification({ phone: "+14155550134", patientName: "Ana Rivera", body: "Running late, sorry" })).toEqual({
      title: "New reply",
      body: "Ana Rivera: Running late, sorry",
    });
  });

  it("shows a readable number when the patient is not on file", () => {
    expect(replyNotification({ phone: "+14155550134", patientName: null, body: "C" }).body).toBe("(415) 555-0134: C");
    expect(replyNotification({ phone: "+14155550134", patientName: "  ", body: "C" }).body).toBe("(415) 555-0134: C");
  });

  it("keeps the first 80 characters on one line, without cutting an emoji in half", () => {
    const long = `${"a".repeat(79)}😀 and more`;
    const text = replyNotification({ phone: "+1", patientName: "Ana", body: long }).body;
    expect(text).toBe(`Ana: ${"a".repeat(79)}😀…`);
    expect(replyNotification({ phone: "+1", patientName: "Ana", body: "line one\n\nline two" }).body).toBe(
      "Ana: line one line two",
    );
    expect(replyNotification({ phone: "+1", patientName: "Ana", body: "x".repeat(80) }).body).toBe(`Ana: ${"x".repeat(80)}`);
  });

  it("stays quiet only for the chat being read in a focused window", () => {
    expect(shouldNotify({ phone: "+1" }, true, "+1")).toBe(false);
    expect(shouldNotify({ phone: "+1" }, true, "+2")).toBe(true);
    expect(shouldNotify({ phone: "+1" }, true, null)).toBe(true);
    expect(shouldNotify({ phone: "+1" }, false, "+1")).toBe(true);
  });
});

describe("unread badge", () => {
  it("counts every unread text and puts the count in the title", () => {
    expect(unreadTotal([{ unread: 2 }, { unread: 0 }, { unread: 3 }])).toBe(5);
    expect(unreadTotal([])).toBe(0);
    expect(windowTitle(5)).toBe("Clinic Desk (5 unread)");
    expect(windowTitle(0)).toBe("Clinic Desk");
  });
});
