/**
 * Words of the group message panel: the ready-made texts, who is left out and why, and the
 * progress line once the texts are queued.
 */
import type { ExclusionReason } from "../bindings";
import type { DeliveryKind } from "../chat/delivery";
import { longDay } from "../appointments/words";

export function runningLateText(provider: string, minutes: number): string {
  const who = provider.trim() || "Your provider";
  return `${who} is running about ${minutes} minutes late today. We're sorry for the wait. Reply to this text if you need to reschedule.`;
}

export function closureText(day: string): string {
  return `The clinic is closed on ${longDay(day)}. We will contact you to rebook your appointment. Reply to this text with any questions.`;
}

export const EXCLUSION_LABEL: Record<ExclusionReason, string> = {
  optedOut: "Opted out",
  notMobile: "Landline",
  invalidNumber: "No mobile number",
};

export interface Progress {
  total: number;
  waiting: number;
  held: number;
  sent: number;
  delivered: number;
  failed: number;
}

export function countProgress(total: number, kinds: readonly (DeliveryKind | null)[]): Progress {
  const progress: Progress = { total, waiting: 0, held: 0, sent: 0, delivered: 0, failed: 0 };
  for (const kind of kinds) {
    if (kind === "delivered") progress.delivered++;
    else if (kind === "sent") progress.sent++;
    else if (kind === "failed" || kind === "cancelled") progress.failed++;
    else if (kind === "held") progress.held++;
    else progress.waiting++;
  }
  progress.waiting += Math.max(0, total - kinds.length);
  return progress;
}

/** "3 of 3 queued. 1 delivered, 1 sent, 1 waiting." */
export function progressLine(queued: number, total: number, p: Progress): string {
  const parts = [
    p.delivered && `${p.delivered} delivered`,
    p.sent && `${p.sent} sent`,
    p.held && `${p.held} held for quiet time`,
    p.waiting && `${p.waiting} waiting to go out`,
    p.failed && `${p.failed} not delivered`,
  ].filter(Boolean);
  return `${queued} of ${total} queued.${parts.length ? ` ${parts.join(", ")}.` : ""}`;
}

const COST = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** In the account's currency, as the composer shows it. */
export function costWords(amount: number): string {
  return COST.format(amount);
}
