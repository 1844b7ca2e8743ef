import { describe, expect, it } from "vitest";
import { closureText, countProgress, progressLine, runningLateText } from "./words";

describe("group message words", () => {
  it("fills in the ready-made texts", () => {
    expect(runningLateText("Dr. Lee", 30)).toMatch(/^Dr\. Lee is running about 30 minutes late today\./);
    expect(runningLateText(" ", 15)).toMatch(/^Your provider is running about 15 minutes late/);
    expect(closureText("2026-03-10")).toMatch(/^The clinic is closed on .*2026/);
  });

  it("counts progress as statuses arrive, and never calls a failure sent", () => {
    const p = countProgress(5, ["delivered", "sent", "failed", "held", null]);
    expect(p).toEqual({ total: 5, waiting: 1, held: 1, sent: 1, delivered: 1, failed: 1 });
    expect(progressLine(5, 6, p)).toBe(
      "5 of 6 queued. 1 delivered, 1 sent, 1 held for quiet time, 1 waiting to go out, 1 not delivered.",
    );
    expect(progressLine(2, 2, countProgress(2, []))).toBe("2 of 2 queued. 2 waiting to go out.");
  });
});
