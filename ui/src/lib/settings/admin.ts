/** Plain words for the admin gate and the Save & Test report. */
import type { StepKind, StepOutcome } from "../bindings";

/** "5 minutes", "1 minute", "40 seconds": how long a lockout still lasts. */
export function waitWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

const STEPS: Record<StepKind, string> = {
  credentials: "Twilio account and credentials",
  sender: "Clinic number or Messaging Service",
  test_text: "Test text",
};

export function stepLabel(kind: StepKind): string {
  return STEPS[kind];
}

const OUTCOMES: Record<StepOutcome, string> = {
  pass: "Passed",
  fail: "Failed",
  skipped: "Skipped",
};

export function outcomeWords(outcome: StepOutcome): string {
  return OUTCOMES[outcome];
}
