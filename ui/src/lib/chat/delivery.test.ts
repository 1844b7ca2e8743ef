import { describe, expect, it } from "vitest";
import { mockMessage } from "../backend/mock";
import type { ThreadMessage } from "../bindings";
import { deliveryOf } from "./delivery";

const ours = (overrides: Partial<ThreadMessage>) =>
  mockMessage({ id: 1, direction: "outbound", status: "queued", localState: "queued", ...overrides });

describe("deliveryOf", () => {
  it("says nothing about a patient's text", () => {
    expect(deliveryOf(mockMessage({ id: 1 }))).toBeNull();
  });

  it.each([
    [{ status: "queued", localState: "queued" }, "waiting", "Queued"],
    [{ status: "queued", localState: "sending" }, "waiting", "Sending"],
    [{ status: "accepted", localState: "submitted" }, "waiting", "Sending"],
    [{ status: "queued", localState: "held" }, "held", "Waiting to send"],
    [{ status: "sent", localState: "submitted" }, "sent", "Sent"],
    [{ status: "delivered", localState: "submitted" }, "delivered", "Delivered"],
    [{ status: "read", localState: null }, "delivered", "Delivered"],
    [{ status: "undelivered", localState: "submitted" }, "failed", "Not delivered"],
    [{ status: "failed", localState: "submitted" }, "failed", "Failed"],
    [{ status: "queued", localState: "failed" }, "failed", "Not sent"],
    [{ status: "queued", localState: "blocked" }, "failed", "Not sent"],
    [{ status: "queued", localState: "cancelled" }, "cancelled", "Cancelled, not sent"],
  ] as const)("%o → %s (%s)", (fields, kind, label) => {
    expect(deliveryOf(ours(fields))).toMatchObject({ kind, label });
  });

  it("never shows delivered before Twilio says so, whatever the outbox thinks", () => {
    expect(deliveryOf(ours({ status: "sent", localState: "submitted" }))?.kind).toBe("sent");
    expect(deliveryOf(ours({ status: "unknown", localState: "submitted" }))?.kind).toBe("waiting");
  });

  it("gives the reason for a failure in words", () => {
    const failed = ours({
      status: "undelivered",
      errorCode: 30006,
      errorText: "The number is a landline or can't receive texts.",
    });
    expect(deliveryOf(failed)?.detail).toBe("The number is a landline or can't receive texts.");
    expect(deliveryOf(ours({ localState: "blocked", localError: "The patient opted out." }))?.detail).toBe(
      "The patient opted out.",
    );
    expect(deliveryOf(ours({ status: "failed" }))?.detail).toBe("The carrier didn't say why.");
  });

  it("says why a text waits", () => {
    expect(deliveryOf(ours({ localState: "held", localError: "Quiet hours until 08:00." }))?.detail).toBe(
      "Quiet hours until 08:00.",
    );
    expect(deliveryOf(ours({ localState: "queued", localError: "Twilio can't be reached; retrying." }))?.detail).toBe(
      "Twilio can't be reached; retrying.",
    );
  });
});
