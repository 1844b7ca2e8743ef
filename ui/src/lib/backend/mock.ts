/**
 * In-memory backend for component tests and for opening the UI in a plain browser. It mimics the
 * core's observable contract (copies of data as IPC would deliver, `BackendError` rejections,
 * change events after writes) but not its rules in depth: phone handling here is a rough US-only
 * approximation, and segment counting a rough one too (see `mockPreview`), while the core uses a
 * real phone-number library and the GSM 03.38 tables.
 */
import type {
  AppStatus,
  AuditExportInput,
  AuditExportResult,
  AuditLine,
  AuditPage,
  ConsentEvent,
  ConsentInput,
  Dashboard,
  FlagResolution,
  OptState,
  SettingEntry,
  StaffFlag,
  VerifyReport,
  MessageStatus,
  NewPatient,
  OutboxState,
  Patient,
  SendTextInput,
  SyncSnapshot,
  TextPreview,
  ThreadContext,
  ThreadMessage,
  ThreadSummary,
} from "../bindings";
import type { AuditQuery, Backend, Unsubscribe } from "./backend";
import { BackendError } from "./errors";
import type { StoreChange } from "./events";
import type {
  AppointmentChanges,
  AppointmentDay,
  Booking,
  Edited,
  ImportReport,
  NewAppointment,
  StatusChanged,
} from "../bindings";
import { MockAppointments, type MockAppointmentOptions } from "./mock-appointments";
import { mockGroupPreview, type GroupWorld } from "./mock-group";
import type { GroupPreview, GroupPreviewInput, GroupReport, GroupSendInput } from "../bindings";
import type { NotificationText } from "../notify/words";
import { MockAdmin, type MockAdminOptions } from "./mock-admin";
import { MockTemplates, type MockTemplateOptions } from "./mock-templates";
import type { FilledTemplate, SavedTemplate, Template, TemplateKind, TemplateList } from "../bindings";
import type { TemplatePreviewRequest } from "./backend";
import type { AdminStatus, CredentialsSummary, SaveAndTestInput, TestReport } from "../bindings";

export type MockMethod =
  | "appStatus"
  | "listPatients"
  | "addPatient"
  | "listThreads"
  | "threadMessages"
  | "threadContext"
  | "sendText"
  | "retryText"
  | "markThreadRead"
  | "setChatOpen"
  | "previewText"
  | "syncStatus"
  | "listAppointments"
  | "bookAppointment"
  | "editAppointment"
  | "cancelAppointment"
  | "markArrived"
  | "markNoShow"
  | "importAppointmentsCsv"
  | "dashboard"
  | "listOptStates"
  | "listStaffFlags"
  | "resolveFlag"
  | "listConsent"
  | "recordConsent"
  | "verifyAudit"
  | "readAudit"
  | "exportAudit"
  | "listSettings"
  | "setSetting"
  | "accessStatus"
  | "setAdminPassphrase"
  | "unlockAdmin"
  | "lockAdmin"
  | "credentialsSummary"
  | "saveAndTest"
  | "leaveDemoMode"
  | "listTemplates"
  | "previewTemplate"
  | "saveTemplate"
  | "resetTemplate"
  | "previewGroupMessage"
  | "sendGroupMessage"
  | "showNotification"
  | "setWindowTitle";

export interface MockCall {
  method: MockMethod;
  args: unknown[];
}

export interface MockOptions {
  status?: AppStatus;
  patients?: Patient[];
  threads?: ThreadSummary[];
  /** Texts by thread phone, oldest first. */
  messages?: Record<string, ThreadMessage[]>;
  optedOut?: string[];
  /** Manual sends are refused with `QuietHours` unless they carry an override reason. */
  quietHours?: boolean;
  sync?: SyncSnapshot;
  /** What the dashboard shows (default: a clinic with no texts yet). */
  dashboard?: Dashboard;
  /** The appointment book, the clinic's today, and whether confirmation texts fail. */
  appointments?: MockAppointmentOptions;
  pricePerSegment?: number;
  /** Methods that reject with the given error until `fail(method, null)` clears them. */
  failures?: Partial<Record<MockMethod, BackendError>>;
  /** Artificial delay, so the browser preview shows loading states as the real app would. */
  latencyMs?: number;
  /** Moves sent texts to sent, then delivered, after this long (browser preview only). */
  deliverAfterMs?: number;
  /** Opt-in/out states with evidence; opted-out ones also block sends, like `optedOut`. */
  optStates?: OptState[];
  /** Staff flags (open and closed). */
  flags?: StaffFlag[];
  /** Consent records, newest first. */
  consent?: ConsentEvent[];
  /** Audit rows in any order; shown newest first. */
  audit?: AuditLine[];
  /** What "Verify chain" reports (default: intact, with the audit rows counted). */
  verify?: VerifyReport;
  /** The settings catalogue (default: `MOCK_SETTINGS`). */
  settings?: SettingEntry[];
  /** The admin gate and saved account (default: a passphrase set and unlocked). */
  admin?: MockAdminOptions;
  /** Saved template versions and the clinic facts templates use (default: built-in wording only). */
  templates?: MockTemplateOptions;
}

