/**
 * The Tauri implementation: one typed `invoke` wrapper over a table of command names, so a
 * renamed command or changed argument shape is a type error here rather than a runtime surprise.
 */
import { invoke } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { listen } from "@tauri-apps/api/event";
import type {
  AuditExportInput,
  AuditExportResult,
  AuditPage,
  ConsentEvent,
  ConsentInput,
  Dashboard,
  AppStatus,
  FlagResolution,
  OpenChat,
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
import type { AuditQuery, Backend, TemplatePreviewRequest, Unsubscribe } from "./backend";
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
import { toBackendError } from "./errors";
import { STORE_CHANGED_EVENT, parseStoreChanges, type StoreChange } from "./events";

/** Rust command name → argument object (keys as the Rust parameter names) and result. */
interface Commands {
  app_status: { args: null; result: AppStatus };
  list_patients: { args: null; result: Patient[] };
  add_patient: { args: { input: NewPatient }; result: Patient };
  list_threads: { args: null; result: ThreadSummary[] };
  thread_messages: { args: { phone: string }; result: ThreadMessage[] };
  thread_context: { args: { phone: string }; result: ThreadContext };
  send_text: { args: { input: SendTextInput }; result: ThreadMessage };
  retry_text: { args: { messageId: number }; result: ThreadMessage };
  mark_thread_read: { args: { phone: string }; result: null };
  set_chat_open: { args: { open: boolean }; result: null };
  preview_text: { args: { body: string; to: string | null }; result: TextPreview };
  sync_status: { args: null; result: SyncSnapshot };
  dashboard: { args: null; result: Dashboard };
  list_appointments: { args: { date: string | null }; result: AppointmentDay };
  book_appointment: { args: { input: NewAppointment }; result: Booking };
  edit_appointment: { args: { id: number; changes: AppointmentChanges }; result: Edited };
  cancel_appointment: { args: { id: number }; result: StatusChanged };
  mark_arrived: { args: { id: number }; result: StatusChanged };
  mark_no_show: { args: { id: number }; result: StatusChanged };
  import_appointments_csv: { args: { contents: string }; result: ImportReport };
  preview_group_message: { args: { input: GroupPreviewInput }; result: GroupPreview };
  send_group_message: { args: { input: GroupSendInput }; result: GroupReport };
  list_opt_states: { args: null; result: OptState[] };
  list_staff_flags: { args: null; result: StaffFlag[] };
  resolve_flag: { args: { id: number; resolution: FlagResolution }; result: null };
  list_consent: { args: null; result: ConsentEvent[] };
  record_consent: { args: { input: ConsentInput }; result: ConsentEvent };
  verify_audit: { args: null; result: VerifyReport };
  read_audit: { args: { page: number; pageSize: number; phone: string | null }; result: AuditPage };
  export_audit: { args: { input: AuditExportInput }; result: AuditExportResult };
  list_settings: { args: null; result: SettingEntry[] };
  set_setting: { args: { key: string; value: string }; result: SettingEntry };
  access_status: { args: null; result: AdminStatus };
  set_admin_passphrase: { args: { new: string; current: string | null }; result: AdminStatus };
  unlock_admin: { args: { passphrase: string }; result: AdminStatus };
  lock_admin: { args: null; result: AdminStatus };
  credentials_summary: { args: null; result: CredentialsSummary | null };
  save_and_test: { args: { input: SaveAndTestInput }; result: TestReport };
  leave_demo_mode: { args: null; result: null };
  list_templates: { args: null; result: TemplateList };
  preview_template: {
    args: { kind: TemplateKind; language: string | null; body: string | null; phone: string | null };
    result: FilledTemplate;
  };
  save_template: { args: { kind: TemplateKind; language: string; body: string }; result: SavedTemplate };
  reset_template: { args: { kind: TemplateKind; language: string }; result: Template | null };
  show_reply_alert: { args: { phone: string; title: string; body: string }; result: null };
}

/** Emitted by the shell when a reply notification is clicked (reply_alert.rs). */
export const OPEN_CHAT_EVENT = "open-chat";

export type CommandName = keyof Commands;
type ArgsOf<K extends CommandName> = Commands[K]["args"] extends null ? [] : [Commands[K]["args"]];

export async function call<K extends CommandName>(
  command: K,
  ...args: ArgsOf<K>
): Promise<Commands[K]["result"]> {
  try {
    return await invoke<Commands[K]["result"]>(command, args[0] ?? {});
  } catch (raw) {
    throw toBackendError(raw);
  }
}

export class TauriBackend implements Backend {
  appStatus(): Promise<AppStatus> {
    return call("app_status");
  }

  listPatients(): Promise<Patient[]> {
    return call("list_patients");
  }

  addPatient(input: NewPatient): Promise<Patient> {
    return call("add_patient", { input });
  }

  listThreads(): Promise<ThreadSummary[]> {
    return call("list_threads");
  }

  threadMessages(phone: string): Promise<ThreadMessage[]> {
    return call("thread_messages", { phone });
  }

  threadContext(phone: string): Promise<ThreadContext> {
    return call("thread_context", { phone });
  }

  sendText(input: SendTextInput): Promise<ThreadMessage> {
    return call("send_text", { input });
  }

  retryText(messageId: number): Promise<ThreadMessage> {
    return call("retry_text", { messageId });
  }

  async markThreadRead(phone: string): Promise<void> {
    await call("mark_thread_read", { phone });
  }

  async setChatOpen(open: boolean): Promise<void> {
    await call("set_chat_open", { open });
  }

  previewText(body: string, to?: string): Promise<TextPreview> {
    return call("preview_text", { body, to: to ?? null });
  }

  syncStatus(): Promise<SyncSnapshot> {
    return call("sync_status");
  }

  dashboard(): Promise<Dashboard> {
    return call("dashboard");
  }

  listAppointments(date: string | null): Promise<AppointmentDay> {
    return call("list_appointments", { date });
  }

  bookAppointment(input: NewAppointment): Promise<Booking> {
    return call("book_appointment", { input });
  }

  editAppointment(id: number, changes: AppointmentChanges): Promise<Edited> {
    return call("edit_appointment", { id, changes });
  }

  cancelAppointment(id: number): Promise<StatusChanged> {
    return call("cancel_appointment", { id });
  }

  markArrived(id: number): Promise<StatusChanged> {
    return call("mark_arrived", { id });
  }

  markNoShow(id: number): Promise<StatusChanged> {
    return call("mark_no_show", { id });
  }

  importAppointmentsCsv(contents: string): Promise<ImportReport> {
    return call("import_appointments_csv", { contents });
  }

  listOptStates(): Promise<OptState[]> {
    return call("list_opt_states");
  }

  listStaffFlags(): Promise<StaffFlag[]> {
    return call("list_staff_flags");
  }

  async resolveFlag(id: number, resolution: FlagResolution): Promise<void> {
    await call("resolve_flag", { id, resolution });
  }

  listConsent(): Promise<ConsentEvent[]> {
    return call("list_consent");
  }

  recordConsent(input: ConsentInput): Promise<ConsentEvent> {
    return call("record_consent", { input });
  }

  verifyAudit(): Promise<VerifyReport> {
    return call("verify_audit");
  }

  readAudit(query: AuditQuery): Promise<AuditPage> {
    // Tauri maps camelCase argument keys to the Rust snake_case parameters (page_size).
    return call("read_audit", { page: query.page, pageSize: query.pageSize, phone: query.phone ?? null });
  }

  exportAudit(input: AuditExportInput): Promise<AuditExportResult> {
    return call("export_audit", { input });
  }

  listSettings(): Promise<SettingEntry[]> {
    return call("list_settings");
  }

  setSetting(key: string, value: string): Promise<SettingEntry> {
    return call("set_setting", { key, value });
  }

  accessStatus(): Promise<AdminStatus> {
    return call("access_status");
  }

  setAdminPassphrase(passphrase: string, current?: string): Promise<AdminStatus> {
    return call("set_admin_passphrase", { new: passphrase, current: current ?? null });
  }

  unlockAdmin(passphrase: string): Promise<AdminStatus> {
    return call("unlock_admin", { passphrase });
  }

  lockAdmin(): Promise<AdminStatus> {
    return call("lock_admin");
  }

  credentialsSummary(): Promise<CredentialsSummary | null> {
    return call("credentials_summary");
  }

  saveAndTest(input: SaveAndTestInput): Promise<TestReport> {
    return call("save_and_test", { input });
  }

  async leaveDemoMode(): Promise<void> {
    await call("leave_demo_mode");
  }

  listTemplates(): Promise<TemplateList> {
    return call("list_templates");
  }

  previewTemplate(request: TemplatePreviewRequest): Promise<FilledTemplate> {
    return call("preview_template", {
      kind: request.kind,
      language: request.language ?? null,
      body: request.body ?? null,
      phone: request.phone ?? null,
    });
  }

  saveTemplate(kind: TemplateKind, language: string, body: string): Promise<SavedTemplate> {
    return call("save_template", { kind, language, body });
  }

  resetTemplate(kind: TemplateKind, language: string): Promise<Template | null> {
    return call("reset_template", { kind, language });
  }

  previewGroupMessage(input: GroupPreviewInput): Promise<GroupPreview> {
    return call("preview_group_message", { input });
  }

  sendGroupMessage(input: GroupSendInput): Promise<GroupReport> {
    return call("send_group_message", { input });
  }

  async showNotification(text: NotificationText, phone: string): Promise<void> {
    await call("show_reply_alert", { phone, title: text.title, body: text.body });
  }

  onOpenChat(handler: (phone: string) => void): Unsubscribe {
    return subscribe<OpenChat>(OPEN_CHAT_EVENT, (payload) => {
      if (typeof payload?.phone === "string" && payload.phone) handler(payload.phone);
    });
  }

  async setWindowTitle(title: string): Promise<void> {
    await getCurrentWindow().setTitle(title);
  }

  onEvent(handler: (change: StoreChange) => void): Unsubscribe {
    return subscribe<unknown>(STORE_CHANGED_EVENT, (payload) => {
      for (const change of parseStoreChanges(payload)) handler(change);
    });
  }
}

/**
 * `listen` resolves asynchronously while callers want a synchronous cleanup (Svelte effects), so
 * an early unsubscribe is remembered and honoured once the listener exists.
 */
function subscribe<T>(event: string, onPayload: (payload: T | undefined) => void): Unsubscribe {
  let stopped = false;
  let unlisten: (() => void) | undefined;
  listen<T>(event, (received) => {
    if (!stopped) onPayload(received.payload);
  }).then(
    (fn) => {
      if (stopped) fn();
      else unlisten = fn;
    },
    (err: unknown) => {
      // Without these events the screens still work; they just refresh on navigation.
      console.warn(`Could not subscribe to ${event}`, err);
    },
  );
  return () => {
    stopped = true;
    unlisten?.();
  };
}
