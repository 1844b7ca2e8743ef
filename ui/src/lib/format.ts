/**
 * Display-only formatting. Phone numbers are stored and compared in E.164 by the core; this only
 * makes North American numbers easier to read at the front desk and shows anything else as stored.
 */
import type { Patient } from "./bindings";

export function formatPhone(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : e164;
}

export function patientFullName(patient: Pick<Patient, "firstName" | "lastName">): string {
  return `${patient.firstName} ${patient.lastName}`.trim();
}

export interface WhenOptions {
  now?: number;
  locale?: string;
  timeZone?: string;
}

/** Today → time of day; earlier this year → day and month; older → with the year. */
export function formatWhen(epochMs: number, options: WhenOptions = {}): string {
  const { now = Date.now(), locale, timeZone } = options;
  const dayKey = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const then = new Date(epochMs);
  const today = new Date(now);
  if (dayKey.format(then) === dayKey.format(today)) {
    return new Intl.DateTimeFormat(locale, { timeZone, hour: "numeric", minute: "2-digit" }).format(then);
  }
  const yearKey = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric" });
  const sameYear = yearKey.format(then) === yearKey.format(today);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(then);
}

/** Full timestamp for tooltips and screen readers, where the short form would be ambiguous. */
export function formatWhenFull(epochMs: number, options: Omit<WhenOptions, "now"> = {}): string {
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(epochMs));
}