function setting(key: string, value: string, description: string): SettingEntry {
  return { key, value, default: value, description, isDefault: true };
}

/** A few settings of each group, enough to exercise the Settings screen. */
export const MOCK_SETTINGS: readonly SettingEntry[] = [
  setting("clinic.name", "The clinic", "The clinic's name as patients see it in texts (1 to 60 characters)."),
  setting("clinic.timezone", "America/New_York", "IANA time zone appointments, reminders and the sending window are read in."),
  setting("sending_window.start", "08:00", "Time (HH:MM, 24 h) from which texts may go out each day; before it is quiet time."),
  setting("sending_window.end", "21:00", "Time (HH:MM, 24 h) after which texts wait for the next day; must be after the start."),
  setting("keywords.opt_out", "", "Extra opt-out words (comma-separated), besides STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT."),
  setting("replies.help", "{clinic_name}: for help call {clinic_phone}. Reply STOP to opt out.", "Answer to HELP; must contain STOP."),
  setting("reminders.hours_before", "24", "Hours before an appointment at which reminders go out, comma-separated (1 to 336)."),
  setting("messages.price_per_segment", "0.0079", "Price of one SMS segment in the account's currency, for cost estimates."),
  setting("outbox.ambiguous_grace_seconds", "180", "Seconds an unanswered send must stay absent from Twilio's list before it is sent again (30 to 3600)."),
];

/**
 * The mock's stand-in for the core's validators: the sending-window times must be HH:MM, the
 * name must not be blank, the reminder hours must be numbers. The core checks far more.
 */
function mockValidateSetting(key: string, value: string): string | null {
  if (key.startsWith("sending_window.") && key !== "sending_window.holidays" && !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) {
    return `cannot set ${key}: "${value}" is not a time; write it as HH:MM in 24-hour time, e.g. 08:00`;
  }
  if (key === "reminders.hours_before" && !/^\d+(\s*,\s*\d+)*$/.test(value)) {
    return `cannot set ${key}: "${value}" is not a list of hours; write numbers separated by commas, e.g. 24, 2`;
  }
  return null;
}

/** Demo, because nothing the mock does ever reaches a real phone. */
export const DEFAULT_MOCK_STATUS: AppStatus = {
  version: "0.1.0",
  dbPath: ":memory:",
  schemaVersion: 1,
  mode: "demo",
};

export const MOCK_FOOTER = "Reply STOP to opt out.";

/** A clinic that has not texted anyone yet. */
export const EMPTY_DASHBOARD: Dashboard = {
  delivery: { delivered: 0, failed: 0, rate: null, alert: false },
  perDay: [],
  perMonth: [],
  failures: [],
};
const MAX_CHARS = 1600;

/** Loose US-default normalisation: enough to exercise the UI's success and error paths. */
export function mockNormalizePhone(raw: string): string | null {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+")) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith("1")) return `+${digits}`;
  return null;
}

/**
 * A stand-in for the core's counter, good enough to drive the composer in tests and the browser
 * preview: printable ASCII counts as GSM-7 (160 / 153), anything else as UCS-2 (70 / 67). It
 * ignores the GSM extension table and never splits characters the way the core does.
 */
export function mockPreview(sent: string, pricePerSegment: number, footer: string | null): TextPreview {
  const ascii = /^[\x20-\x7e\n\r]*$/.test(sent);
  // One septet per ASCII character, one unit per UTF-16 code unit otherwise: both are `length`.
  const units = sent.length;
  const [single, multi] = ascii ? [160, 153] : [70, 67];
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
  const capacity = segments <= 1 ? single : segments * multi;
  const nonGsm = ascii ? [] : [...new Set(Array.from(sent).filter((c) => !/^[\x20-\x7e\n\r]$/.test(c)))];
  return {
    segments: {
      encoding: ascii ? "GSM-7" : "UCS-2",
      segments,
      units,
      units_left_in_segment: capacity - units,
      non_gsm_chars: nonGsm,
    },
    costEstimate: segments * pricePerSegment,
    chars: Array.from(sent).length,
    maxChars: MAX_CHARS,
    footer,
  };
}

