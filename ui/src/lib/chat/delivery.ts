/**
 * What a clinic text's bubble says about its delivery. Twilio's status and the outbox's state
 * are combined so the bubble never claims more than is known: ✓✓ only for `delivered`, ✓ only
 * once Twilio took the text, and a failure always says why in plain words.
 */
import type { ThreadMessage } from "../bindings";

export type DeliveryKind = "waiting" | "held" | "sent" | "delivered" | "failed" | "cancelled";

export interface Delivery {
  kind: DeliveryKind;
  /** Short words next to the icon (also what a screen reader hears). */
  label: string;
  /** Why it failed or waits, when known. */
  detail: string | null;
}

const WAITING_LABEL: Partial<Record<string, string>> = {
  queued: "Queued",
  sending: "Sending",
};

export function deliveryOf(message: ThreadMessage): Delivery | null {
  if (message.direction === "inbound") return null;
  const { status, localState } = message;
  if (status === "failed" || status === "undelivered") {
    return {
      kind: "failed",
      label: status === "undelivered" ? "Not delivered" : "Failed",
      detail: message.errorText ?? message.localError ?? "The carrier didn't say why.",
    };
  }
  if (localState === "failed" || localState === "blocked") {
    return {
      kind: "failed",
      label: "Not sent",
      detail: message.localError ?? message.errorText ?? "Clinic Desk couldn't send this text.",
    };
  }
  if (localState === "cancelled" || status === "canceled") {
    return { kind: "cancelled", label: "Cancelled, not sent", detail: message.localError };
  }
  if (status === "delivered" || status === "read") {
    return { kind: "delivered", label: "Delivered", detail: null };
  }
  if (status === "sent" || status === "partially_delivered") {
    return { kind: "sent", label: "Sent", detail: null };
  }
  if (localState === "held") {
    return {
      kind: "held",
      label: "Waiting to send",
      detail: message.localError ?? "It goes out when the sending window opens.",
    };
  }
  return {
    kind: "waiting",
    label: (localState && WAITING_LABEL[localState]) ?? "Sending",
    // While the outbox retries, `localError` says what went wrong last time.
    detail: message.localError,
  };
}
