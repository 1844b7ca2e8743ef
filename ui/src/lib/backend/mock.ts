/**
 * In-memory backend for component tests and for opening the UI in a plain browser. It mimics the
 * core's observable contract (copies of data as IPC would deliver, `BackendError` rejections,
 * change events after writes) but not its rules in depth: phone handling here is a rough US-only
 * approximation, while the core uses a real phone-number library.
 */
import type { AppStatus, NewPatient, Patient, ThreadSummary } from "../bindings";
import type { Backend, Unsubscribe } from "./backend";
import { BackendError } from "./errors";
import type { StoreChange } from "./events";

export type MockMethod = "appStatus" | "listPatients" | "addPatient" | "listThreads";

export interface MockCall {
  method: MockMethod;
  args: unknown[];
}


export interface MockOptions {
  status?: AppStatus;
  patients?: Patient[];
  threads?: ThreadSummary[];
  /** Methods that reject with the given error until `fail(method, null)` clears them. */
  failures?: Partial<Record<MockMethod, BackendError>>;
  /** Artificial delay, so the browser preview shows loading states as the real app would. */
  latencyMs?: number;
}

/** Demo, because nothing the mock does ever reaches a real phone. */
export const DEFAULT_MOCK_STATUS: AppStatus = {
  version: "0.1.0",
  dbPath: ":memory:",
  schemaVersion: 1,
  mode: "demo",
};

/** Loose US-default normalisation: enough to exercise the UI's success and error paths. */
export function mockNormalizePhone(raw: string): string | null {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+")) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith("1")) return `+${digits}`;
  return null;
}

export class MockBackend implements Backend {
  readonly calls: MockCall[] = [];
  private status: AppStatus;
  private patients: Patient[];
  private threads: ThreadSummary[];
  private failures: Partial<Record<MockMethod, BackendError>>;
  private latencyMs: number;
  private handlers = new Set<(change: StoreChange) => void>();
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(options: MockOptions = {}) {
    this.status = structuredClone(options.status ?? DEFAULT_MOCK_STATUS);
    this.patients = structuredClone(options.patients ?? []);
    this.threads = structuredClone(options.threads ?? []);
    this.failures = { ...options.failures };
    this.latencyMs = options.latencyMs ?? 0;
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
    return structuredClone(this.threads);
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

  onEvent(handler: (change: StoreChange) => void): Unsubscribe {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  private async enter(method: MockMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    if (this.gate) await this.gate;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const failure = this.failures[method];
    if (failure) throw failure;
  }
}