export function mockMessage(overrides: Partial<ThreadMessage> & Pick<ThreadMessage, "id">): ThreadMessage {
  return {
    sid: null,
    direction: "inbound",
    body: "",
    status: "received",
    errorCode: null,
    errorText: null,
    numSegments: 1,
    createdAt: 0,
    read: true,
    localState: null,
    localError: null,
    flag: null,
    retry: null,
    ...overrides,
  };
}

export class MockBackend implements Backend {
  readonly calls: MockCall[] = [];
  private status: AppStatus;
  private patients: Patient[];
  private threads: ThreadSummary[];
  private messages: Map<string, ThreadMessage[]>;
  private optedOut: Set<string>;
  private quietHours: boolean;
  private sync: SyncSnapshot;
  private dashboardFigures: Dashboard;
  private appointmentBook: MockAppointments;
  private pricePerSegment: number;
  private failures: Partial<Record<MockMethod, BackendError>>;
  private latencyMs: number;
  private deliverAfterMs: number | null;
  private optStates: OptState[];
  private flags: StaffFlag[];
  private consent: ConsentEvent[];
  private audit: AuditLine[];
  private verifyReport: VerifyReport | null;
  private settings: SettingEntry[];
  readonly admin: MockAdmin;
  private templateBook: MockTemplates;
  private nextId: number;
  /** The copy each retried text got, by the failed text's id (a second retry queues nothing). */
  private retries = new Map<number, number>();
  /** Group texts already queued, by group id and number (a second send queues nothing). */
  private groupTexts = new Map<string, number>();
  /** What `showNotification` and `setWindowTitle` were asked to show, newest last. */
  readonly notifications: (NotificationText & { phone: string })[] = [];
  private openChatHandlers = new Set<(phone: string) => void>();
  windowTitle = "Clinic Desk";
  private handlers = new Set<(change: StoreChange) => void>();
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(options: MockOptions = {}) {
    this.status = structuredClone(options.status ?? DEFAULT_MOCK_STATUS);
    this.patients = structuredClone(options.patients ?? []);
    this.threads = structuredClone(options.threads ?? []);
    this.messages = new Map(Object.entries(structuredClone(options.messages ?? {})));
    this.optedOut = new Set(options.optedOut ?? []);
    this.quietHours = options.quietHours ?? false;
    this.sync = structuredClone(options.sync ?? { status: null, backfill: [] });
    this.dashboardFigures = structuredClone(options.dashboard ?? EMPTY_DASHBOARD);
    this.appointmentBook = new MockAppointments(options.appointments ?? {}, mockNormalizePhone, (e164) => {
      const found = this.patients.find((p) => p.phones.some((ph) => ph.e164 === e164));
      return found ? `${found.firstName} ${found.lastName}` : null;
    });
    this.pricePerSegment = options.pricePerSegment ?? 0.0079;
    this.failures = { ...options.failures };
    this.latencyMs = options.latencyMs ?? 0;
    this.deliverAfterMs = options.deliverAfterMs ?? null;
    this.optStates = structuredClone(options.optStates ?? []);
    for (const s of this.optStates) if (s.state === "opted_out") this.optedOut.add(s.phone);
    this.flags = structuredClone(options.flags ?? []);
    this.consent = structuredClone(options.consent ?? []);
    this.audit = structuredClone(options.audit ?? []);
    this.verifyReport = structuredClone(options.verify ?? null);
    this.settings = structuredClone(options.settings ?? [...MOCK_SETTINGS]);
    this.admin = new MockAdmin(options.admin);
    this.templateBook = new MockTemplates(options.templates ?? {}, {
      patientOf: (phone) => {
        const found = this.patients.find((p) => p.phones.some((ph) => ph.e164 === phone));
        return found ? { firstName: found.firstName, language: found.preferredLanguage } : null;
      },
      nextAppointment: (phone) => this.appointmentBook.upcoming(phone).find((a) => a.status === "booked") ?? null,
      count: (text) => {
        const { segments, encoding } = mockPreview(text, this.pricePerSegment, null).segments;
        return { segments, encoding };
      },
      requireAdmin: () => this.admin.require(),
    });
    this.nextId = 1;
    for (const list of this.messages.values()) {
      for (const m of list) this.nextId = Math.max(this.nextId, m.id + 1);
    }
    for (const flag of this.flags) this.showFlagOnMessage(flag);
  }

  /** Like the core's thread query: a reply carries the flag it raised, open or closed. */
  private showFlagOnMessage(flag: StaffFlag): void {
    const message = (this.messages.get(flag.phone) ?? []).find((m) => m.id === flag.messageId);
    if (message) message.flag = { id: flag.id, reason: flag.reason, open: flag.resolvedAt === null };
  }

