/**
 * What the UI needs from the core. Components only see this interface (through the context in
 * `context.ts`), so the same components run against the Tauri core, the in-memory mock in tests
 * and the mock in a plain browser.
 */
import type { AppStatus, NewPatient, Patient, ThreadSummary } from "../bindings";
import type { StoreChange } from "./events";

export type Unsubscribe = () => void;

export interface Backend {
  appStatus(): Promise<AppStatus>;
  listPatients(): Promise<Patient[]>;
  /** Rejects with a `BackendError`, e.g. code `InvalidNumber` for a number that can't be texted. */
  addPatient(input: NewPatient): Promise<Patient>;
  /** Ordered by the core: unread conversations first, then newest first. */
  listThreads(): Promise<ThreadSummary[]>;
  onEvent(handler: (change: StoreChange) => void): Unsubscribe;
}
