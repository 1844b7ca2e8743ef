/**
 * What the UI needs from the core. Components only see this interface (through the context in
 * `context.ts`), so the same components run against the Tauri core, the in-memory mock in tests
 * and the mock in a plain browser.
 */
import type {
  AppStatus,
  Dashboard,
  NewPatient,
  Patient,
  SendTextInput,
  SyncSnapshot,
  TextPreview,
  ThreadContext,
  ThreadMessage,
  ThreadSummary,
} from "../bindings";
import type { StoreChange } from "./events";

export type Unsubscribe = () => void;

export interface Backend {
  appStatus(): Promise<AppStatus>;
  listPatients(): Promise<Patient[]>;
  /** Rejects with a `BackendError`, e.g. code `InvalidNumber` for a number that can't be texted. */
  addPatient(input: NewPatient): Promise<Patient>;
  /** Ordered by the core: unread conversations first, then newest first. */
  listThreads(): Promise<ThreadSummary[]>;
  /** Every text of one conversation, oldest first. */
  threadMessages(phone: string): Promise<ThreadMessage[]>;
  /** Who the number belongs to and whether it may be texted. */
  threadContext(phone: string): Promise<ThreadContext>;
  /**
   * Queues a text (stored before anything goes out). Rejects with code `QuietHours` outside the
   * sending window unless `overrideReason` is given, and `OptedOut` for an opted-out number.
   */
  sendText(input: SendTextInput): Promise<ThreadMessage>;
  markThreadRead(phone: string): Promise<void>;
  /** While a chat is open the engine polls for replies every second or so. */
  setChatOpen(open: boolean): Promise<void>;
  /** Segments, encoding and cost of `body` as it would be sent to `to` (footer included). */
  previewText(body: string, to?: string): Promise<TextPreview>;
  /** The sync state and back-fill progress as last announced by the engine. */
  syncStatus(): Promise<SyncSnapshot>;
  /** Delivery rate, texts per day, segments and cost per month, failures by error code. */
  dashboard(): Promise<Dashboard>;
  onEvent(handler: (change: StoreChange) => void): Unsubscribe;
}