  /** Holds every call until `resume()`, so tests can observe loading states deterministically. */
  pause(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  resume(): void {
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
  }

  fail(method: MockMethod, error: BackendError | null): void {
    if (error) this.failures[method] = error;
    else delete this.failures[method];
  }

  setThreads(threads: ThreadSummary[]): void {
    this.threads = structuredClone(threads);
  }

  setMessages(phone: string, messages: ThreadMessage[]): void {
    this.messages.set(phone, structuredClone(messages));
    for (const m of messages) this.nextId = Math.max(this.nextId, m.id + 1);
  }

  setOptedOut(phone: string, optedOut: boolean): void {
    if (optedOut) this.optedOut.add(phone);
    else this.optedOut.delete(phone);
  }

  setQuietHours(quiet: boolean): void {
    this.quietHours = quiet;
  }

  setVerify(report: VerifyReport | null): void {
    this.verifyReport = structuredClone(report);
  }

  /** A flag raised by the engine (e.g. a plain-words opt-out arriving), announced as the core does. */
  addFlag(flag: StaffFlag): void {
    this.flags.push(structuredClone(flag));
    this.showFlagOnMessage(flag);
    const thread = this.threads.find((t) => t.phone === flag.phone);
    if (thread) thread.flagged = true;
    this.emit({ type: "threads", phones: [flag.phone] });
  }

  setSync(snapshot: SyncSnapshot): void {
    this.sync = structuredClone(snapshot);
  }

  callsOf(method: MockMethod): MockCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A patient's reply arriving, announced the way the engine announces it. */
  receive(phone: string, body: string, at = Date.now()): ThreadMessage {
    const message = mockMessage({ id: this.nextId++, body, createdAt: at, read: false });
    this.append(phone, message);
    this.emit({ type: "threads", phones: [phone] });
    return structuredClone(message);
  }

  /** Moves one of our texts along, as a status poll would. */
  updateMessage(phone: string, id: number, patch: Partial<ThreadMessage>): void {
    const list = this.messages.get(phone) ?? [];
    const index = list.findIndex((m) => m.id === id);
    const current = list[index];
    if (!current) return;
    list[index] = { ...current, ...patch };
    this.emit({ type: "threads", phones: [phone] });
  }

  emit(change: StoreChange): void {
    for (const handler of [...this.handlers]) handler(change);
  }

  async appStatus(): Promise<AppStatus> {
    await this.enter("appStatus", []);
    return structuredClone(this.status) as AppStatus;
  }

  async listPatients(): Promise<Patient[]> {
    await this.enter("listPatients", []);
    return structuredClone(this.patients);
  }

  async listThreads(): Promise<ThreadSummary[]> {
    await this.enter("listThreads", []);
    return structuredClone(this.threads).map((t) => ({ ...t, optedOut: this.optedOut.has(t.phone) || t.optedOut }));
  }

  async addPatient(input: NewPatient): Promise<Patient> {
    await this.enter("addPatient", [structuredClone(input)]);
    const firstName = input.firstName.trim();
    const lastName = input.lastName.trim();
    if (!firstName || !lastName) {
      throw new BackendError("InvalidInput", "Enter the patient's first and last name.");
    }
    const e164 = mockNormalizePhone(input.phone);
    if (!e164) {
      throw new BackendError(
        "InvalidNumber",
        `"${input.phone.trim()}" isn't a phone number we can text. Enter the full mobile number with area code, for example (415) 555-0134.`,
      );
    }
    if (this.patients.some((p) => p.phones.some((phone) => phone.e164 === e164))) {
      throw new BackendError("Conflict", "A patient with this mobile number is already on file.");
    }
    const patient: Patient = {
      id: this.patients.reduce((max, p) => Math.max(max, p.id), 0) + 1,
      firstName,
      lastName,
      preferredLanguage: input.preferredLanguage ?? "",
      timeZone: input.timeZone,
      phones: [{ e164, lineType: "mobile" }],
    };
    this.patients.push(patient);
    // Like the core, announce the write after it is stored rather than before.
    queueMicrotask(() => this.emit({ type: "patients" }));
    return structuredClone(patient);
  }

  async threadMessages(phone: string): Promise<ThreadMessage[]> {
    await this.enter("threadMessages", [phone]);
    return structuredClone(this.messages.get(phone) ?? []);
  }

  async threadContext(phone: string): Promise<ThreadContext> {
    await this.enter("threadContext", [phone]);
    const patient = this.patients.find((p) => p.phones.some((ph) => ph.e164 === phone));
    const patientName = patient
      ? `${patient.firstName} ${patient.lastName}`
      : (this.threads.find((t) => t.phone === phone)?.patientName ?? null);
    return { phone, patientName, optedOut: this.optedOut.has(phone), upcoming: this.appointmentBook.upcoming(phone) };
  }

  async sendText(input: SendTextInput): Promise<ThreadMessage> {
    await this.enter("sendText", [structuredClone(input)]);
    const body = input.body;
    if (!body.trim()) throw new BackendError("InvalidInput", "The text is empty; type a message.");
    if (Array.from(body).length > MAX_CHARS) {
      throw new BackendError("InvalidInput", `The text is too long; the limit is ${MAX_CHARS} characters.`);
    }
    const to = mockNormalizePhone(input.to);
    if (!to) throw new BackendError("InvalidNumber", `"${input.to}" isn't a phone number we can text.`);
    if (this.optedOut.has(to)) {
      throw new BackendError(
        "OptedOut",
        `${to} has opted out of texts (replied STOP); they must text START to the clinic number ` +
          "before they can be texted again",
      );
    }
    if (this.quietHours && !input.overrideReason?.trim()) {
      throw new BackendError(
        "QuietHours",
        `it is quiet time for ${to} (22:14 there); texts may go out from 08:00 tomorrow. ` +
          "To send now anyway, give a reason (it is logged)",
      );
    }
    const footer = this.footerFor(to, body);
    const message = mockMessage({
      id: this.nextId++,
      direction: "outbound",
      body: footer ? `${body.trimEnd()}\n${footer}` : body,
      status: "queued",
      numSegments: null,
      createdAt: Date.now(),
      localState: "queued",
    });
    this.append(to, message);
    queueMicrotask(() => this.emit({ type: "threads", phones: [to] }));
    if (this.deliverAfterMs !== null) this.deliverLater(to, message.id, this.deliverAfterMs);
    return structuredClone(message);
  }

  /** Mirrors the core: one copy per failed text, refused in words when it cannot help. */
  async retryText(messageId: number): Promise<ThreadMessage> {
    await this.enter("retryText", [messageId]);
    let phone: string | null = null;
    let failed: ThreadMessage | undefined;
    for (const [p, list] of this.messages) {
      failed = list.find((m) => m.id === messageId);
      if (failed) {
        phone = p;
        break;
      }
    }
    if (!failed || phone === null) throw new BackendError("NotFound", `text ${messageId} no longer exists`);
    const copyId = this.retries.get(messageId);
    const existing = copyId === undefined ? undefined : this.messages.get(phone)?.find((m) => m.id === copyId);
    if (existing) return structuredClone(existing);
    if (this.optedOut.has(phone)) {
      throw new BackendError(
        "OptedOut",
        `${phone} has opted out of texts (replied STOP); they must text START to the clinic number before they can be texted again`,
      );
    }
    const advice = failed.retry;
    if (advice?.kind !== "allowed") {
      const reason = advice?.kind === "refused" ? advice.reason : "it did not fail";
      throw new BackendError("InvalidInput", `this text cannot be sent again: ${reason}`);
    }
    const copy = mockMessage({
      id: this.nextId++,
      direction: "outbound",
      body: failed.body,
      status: "queued",
      numSegments: null,
      createdAt: Date.now(),
      localState: "queued",
    });
    failed.retry = { kind: "retried" };
    this.retries.set(messageId, copy.id);
    this.append(phone, copy);
    const to = phone;
    queueMicrotask(() => this.emit({ type: "threads", phones: [to] }));
    if (this.deliverAfterMs !== null) this.deliverLater(to, copy.id, this.deliverAfterMs);
    return structuredClone(copy);
  }

  async markThreadRead(phone: string): Promise<void> {
    await this.enter("markThreadRead", [phone]);
    for (const m of this.messages.get(phone) ?? []) m.read = true;
    const thread = this.threads.find((t) => t.phone === phone);
    if (thread) thread.unread = 0;
  }

  async setChatOpen(open: boolean): Promise<void> {
    await this.enter("setChatOpen", [open]);
  }

  async previewText(body: string, to?: string): Promise<TextPreview> {
    await this.enter("previewText", [body, to]);
    if (!body.trim()) return mockPreview("", this.pricePerSegment, null);
    const footer = to ? this.footerFor(to, body) : null;
    const sent = footer ? `${body.trimEnd()}\n${footer}` : body;
    return mockPreview(sent, this.pricePerSegment, footer);
  }

  async syncStatus(): Promise<SyncSnapshot> {
    await this.enter("syncStatus", []);
    return structuredClone(this.sync);
  }

  async dashboard(): Promise<Dashboard> {
    await this.enter("dashboard", []);
    return structuredClone(this.dashboardFigures);
  }

  /** Confirmation texts fail with `reason` from now on (`null`: they are queued again). */
  setSmsFailure(reason: string | null): void {
    this.appointmentBook.smsFailure = reason;
  }

  async listAppointments(date: string | null): Promise<AppointmentDay> {
    await this.enter("listAppointments", [date]);
    return this.appointmentBook.day(date);
  }

  async bookAppointment(input: NewAppointment): Promise<Booking> {
    await this.enter("bookAppointment", [structuredClone(input)]);
    return this.announcingAppointments(this.appointmentBook.book(input));
  }

  async editAppointment(id: number, changes: AppointmentChanges): Promise<Edited> {
    await this.enter("editAppointment", [id, structuredClone(changes)]);
    return this.announcingAppointments(this.appointmentBook.edit(id, changes));
  }

  async cancelAppointment(id: number): Promise<StatusChanged> {
    await this.enter("cancelAppointment", [id]);
    return this.announcingAppointments(this.appointmentBook.setStatus(id, ["booked"], "cancelled"));
  }

  async markArrived(id: number): Promise<StatusChanged> {
    await this.enter("markArrived", [id]);
    return this.announcingAppointments(this.appointmentBook.setStatus(id, ["booked", "no_show"], "arrived"));
  }

  async markNoShow(id: number): Promise<StatusChanged> {
    await this.enter("markNoShow", [id]);
    return this.announcingAppointments(this.appointmentBook.setStatus(id, ["booked"], "no_show"));
  }

  async importAppointmentsCsv(contents: string): Promise<ImportReport> {
    await this.enter("importAppointmentsCsv", [contents]);
    const report = this.appointmentBook.import(contents);
    return report.imported > 0 ? this.announcingAppointments(report) : report;
  }

  private announcingAppointments<T>(result: T): T {
    // Like the core, announce the write after it is stored rather than before.
    queueMicrotask(() => this.emit({ type: "appointments" }));
    return result;
  }

  async listOptStates(): Promise<OptState[]> {
    await this.enter("listOptStates", []);
    return structuredClone(this.optStates);
  }

  async listStaffFlags(): Promise<StaffFlag[]> {
    await this.enter("listStaffFlags", []);
    const open = this.flags.filter((f) => f.resolvedAt === null);
    return structuredClone(open.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id));
  }

