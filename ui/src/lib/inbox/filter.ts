/**
 * Search and filters over the inbox's thread summaries, in the browser: the core already sends
 * every summary (name, number, last text), and 20,000 of them filter in a few milliseconds, so
 * a keystroke never waits on IPC. Older texts are not searched; that would need the core.
 */
import type { ThreadSummary } from "../bindings";
import { formatPhone } from "../format";

export type InboxFilter = "all" | "needsReply" | "flagged" | "optedOut";

export interface InboxView {
  query: string;
  filter: InboxFilter;
  unreadFirst: boolean;
}

export const INBOX_FILTERS: ReadonlyArray<{ id: InboxFilter; label: string }> = [
  { id: "all", label: "All" },
  { id: "needsReply", label: "Needs reply" },
  { id: "flagged", label: "Flagged" },
  { id: "optedOut", label: "Opted out" },
];

export function defaultInboxView(): InboxView {
  return { query: "", filter: "all", unreadFirst: false };
}

/**
 * The patient wrote last, so the clinic has not answered yet. An opted-out number is left out:
 * its last text is usually the STOP, and it cannot be answered anyway.
 */
export function needsReply(thread: ThreadSummary): boolean {
  return thread.lastDirection === "inbound" && !thread.optedOut;
}

interface SearchKey {
  text: string;
  digits: string;
}

// Keyed by the summary object: a refresh brings new objects, a keystroke reuses the keys.
const keys = new WeakMap<ThreadSummary, SearchKey>();

function searchKey(thread: ThreadSummary): SearchKey {
  let key = keys.get(thread);
  if (!key) {
    const name = thread.patientName ?? "";
    key = {
      text: `${name}\n${formatPhone(thread.phone)}\n${thread.lastBody}`.toLowerCase(),
      digits: thread.phone.replace(/\D/g, ""),
    };
    keys.set(thread, key);
  }
  return key;
}

/** A query that is only a phone number as typed: digits with the usual punctuation. */
const NUMBERISH = /^[\d\s()+.-]+$/;

export function matcher(query: string): (thread: ThreadSummary) => boolean {
  const q = query.trim().toLowerCase();
  if (!q) return () => true;
  const digits = NUMBERISH.test(q) ? q.replace(/\D/g, "") : "";
  return (thread) => {
    const key = searchKey(thread);
    return key.text.includes(q) || (digits.length >= 3 && key.digits.includes(digits));
  };
}

function passes(filter: InboxFilter, thread: ThreadSummary): boolean {
  switch (filter) {
    case "all":
      return true;
    case "needsReply":
      return needsReply(thread);
    case "flagged":
      return thread.flagged;
    case "optedOut":
      return thread.optedOut;
  }
}

/** Threads in the core's order (newest first), optionally unread ones first, then filtered. */
export function applyView(threads: readonly ThreadSummary[], view: InboxView): ThreadSummary[] {
  const matches = matcher(view.query);
  const shown = threads.filter((t) => passes(view.filter, t) && matches(t));
  if (!view.unreadFirst) return shown;
  // Two passes rather than sort(): stable and O(n), whatever the engine's sort does.
  return [...shown.filter((t) => t.unread > 0), ...shown.filter((t) => t.unread === 0)];
}
