/**
 * Desktop alerts for new replies: a notification unless the receptionist is reading that chat,
 * and the unread count in the window title. On Linux a click on the notification brings the
 * window forward and opens that patient's chat (the backend's `onOpenChat`, handled by the app
 * shell); other systems show the notification without the click action.
 */
import type { Backend, Unsubscribe } from "../backend/backend";
import { replyNotification, shouldNotify, unreadTotal, windowTitle } from "./words";

export interface AlertContext {
  /** Whether the app window has the keyboard focus. */
  focused(): boolean;
  /** The phone of the chat on screen, if a chat is open. */
  openChatPhone(): string | null;
}

export function startDesktopAlerts(backend: Backend, context: AlertContext): Unsubscribe {
  let stopped = false;
  let running = false;
  let again = false;

  // One count at a time, and one more after a burst of events, not one per event.
  async function refreshBadge(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const threads = await backend.listThreads();
        if (stopped) return;
        await backend.setWindowTitle(windowTitle(unreadTotal(threads)));
      } while (again && !stopped);
    } catch {
      // The title is a convenience; the inbox still shows every unread count.
    } finally {
      running = false;
    }
  }

  const unsubscribe = backend.onEvent((change) => {
    if (change.type !== "threads") return;
    const reply = change.reply;
    if (reply && shouldNotify(reply, context.focused(), context.openChatPhone())) {
      backend.showNotification(replyNotification(reply), reply.phone).catch(() => {
        // No notification daemon (or it refused): the reply is still in the inbox.
      });
    }
    void refreshBadge();
  });
  void refreshBadge();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
