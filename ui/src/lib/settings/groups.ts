/**
 * How the Settings screen arranges the core's settings: a group per area, a readable label per
 * key. The core owns the list (keys, descriptions, defaults, validation); a key this table does
 * not know still shows, under Advanced, labelled by its name.
 */
import type { SettingEntry } from "../bindings";

export const GROUPS = [
  "Clinic",
  "Sending window",
  "Keywords and replies",
  "Reminders",
  "Messages",
  "Advanced",
] as const;
export type GroupName = (typeof GROUPS)[number];

const BY_PREFIX: ReadonlyArray<[string, GroupName]> = [
  ["clinic.", "Clinic"],
  ["sending_window.", "Sending window"],
  ["keywords.", "Keywords and replies"],
  ["replies.", "Keywords and replies"],
  ["reminders.", "Reminders"],
  ["messages.", "Messages"],
];

const LABELS: Record<string, string> = {
  "clinic.name": "Clinic name",
  "clinic.phone": "Clinic phone",
  "clinic.link": "Intake form link",
  "clinic.timezone": "Time zone",
  "clinic.region": "Country for phone numbers",
  "sending_window.start": "Texts may go out from",
  "sending_window.end": "Texts stop after",
  "sending_window.holidays": "Holidays",
  "keywords.opt_out": "Extra opt-out words",
  "keywords.opt_in": "Extra opt-in words",
  "keywords.help": "Extra help words",
  "replies.help": "Reply to HELP",
  "replies.confirm": "Reply to C (confirm)",
  "replies.reschedule": "Reply to R (reschedule)",
  "replies.cancel": "Reply to X (cancel)",
  "reminders.hours_before": "Reminder times (hours before)",
  "messages.price_per_segment": "Price per SMS segment",
  "outbox.ambiguous_grace_seconds": "Wait before re-sending an unanswered text (seconds)",
};

export function groupOf(key: string): GroupName {
  return BY_PREFIX.find(([prefix]) => key.startsWith(prefix))?.[1] ?? "Advanced";
}

export function labelOf(key: string): string {
  return LABELS[key] ?? key;
}

/** Long texts (the automatic replies) get a multi-line editor. */
export function isLongText(key: string): boolean {
  return key.startsWith("replies.");
}

/** Groups in screen order, each keeping the core's order of its settings; empty groups left out. */
export function groupSettings(entries: readonly SettingEntry[]): Array<{ name: GroupName; entries: SettingEntry[] }> {
  return GROUPS.map((name) => ({ name, entries: entries.filter((e) => groupOf(e.key) === name) })).filter(
    (g) => g.entries.length > 0,
  );
}