  async resolveFlag(id: number, resolution: FlagResolution): Promise<void> {
    await this.enter("resolveFlag", [id, resolution]);
    const flag = this.flags.find((f) => f.id === id);
    if (!flag) throw new BackendError("NotFound", `flag ${id} no longer exists`);
    if (flag.resolvedAt !== null) {
      throw new BackendError("InvalidInput", `flag ${id} was already resolved`);
    }
    if (resolution === "opted_out" && flag.reason !== "plain_words_opt_out") {
      throw new BackendError("InvalidInput", `flag ${id} is not an opt-out; resolve it as done or dismissed`);
    }
    const now = Date.now();
    flag.resolvedAt = now;
    flag.resolvedBy = "front desk";
    this.showFlagOnMessage(flag);
    if (resolution === "opted_out") {
      this.optedOut.add(flag.phone);
      this.optStates = [
        { phone: flag.phone, state: "opted_out", keyword: null, sid: flag.messageSid, at: now, source: "staff" },
        ...this.optStates.filter((s) => s.phone !== flag.phone),
      ];
    }
    const thread = this.threads.find((t) => t.phone === flag.phone);
    if (thread) thread.flagged = this.flags.some((f) => f.phone === flag.phone && f.resolvedAt === null);
    queueMicrotask(() => this.emit({ type: "threads", phones: [flag.phone] }));
  }

