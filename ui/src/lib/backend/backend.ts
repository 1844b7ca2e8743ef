/**
 * What the UI needs from the core. Components only see this interface (through the context in
 * `context.ts`), so the same components run against the Tauri core, the in-memory mock in tests
 * and the mock in a plain browser.
 */
import type {
  AppStatus,
  AuditExportInput,
  AuditExportResult,
  AuditPage,
  ConsentEvent,
  ConsentInput,
  Dashboard,
  FlagResolution,
  OptState,
  SettingEntry,
  StaffFlag,
  VerifyReport,
  NewPatient,
  Patient,
  SendTextInput,
  SyncSnapshot,
  TextPreview,
  ThreadContext,
  ThreadMessage,
  ThreadSummary,
} from "../bindings";
import type {
  AppointmentChanges,
  AppointmentDay,
  Booking,
  Edited,
  ImportReport,
  NewAppointment,
  StatusChanged,
} from "../bindings";
import type { AdminStatus, CredentialsSummary, SaveAndTestInput, TestReport } from "../bindings";
import type { GroupPreview, GroupPreviewInput, GroupReport, GroupSendInput } from "../bindings";
import type { FilledTemplate, SavedTemplate, Template, TemplateKind, TemplateList } from "../bindings";
import type { NotificationText } from "../notify/words";
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
  /**
   * Queues a new copy of a failed text (its `retry` advice is `allowed`) and returns its bubble;
   * asked twice, it returns the same copy. Rejects in words when sending again cannot help
   * (`InvalidInput`) or the patient opted out (`OptedOut`).
   */
  retryText(messageId: number): Promise<ThreadMessage>;
  markThreadRead(phone: string): Promise<void>;
  /** While a chat is open the engine polls for replies every second or so. */
  setChatOpen(open: boolean): Promise<void>;
  /** Segments, encoding and cost of `body` as it would be sent to `to` (footer included). */
  previewText(body: string, to?: string): Promise<TextPreview>;
  /** The sync state and back-fill progress as last announced by the engine. */
  syncStatus(): Promise<SyncSnapshot>;
  /** Delivery rate, texts per day, segments and cost per month, failures by error code. */
  dashboard(): Promise<Dashboard>;
  /** One day of the schedule in the clinic's zone, earliest first; `null` is the clinic's today. */
  listAppointments(date: string | null): Promise<AppointmentDay>;
  /**
   * Stores the booking, then queues its confirmation. The booking stands even when the text
   * cannot go (`sms.ok` false with the reason); rejects only for bad details (`InvalidInput`,
   * `InvalidNumber`).
   */
  bookAppointment(input: NewAppointment): Promise<Booking>;
  /** `null` fields stay as they are; a new time sends a new confirmation. Booked only. */
  editAppointment(id: number, changes: AppointmentChanges): Promise<Edited>;
  /** Cancels a booked appointment and its unsent confirmation and reminders. */
  cancelAppointment(id: number): Promise<StatusChanged>;
  markArrived(id: number): Promise<StatusChanged>;
  markNoShow(id: number): Promise<StatusChanged>;
  /** Imports a CSV file's text: every row reported, bad rows never stop good ones, nothing texted. */
  importAppointmentsCsv(contents: string): Promise<ImportReport>;
  onEvent(handler: (change: StoreChange) => void): Unsubscribe;
  /** Who a group text would reach and who is left out (and why); queues nothing. */
  previewGroupMessage(input: GroupPreviewInput): Promise<GroupPreview>;
  /**
   * Queues the text once per recipient; sending the same `groupId` again queues nothing twice.
   * One bad number is reported in `failed`, never rejecting the whole group.
   */
  sendGroupMessage(input: GroupSendInput): Promise<GroupReport>;
  /**
   * A desktop notification of a reply from `phone`. Where the desktop reports clicks (Linux), a
   * click brings the window forward and `onOpenChat` hears `phone`; see notify/alerts.ts.
   * Rejects when the desktop has no notification service.
   */
  showNotification(text: NotificationText, phone: string): Promise<void>;
  /** A reply notification was clicked: open that patient's chat. */
  onOpenChat(handler: (phone: string) => void): Unsubscribe;
  /** The window's title, which carries the unread count. */
  setWindowTitle(title: string): Promise<void>;

  /** Every number's opt-in/out state with the event that set it (the evidence). */
  listOptStates(): Promise<OptState[]>;
  /** Texts waiting for staff, newest first. */
  listStaffFlags(): Promise<StaffFlag[]>;
  /** `opted_out` records the opt-out (plain-words flags only); rejects for a flag already closed. */
  resolveFlag(id: number, resolution: FlagResolution): Promise<void>;
  /** Consent records, newest first. */
  listConsent(): Promise<ConsentEvent[]>;
  /** Rejects with `InvalidNumber` or `InvalidInput` (e.g. a note that is too long). */
  recordConsent(input: ConsentInput): Promise<ConsentEvent>;
  verifyAudit(): Promise<VerifyReport>;
  /** One page of the audit log, newest first; `phone` limits it to rows about that number. */
  readAudit(query: AuditQuery): Promise<AuditPage>;
  /** Writes a CSV file and says where; rejects with `InvalidInput` for a bad date range. */
  exportAudit(input: AuditExportInput): Promise<AuditExportResult>;
  listSettings(): Promise<SettingEntry[]>;
  /** Validated by the core (`InvalidInput` with the reason); an empty value resets to the default. */
  setSetting(key: string, value: string): Promise<SettingEntry>;

  /** Whether a passphrase is set, the lockout, and whether this app holds an admin session. */
  accessStatus(): Promise<AdminStatus>;
  /** Sets (first run) or changes the passphrase and unlocks; `InvalidInput` with the rule broken. */
  setAdminPassphrase(passphrase: string, current?: string): Promise<AdminStatus>;
  /** Rejects with `AdminRequired` (wrong, with tries left) or `LockedOut` (how long to wait). */
  unlockAdmin(passphrase: string): Promise<AdminStatus>;
  lockAdmin(): Promise<AdminStatus>;
  /** The saved Twilio account with its secret masked; `null` when none is saved. Admin only. */
  credentialsSummary(): Promise<CredentialsSummary | null>;
  /** Tests the details and saves them only when every check passed (or offline, when asked). */
  saveAndTest(input: SaveAndTestInput): Promise<TestReport>;
  /** Demo mode only: the app restarts on the clinic's own database, without demo data. */
  leaveDemoMode(): Promise<void>;

  /** Every template (the clinic's wording or the built-in one) and the placeholders. */
  listTemplates(): Promise<TemplateList>;
  /**
   * A template filled in: with `phone`, for that patient's next appointment (in their language
   * unless `language` is given), else for a sample appointment; `body` previews unsaved wording.
   * Facts nobody has stay as written ("{date}") and are named in `unfilled` and `notes`. Rejects
   * with `InvalidInput` for an unknown placeholder or a stray brace.
   */
  previewTemplate(request: TemplatePreviewRequest): Promise<FilledTemplate>;
  /** Admin only. Refuses (`InvalidInput`, in words) what cannot be saved; warns without refusing. */
  saveTemplate(kind: TemplateKind, language: string, body: string): Promise<SavedTemplate>;
  /** Admin only. The version now standing: the built-in one, or `null` when that language has none. */
  resetTemplate(kind: TemplateKind, language: string): Promise<Template | null>;
}

export interface TemplatePreviewRequest {
  kind: TemplateKind;
  language?: string;
  body?: string;
  phone?: string;
}

export interface AuditQuery {
  /** Zero-based. */
  page: number;
  pageSize: number;
  phone?: string;
}
