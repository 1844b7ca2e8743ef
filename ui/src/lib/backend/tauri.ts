/**
 * The Tauri implementation: one typed `invoke` wrapper over a table of command names, so a
 * renamed command or changed argument shape is a type error here rather than a runtime surprise.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  Dashboard,
  AppStatus,
  NewPatient,
  Patient,
  SendTextInput,
  SyncSnapshot,
  TextPreview,
  ThreadContext,
  ThreadMessage,
  ThreadSummary,
} from "../bindings";
import type { Backend, Unsubscribe } from "./backend";
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
  mark_thread_read: { args: { phone: string }; result: null };
  set_chat_open: { args: { open: boolean }; result: null };
  preview_text: { args: { body: string; to: string | null }; result: TextPreview };
  sync_status: { args: null; result: SyncSnapshot };
  dashboard: { args: null; result: Dashboard };
}

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

  onEvent(handler: (change: StoreChange) => void): Unsubscribe {
    // `listen` resolves asynchronously while callers want a synchronous cleanup (Svelte effects),
    // so remember an early unsubscribe and honour it once the listener exists.
    let stopped = false;
    let unlisten: (() => void) | undefined;
    listen<unknown>(STORE_CHANGED_EVENT, (event) => {
      if (stopped) return;
      for (const change of parseStoreChanges(event.payload)) handler(change);
    }).then(
      (fn) => {
        if (stopped) fn();
        else unlisten = fn;
      },
      (err: unknown) => {
        // Without change events the screens still work; they just refresh on navigation.
        console.warn("Could not subscribe to store changes", err);
      },
    );
    return () => {
      stopped = true;
      unlisten?.();
    };
  }
}
