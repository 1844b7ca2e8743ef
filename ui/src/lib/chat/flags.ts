/**
 * What a flagged reply says in the chat: why it stands out, and what staff can do about it from
 * here. Resolving goes through the same `resolveFlag` the Compliance screen uses, so confirming an
 * opt-out records it exactly as it would be recorded there.
 */
import type { FlagReason, FlagResolution, MessageFlag } from "../bindings";

const OPEN: Record<FlagReason, string> = {
  plain_words_opt_out: "Reads like an opt-out — confirm it here or in Compliance",
  reschedule_requested: "Asked to reschedule — flagged for staff",
  cancel_requested: "Asked to cancel — flagged for staff",
  ambiguous_reply: "Could mean more than one appointment — flagged for staff",
};

const CLOSED: Record<FlagReason, string> = {
  plain_words_opt_out: "Read like an opt-out — staff have dealt with it",
  reschedule_requested: "Asked to reschedule — staff have dealt with it",
  cancel_requested: "Asked to cancel — staff have dealt with it",
  ambiguous_reply: "Could have meant more than one appointment — staff have dealt with it",
};

export function flagWords(flag: MessageFlag): string {
  return (flag.open ? OPEN : CLOSED)[flag.reason];
}

export interface FlagAction {
  resolution: FlagResolution;
  label: string;
  /** The main action is drawn as the primary button. */
  primary: boolean;
}

/** The one-click actions for an open flag, main action first. */
export function flagActions(reason: FlagReason): FlagAction[] {
  if (reason === "plain_words_opt_out") {
    return [
      { resolution: "opted_out", label: "Confirm opt-out", primary: true },
      { resolution: "dismissed", label: "Not an opt-out", primary: false },
    ];
  }
  return [
    { resolution: "done", label: "Mark as handled", primary: true },
    { resolution: "dismissed", label: "Dismiss", primary: false },
  ];
}

/** What the chat announces once a flag is closed. */
export function resolvedWords(resolution: FlagResolution): string {
  switch (resolution) {
    case "opted_out":
      return "Opt-out confirmed. No more texts will go to this number.";
    case "dismissed":
      return "Flag dismissed.";
    case "done":
      return "Marked as handled.";
  }
}
