/**
 * The mock backend's appointment book: enough of the core's contract (bookings that stand when
 * the text fails, status rules, a per-row CSV report, re-imports adding nothing) to drive the
 * appointments screen in tests and the browser preview. Dates are "YYYY-MM-DD", times "HH:MM",
 * and every appointment lives in one made-up clinic zone.
 */
import type {
  Appointment,
  AppointmentChanges,
  AppointmentDay,
  AppointmentSms,
  AppointmentStatus,
  Booking,
  Edited,
  ImportReport,
  ImportRow,
  NewAppointment,
  SmsOutcome,
  StatusChanged,
} from "../bindings";
import { BackendError } from "./errors";

export const MOCK_TIME_ZONE = "America/New_York";
const MAX_CONTENTS = 10 * 1024 * 1024;

export interface MockAppointmentOptions {
  appointments?: Appointment[];
  /** The clinic's today (default: the computer's today). */
  today?: string;
  /** When set, confirmation texts fail with this reason (the booking still stands). */
  smsFailure?: string | null;
}

export function mockAppointment(overrides: Partial<Appointment> & Pick<Appointment, "id">): Appointment {
  return {
    patientId: overrides.id,
    patientName: "Sample Patient",
    patientFirstName: "Sample",
    language: "en",
    phone: "+14155550101",
    startsAt: 0,
    timeZone: MOCK_TIME_ZONE,
    localDate: "2026-03-10",
    localTime: "09:00",
    durationMinutes: 30,
    provider: "",
    location: "",
    status: "booked",
    confirmation: "unconfirmed",
    imported: false,
    sms: null,
    ...overrides,
  };
}

export function mockSms(overrides: Partial<AppointmentSms> = {}): AppointmentSms {
  return {
    outboxId: 1,
    kind: "confirmation",
    state: "queued",
    twilioStatus: null,
    errorCode: null,
    failed: false,
    problem: null,
    summary: "waiting to send",
    updatedAt: 0,
    ...overrides,
  };
}

function localToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "2026-03-10 14:30" or "2026-03-10T14:30" → [date, time]; anything else is not understood. */
function parseStart(value: string): [string, string] | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, date = "", hour = "", minute = ""] = match;
  if (Number(hour) > 23 || Number(minute) > 59) return null;
  return [date, `${hour.padStart(2, "0")}:${minute}`];
}

function splitName(full: string): [string, string] {
  const trimmed = full.trim();
  const comma = trimmed.indexOf(",");
  if (comma >= 0) return [trimmed.slice(comma + 1).trim(), trimmed.slice(0, comma).trim()];
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ""] : [trimmed.slice(0, space), trimmed.slice(space).trim()];
}