  async listConsent(): Promise<ConsentEvent[]> {
    await this.enter("listConsent", []);
    return structuredClone(this.consent);
  }

  async recordConsent(input: ConsentInput): Promise<ConsentEvent> {
    await this.enter("recordConsent", [structuredClone(input)]);
    const phone = mockNormalizePhone(input.phone);
    if (!phone) {
      throw new BackendError(
        "InvalidNumber",
        `"${input.phone.trim()}" isn't a phone number. Enter the full number with area code, for example (415) 555-0134.`,
      );
    }
    const note = input.note.trim();
    if (Array.from(note).length > 500) {
      throw new BackendError("InvalidInput", "the note is too long; keep it to 500 characters");
    }
    const event: ConsentEvent = {
      id: this.consent.reduce((max, c) => Math.max(max, c.id), 0) + 1,
      phone,
      kind: input.kind,
      method: input.method,
      actor: "front desk",
      note,
      at: Date.now(),
    };
    this.consent = [event, ...this.consent];
    queueMicrotask(() => this.emit({ type: "threads", phones: [phone] }));
    return structuredClone(event);
  }

  async verifyAudit(): Promise<VerifyReport> {
    await this.enter("verifyAudit", []);
    if (this.verifyReport) return structuredClone(this.verifyReport);
    const rows = this.audit.length;
    return {
      ok: true,
      rows,
      lastSeq: rows > 0 ? Math.max(...this.audit.map((r) => r.seq)) : null,
      lastHash: null,
      problem: null,
      message: `the audit log is intact: ${rows} rows checked`,
    };
  }

