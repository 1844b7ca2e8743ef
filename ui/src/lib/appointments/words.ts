/**
 * Plain words for an appointment's states, and the calendar arithmetic of the day view. Days are
 * "YYYY-MM-DD" strings in the clinic's zone as the core sends them; they are stepped as UTC
 * calendar dates so the computer's own zone and DST can never shift them.
 */
import type { Appointment, AppointmentStatus, Confirmation, ImportReport } from "../bindings";

export const STATUS_WORDS: Record<AppointmentStatus, string> = {
  booked: "Booked",
  cancelled: "Cancelled",
  arrived: "Arrived",
  no_show: "No-show",
  completed: "Completed",
};

export const CONFIRMATION_WORDS: Record<Confirmation, string> = {
  unconfirmed: "Unconfirmed",
  confirmed: "Confirmed",
  reschedule_requested: "Reschedule requested",
  cancel_requested: "Cancel requested",
};

export interface SmsLine {
  text: string;
  failed: boolean;
  /** Which text it is about ("Confirmation", "Reminder"), when there is one. */
  about: string | null;
}

const KIND_WORDS: Record<string, string> = {
  confirmation: "Confirmation",
  reminder: "Reminder",
  manual: "Text from staff",
  bulk: "Group text",
  auto_reply: "Automatic reply",
  test: "Test text",
};

/** The latest text about the appointment in one line; a failure always carries its reason. */
export function smsLine(appointment: Pick<Appointment, "sms">): SmsLine {
  const sms = appointment.sms;
  if (!sms) return { text: "No text sent yet", failed: false, about: null };
  const about = KIND_WORDS[sms.kind] ?? null;
  if (sms.failed) {
    const reason = sms.problem?.trim();
    const text = sms.summary.startsWith("SMS failed") ? sms.summary : `SMS failed: ${reason || sms.summary}`;
    return { text, failed: true, about };
  }
  return { text: `SMS ${sms.summary}`, failed: false, about };
}

function parseDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function addDays(day: string, days: number): string {
  const date = parseDay(day);
  if (!date) return day;
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** "Tuesday, March 10, 2026" in the reader's locale. */
export function longDay(day: string, locale?: string): string {
  const date = parseDay(day);
  if (!date) return day;
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
  }).format(date);
}

/** "14:30" → "2:30 PM" in the reader's locale. */
export function clockTime(time: string, locale?: string): string {
  const match = /^(\d{1,2}):(\d{2})/.exec(time);
  if (!match) return time;
  const date = new Date(Date.UTC(2000, 0, 1, Number(match[1]), Number(match[2])));
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", hour: "numeric", minute: "2-digit" }).format(date);
}

/** One sentence for the top of an import report. */
export function importSummary(report: ImportReport): string {
  const rows = (n: number) => `${n} ${n === 1 ? "row" : "rows"}`;
  if (report.imported === 0 && report.skipped > 0 && report.rows.every((r) => r.reason === "already imported")) {
    return `Nothing new: all ${rows(report.skipped)} were already imported.`;
  }
  if (report.rows.length === 0) return "The file has a header but no appointments.";
  const parts = [`${rows(report.imported)} imported`, `${rows(report.skipped)} skipped`];
  if (report.patientsCreated > 0) {
    parts.push(`${report.patientsCreated} new ${report.patientsCreated === 1 ? "patient" : "patients"} added`);
  }
  return `${parts.join(", ")}.`;
}