/** Splits one CSV line, honouring double quotes (enough for the mock's sample files). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field.trim());
      field = "";
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

const HEADER_FIELDS: Record<string, "name" | "phone" | "start" | "provider" | "location"> = {
  name: "name",
  "patient name": "name",
  patient: "name",
  phone: "phone",
  mobile: "phone",
  start: "start",
  "start time": "start",
  provider: "provider",
  location: "location",
};

export class MockAppointments {
  private list: Appointment[];
  private today: string;
  smsFailure: string | null;
  private nextId: number;
  private importedKeys = new Set<string>();

  constructor(
    options: MockAppointmentOptions,
    private readonly normalizePhone: (raw: string) => string | null,
    private readonly patientName: (e164: string) => string | null,
  ) {
    this.list = structuredClone(options.appointments ?? []);
    this.today = options.today ?? localToday();
    this.smsFailure = options.smsFailure ?? null;
    this.nextId = this.list.reduce((max, a) => Math.max(max, a.id), 0) + 1;
  }

  day(date: string | null): AppointmentDay {
    const day = date?.trim() || this.today;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      throw new BackendError("InvalidInput", `"${day}" is not a date; use a date like 2026-03-10`);
    }
    const appointments = this.list
      .filter((a) => a.localDate === day)
      .sort((a, b) => a.localTime.localeCompare(b.localTime) || a.id - b.id);
    return { date: day, today: this.today, appointments: structuredClone(appointments) };
  }

  /** The number's appointments from the clinic's today on, not cancelled, earliest first. */
  upcoming(phone: string): Appointment[] {
    const ahead = this.list
      .filter((a) => a.phone === phone && a.status !== "cancelled" && a.localDate >= this.today)
      .sort((a, b) => a.localDate.localeCompare(b.localDate) || a.localTime.localeCompare(b.localTime) || a.id - b.id);
    return structuredClone(ahead);
  }

  get(id: number): Appointment {
    const found = this.list.find((a) => a.id === id);
    if (!found) throw new BackendError("NotFound", `appointment ${id} is not on file; it may have been removed`);
    return found;
  }

  book(input: NewAppointment): Booking {
    const phone = this.normalizePhone(input.phone);
    if (!phone) {
      throw new BackendError(
        "InvalidNumber",
        `"${input.phone.trim()}" is not a phone number; type it like (415) 555-0134`,
      );
    }
    const known = this.patientName(phone) ?? this.list.find((a) => a.phone === phone)?.patientName ?? null;
    if (!known && !input.name.trim()) {
      throw new BackendError("InvalidInput", `${phone} is not on file yet; enter the patient's name`);
    }
    const start = parseStart(input.start);
    if (!start) {
      throw new BackendError("InvalidInput", `"${input.start}" is not a date and time; use e.g. 2026-03-10 14:30`);
    }
    const [first, last] = splitName(known ?? input.name);
    const appointment = this.add(phone, `${first} ${last}`.trim(), first, start, input.provider, input.location);
    const sms = this.confirm(appointment);
    return { appointment: structuredClone(appointment), patientCreated: !known, sms };
  }

  edit(id: number, changes: AppointmentChanges): Edited {
    const appointment = this.get(id);
    if (appointment.status !== "booked") {
      throw new BackendError(
        "InvalidInput",
        `appointment ${id} is ${appointment.status.replace("_", "-")}; only a booked appointment can be changed (book a new one)`,
      );
    }
    let rescheduled = false;
    if (changes.start !== null) {
      const start = parseStart(changes.start);
      if (!start) {
        throw new BackendError("InvalidInput", `"${changes.start}" is not a date and time; use e.g. 2026-03-10 14:30`);
      }
      rescheduled = start[0] !== appointment.localDate || start[1] !== appointment.localTime;
      [appointment.localDate, appointment.localTime] = start;
    }
    if (changes.provider !== null) appointment.provider = changes.provider.trim();
    if (changes.location !== null) appointment.location = changes.location.trim();
    if (changes.durationMinutes !== null) appointment.durationMinutes = changes.durationMinutes;
    const sms = rescheduled ? this.confirm(appointment) : null;
    if (rescheduled) appointment.confirmation = "unconfirmed";
    return { appointment: structuredClone(appointment), rescheduled, cancelledTexts: rescheduled ? 1 : 0, sms };
  }

  setStatus(id: number, allowedFrom: AppointmentStatus[], to: AppointmentStatus): StatusChanged {
    const appointment = this.get(id);
    if (appointment.status !== to && !allowedFrom.includes(appointment.status)) {
      throw new BackendError(
        "InvalidInput",
        `appointment ${id} is ${appointment.status.replace("_", "-")}; it cannot be ${to.replace("_", "-")}`,
      );
    }
    const changed = appointment.status !== to;
    appointment.status = to;
    return { appointment: structuredClone(appointment), cancelledTexts: changed && to === "cancelled" ? 1 : 0 };
  }

  import(contents: string): ImportReport {
    if (contents.length > MAX_CONTENTS) {
      throw new BackendError("InvalidInput", "the file is larger than 10 MB; split it and import the parts");
    }
    const lines = contents.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
    const headerIndex = lines.findIndex((l) => l.trim() !== "");
    if (headerIndex < 0) throw new BackendError("InvalidInput", "the file is empty");
    const headers = csvFields(lines[headerIndex] ?? "");
    const fields = headers.map((h) => HEADER_FIELDS[h.toLowerCase()] ?? null);
    if (!fields.includes("phone")) {
      throw new BackendError("InvalidInput", "the file has no phone column; add a column headed \"Phone\"");
    }
    const rows: ImportRow[] = [];
    const seen = new Map<string, number>();
    let patientsCreated = 0;
    lines.forEach((line, index) => {
      if (index <= headerIndex || line.trim() === "") return;
      const row = index + 1;
      const values: Partial<Record<NonNullable<(typeof fields)[number]>, string>> = {};
      csvFields(line).forEach((value, i) => {
        const field = fields[i];
        if (field) values[field] = value;
      });
      const skip = (reason: string) =>
        rows.push({ row, status: "skipped", reason, appointmentId: null, patientCreated: false });
      if (!values.name) return skip("missing patient name");
      if (!values.phone) return skip("missing phone number");
      const phone = this.normalizePhone(values.phone);
      if (!phone) return skip(`invalid phone number "${values.phone}"`);
      const start = parseStart(values.start ?? "");
      if (!start) return skip(`unknown date format "${values.start ?? ""}"`);
      const key = `${phone}|${start.join(" ")}`;
      const first = seen.get(key);
      if (first !== undefined) return skip(`duplicate of row ${first}`);
      seen.set(key, row);
      if (this.importedKeys.has(key)) return skip("already imported");
      this.importedKeys.add(key);
      const created = !this.patientName(phone) && !this.list.some((a) => a.phone === phone);
      if (created) patientsCreated++;
      const [firstName] = splitName(values.name);
      const appointment = this.add(phone, values.name, firstName, start, values.provider ?? "", values.location ?? "");
      appointment.imported = true;
      rows.push({ row, status: "ok", reason: null, appointmentId: appointment.id, patientCreated: created });
    });
    return {
      rows,
      imported: rows.filter((r) => r.status === "ok").length,
      skipped: rows.filter((r) => r.status === "skipped").length,
      patientsCreated,
      columns: headers.flatMap((header, i) => (fields[i] ? [{ header, field: fields[i] }] : [])),
      ignoredColumns: headers.filter((_, i) => !fields[i]),
      confirmationsSent: false,
      notes: ["Imported appointments are not sent a confirmation text."],
    };
  }

  private add(
    phone: string,
    name: string,
    firstName: string,
    [localDate, localTime]: [string, string],
    provider: string,
    location: string,
  ): Appointment {
    const id = this.nextId++;
    const appointment = mockAppointment({
      id,
      patientName: name,
      patientFirstName: firstName,
      phone,
      localDate,
      localTime,
      startsAt: Date.parse(`${localDate}T${localTime}:00Z`),
      provider: provider.trim(),
      location: location.trim(),
    });
    this.list.push(appointment);
    return appointment;
  }

  private confirm(appointment: Appointment): SmsOutcome {
    const outboxId = appointment.id * 100 + (appointment.sms ? appointment.sms.outboxId % 100 : 0) + 1;
    if (this.smsFailure) {
      const reason = this.smsFailure;
      appointment.sms = mockSms({ outboxId, state: "failed", failed: true, problem: reason, summary: `SMS failed: ${reason}` });
      return { ok: false, reason, outboxId: null, summary: `SMS failed: ${reason}` };
    }
    appointment.sms = mockSms({ outboxId });
    return { ok: true, reason: null, outboxId, summary: "SMS queued" };
  }
}