  async readAudit(query: AuditQuery): Promise<AuditPage> {
    await this.enter("readAudit", [structuredClone(query)]);
    let subject: string | null = null;
    if (query.phone?.trim()) {
      subject = mockNormalizePhone(query.phone);
      if (!subject) throw new BackendError("InvalidNumber", `"${query.phone.trim()}" isn't a phone number.`);
    }
    const matching = this.audit
      .filter((r) => subject === null || r.subject === subject)
      .sort((a, b) => b.seq - a.seq);
    const start = query.page * query.pageSize;
    return {
      rows: structuredClone(matching.slice(start, start + query.pageSize)),
      total: matching.length,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async exportAudit(input: AuditExportInput): Promise<AuditExportResult> {
    await this.enter("exportAudit", [structuredClone(input)]);
    const from = input.from?.trim() || null;
    const to = input.to?.trim() || null;
    if (from && to && from > to) {
      throw new BackendError("InvalidInput", `the start date ${from} is after the end date ${to}; swap them`);
    }
    const subject = input.phone?.trim() ? mockNormalizePhone(input.phone) : null;
    const rows = this.audit.filter((r) => subject === null || r.subject === subject).length;
    return { path: "/home/front-desk/Documents/clinic-desk-audit.csv", rows };
  }

  async listSettings(): Promise<SettingEntry[]> {
    await this.enter("listSettings", []);
    return structuredClone(this.settings);
  }

  async setSetting(key: string, value: string): Promise<SettingEntry> {
    await this.enter("setSetting", [key, value]);
    this.admin.require();
    const entry = this.settings.find((s) => s.key === key);
    if (!entry) {
      throw new BackendError(
        "InvalidInput",
        `"${key}" is not a setting; the settings are: ${this.settings.map((s) => s.key).join(", ")}`,
      );
    }
    const trimmed = value.trim();
    if (trimmed) {
      const problem = mockValidateSetting(key, trimmed);
      if (problem) throw new BackendError("InvalidInput", problem);
    }
    entry.value = trimmed || entry.default;
    entry.isDefault = !trimmed;
    return structuredClone(entry);
  }

  async accessStatus(): Promise<AdminStatus> {
    await this.enter("accessStatus", []);
    return this.admin.status();
  }

  async setAdminPassphrase(passphrase: string, current?: string): Promise<AdminStatus> {
    // Passphrases are not recorded in `calls`: tests must not learn to expect them anywhere.
    await this.enter("setAdminPassphrase", []);
    return this.admin.setPassphrase(passphrase, current ?? null);
  }

  async unlockAdmin(passphrase: string): Promise<AdminStatus> {
    await this.enter("unlockAdmin", []);
    return this.admin.unlock(passphrase);
  }

  async lockAdmin(): Promise<AdminStatus> {
    await this.enter("lockAdmin", []);
    return this.admin.lock();
  }

  async credentialsSummary(): Promise<CredentialsSummary | null> {
    await this.enter("credentialsSummary", []);
    return this.admin.summary();
  }

  async saveAndTest(input: SaveAndTestInput): Promise<TestReport> {
    await this.enter("saveAndTest", [{ ...input, authToken: undefined, apiKeySecret: undefined }]);
    return this.admin.saveAndTest(structuredClone(input));
  }

  async leaveDemoMode(): Promise<void> {
    await this.enter("leaveDemoMode", []);
    this.admin.require();
    if (this.status.mode !== "demo") {
      throw new BackendError("InvalidInput", "Clinic Desk is not in demo mode");
    }
  }

  async listTemplates(): Promise<TemplateList> {
    await this.enter("listTemplates", []);
    return this.templateBook.list();
  }

  async previewTemplate(request: TemplatePreviewRequest): Promise<FilledTemplate> {
    await this.enter("previewTemplate", [structuredClone(request)]);
    return this.templateBook.preview(request);
  }

  async saveTemplate(kind: TemplateKind, language: string, body: string): Promise<SavedTemplate> {
    await this.enter("saveTemplate", [kind, language, body]);
    return this.templateBook.save(kind, language, body);
  }

  async resetTemplate(kind: TemplateKind, language: string): Promise<Template | null> {
    await this.enter("resetTemplate", [kind, language]);
    return this.templateBook.reset(kind, language);
  }

  async previewGroupMessage(input: GroupPreviewInput): Promise<GroupPreview> {
    await this.enter("previewGroupMessage", [structuredClone(input)]);
    return mockGroupPreview(this.groupWorld(), input.selection, input.body);
  }

  async sendGroupMessage(input: GroupSendInput): Promise<GroupReport> {
    await this.enter("sendGroupMessage", [structuredClone(input)]);
    const preview = mockGroupPreview(this.groupWorld(), input.selection, input.body);
    const report: GroupReport = { groupId: input.groupId, queued: [], excluded: preview.excluded, failed: [] };
    for (const r of preview.recipients) {
      const key = `${input.groupId}:${r.phone}`;
      const earlier = this.groupTexts.get(key);
      if (earlier !== undefined) {
        report.queued.push({ phone: r.phone, name: r.name, messageId: earlier, new: false });
        continue;
      }
      const footer = this.footerFor(r.phone, input.body);
      const message = mockMessage({
        id: this.nextId++,
        direction: "outbound",
        body: footer ? `${input.body.trimEnd()}\n${footer}` : input.body,
        status: "queued",
        numSegments: null,
        createdAt: Date.now(),
        localState: r.held ? "held" : "queued",
        localError: r.held,
      });
      this.append(r.phone, message);
      this.groupTexts.set(key, message.id);
      report.queued.push({ phone: r.phone, name: r.name, messageId: message.id, new: true });
      if (this.deliverAfterMs !== null && !r.held) this.deliverLater(r.phone, message.id, this.deliverAfterMs);
    }
    const phones = report.queued.filter((q) => q.new).map((q) => q.phone);
    if (phones.length > 0) queueMicrotask(() => this.emit({ type: "threads", phones }));
    return structuredClone(report);
  }

  async showNotification(text: NotificationText, phone: string): Promise<void> {
    await this.enter("showNotification", [structuredClone(text), phone]);
    this.notifications.push({ ...structuredClone(text), phone });
  }

  /** As the shell does when a reply notification is clicked. */
  clickNotification(phone: string): void {
    for (const handler of [...this.openChatHandlers]) handler(phone);
  }

  onOpenChat(handler: (phone: string) => void): Unsubscribe {
    this.openChatHandlers.add(handler);
    return () => {
      this.openChatHandlers.delete(handler);
    };
  }

  async setWindowTitle(title: string): Promise<void> {
    await this.enter("setWindowTitle", [title]);
    this.windowTitle = title;
  }

  private groupWorld(): GroupWorld {
    return {
      dayAppointments: (date) => this.appointmentBook.day(date).appointments,
      nameOf: (e164) => {
        const found = this.patients.find((p) => p.phones.some((ph) => ph.e164 === e164));
        return found ? `${found.firstName} ${found.lastName}`.trim() : null;
      },
      normalize: mockNormalizePhone,
      isOptedOut: (e164) => this.optedOut.has(e164),
      isLandline: (e164) =>
        this.patients.some((p) => p.phones.some((ph) => ph.e164 === e164 && ph.lineType === "landline")),
      quietHours: this.quietHours,
      segmentsFor: (e164, body) => {
        const footer = e164 ? this.footerFor(e164, body) : null;
        return mockPreview(footer ? `${body.trimEnd()}\n${footer}` : body, this.pricePerSegment, footer).segments
          .segments;
      },
      pricePerSegment: this.pricePerSegment,
    };
  }

  onEvent(handler: (change: StoreChange) => void): Unsubscribe {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  private footerFor(to: string, body: string): string | null {
    const texted = (this.messages.get(to) ?? []).some((m) => m.direction === "outbound");
    return texted || /(reply|text) stop/i.test(body) ? null : MOCK_FOOTER;
  }

  private append(phone: string, message: ThreadMessage): void {
    const list = this.messages.get(phone) ?? [];
    list.push(message);
    this.messages.set(phone, list);
    const unreadDelta = message.direction === "inbound" && !message.read ? 1 : 0;
    const existing = this.threads.find((t) => t.phone === phone);
    const summary: ThreadSummary = {
      phone,
      patientId: existing?.patientId ?? null,
      patientName: existing?.patientName ?? null,
      unread: (existing?.unread ?? 0) + unreadDelta,
      lastAt: message.createdAt,
      lastBody: message.body,
      lastDirection: message.direction,
      flagged: existing?.flagged ?? false,
      optedOut: this.optedOut.has(phone),
    };
    this.threads = [summary, ...this.threads.filter((t) => t.phone !== phone)];
  }

  private deliverLater(phone: string, id: number, ms: number): void {
    const steps: Array<[MessageStatus, OutboxState]> = [
      ["sent", "submitted"],
      ["delivered", "submitted"],
    ];
    steps.forEach(([status, localState], i) => {
      setTimeout(() => this.updateMessage(phone, id, { status, localState, numSegments: 1 }), ms * (i + 1));
    });
  }

  private async enter(method: MockMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    if (this.gate) await this.gate;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const failure = this.failures[method];
    if (failure) throw failure;
  }
}
