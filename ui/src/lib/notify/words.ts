/**
 * What the desktop says about new replies when the receptionist is looking elsewhere: the
 * notification's words, whether to show one at all, and the unread count in the window title.
 * Pure functions, so the rules are tested without a desktop.
 */
import type { ThreadSummary } from "../bindings";
import { formatPhone } from "../format";

/** A patient's reply as the core announces it. */
export interface ReplyAlert {
  phone: string;
  patientName: string | null;
  body: string;
}

export const APP_TITLE = "Clinic Desk";
/** Enough to recognise the text at a glance; the rest is in the chat. */
export const PREVIEW_CHARS = 80;

export interface NotificationText {
  title: string;
  body: string;
}

/** "Ana Rivera: Running 10 min late, sorry" (the number when the patient is not on file). */
export function replyNotification(reply: ReplyAlert): NotificationText {
  const who = reply.patientName?.trim() || formatPhone(reply.phone);
  const flat = reply.body.replace(/\s+/g, " ").trim();
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(flat);
  const text = chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join("")}…` : flat;
  return { title: "New reply", body: `${who}: ${text || "(empty text)"}` };
}

/** No notification for the chat the receptionist is reading right now. */
export function shouldNotify(reply: Pick<ReplyAlert, "phone">, focused: boolean, openChatPhone: string | null): boolean {
  return !(focused && openChatPhone === reply.phone);
}

export function unreadTotal(threads: readonly Pick<ThreadSummary, "unread">[]): number {
  return threads.reduce((sum, t) => sum + Math.max(0, t.unread), 0);
}

/** "Clinic Desk (3 unread)", or just "Clinic Desk" when everything is read. */
export function windowTitle(unread: number): string {
  return unread > 0 ? `${APP_TITLE} (${unread} unread)` : APP_TITLE;
}
