/**
 * In-memory backend for component tests and for opening the UI in a plain browser. It mimics the
 * core's observable contract (copies of data as IPC would deliver, `BackendError` rejections,
 * change events after writes) but not its rules in depth: phone handling here is a rough US-only
 * approximation, and segment counting a rough one too (see `mockPreview`), while the core uses a
 * real phone-number library and the GSM 03.38 tables.
 */
import type {
  AppStatus,
  Dashboard,
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
import type { Backend, Unsubscribe } from "./backend";
import { BackendError } from "./errors";
import type { StoreChange } from "./events";

export type MockMethod =
  | "appStatus"
  | "listPatients"
  | "addPatient"
  | "listThreads"
  | "threadMessages"
  | "threadContext"
  | "sendText"
  | "markThreadRead"
  | "setChatOpen"
  | "previewText"
  | "syncStatus"
  | "dashboard";

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
  pricePerSegment?: number;
  /** Methods that reject with the given error until `fail(method, null)` clears them. */
  failures?: Partial<Record<MockMethod, BackendError>>;
  /** Artificial delay, so the browser preview shows loading states as the real app would. */
  latencyMs?: number;
  /** Moves sent texts to sent, then delivered, after this long (browser preview only). */
  deliverAfterMs?: number;
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
  private pricePerSegment: number;
  private failures: Partial<Record<MockMethod, BackendError>>;
  private latencyMs: number;
  private deliverAfterMs: number | null;
  private nextId: number;
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
    this.pricePerSegment = options.pricePerSegment ?? 0.0079;
    this.failures = { ...options.failures };
    this.latencyMs = options.latencyMs ?? 0;
    this.deliverAfterMs = options.deliverAfterMs ?? null;
    this.nextId = 1;
    for (const list of this.messages.values()) {
      for (const m of list) this.nextId = Math.max(this.nextId, m.id + 1);
    }
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
      preferredLanguage: input.preferredLanguage ?? "en",
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
    return { phone, patientName, optedOut: this.optedOut.has(phone) };
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
