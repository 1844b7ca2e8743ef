/**
 * A conversation as the rows the chat list shows: texts in order, with a separator before the
 * first text of each day (in the workstation's time zone, or the one given).
 */
import type { ThreadMessage } from "../bindings";

export type ChatRow =
  | { kind: "day"; key: string; label: string }
  | { kind: "message"; key: string; message: ThreadMessage };

export interface RowOptions {
  now?: number;
  locale?: string;
  timeZone?: string;
}

/**
 * The calendar day of an instant as "YYYY-MM-DD". In the workstation's own zone the Date getters
 * answer directly; they are far cheaper than Intl, which matters once per text of a long thread.
 */
function dayKeyer(timeZone: string | undefined): (at: number) => string {
  if (timeZone === undefined) {
    return (at) => {
      const d = new Date(at);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    };
  }
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return (at) => format.format(at);
}

export function chatRows(messages: readonly ThreadMessage[], options: RowOptions = {}): ChatRow[] {
  const { now = Date.now(), locale, timeZone } = options;
  const dayKey = dayKeyer(timeZone);
  const today = dayKey(now);
  // Noon of today minus a day is yesterday whatever a daylight-saving change did to its length.
  const noon = new Date(`${today}T12:00:00Z`).getTime();
  const yesterday = new Date(noon - 24 * 3600 * 1000).toISOString().slice(0, 10);
  const thisYear = today.slice(0, 4);
  const dayLabel = new Intl.DateTimeFormat(locale, { timeZone, weekday: "long", month: "long", day: "numeric" });
  const olderLabel = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
  });

  const rows: ChatRow[] = [];
  let previous = "";
  for (const message of messages) {
    const day = dayKey(message.createdAt);
    if (day !== previous) {
      previous = day;
      const label =
        day === today
          ? "Today"
          : day === yesterday
            ? "Yesterday"
            : (day.startsWith(thisYear) ? dayLabel : olderLabel).format(message.createdAt);
      rows.push({ kind: "day", key: `day-${day}`, label });
    }
    rows.push({ kind: "message", key: `m-${message.id}`, message });
  }
  return rows;
}

/** A first guess at a row's height before it is measured, so the scrollbar is about right. */
export function estimateRowHeight(row: ChatRow): number {
  if (row.kind === "day") return 40;
  const body = row.message.body;
  // About 55 characters per line in a bubble at the usual width, plus explicit line breaks.
  let lines = 1;
  let run = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.charCodeAt(i) === 10 || run >= 55) {
      lines++;
      run = 0;
    } else run++;
  }
  const { message } = row;
  const problem = message.errorText || message.localError ? 22 : 0;
  // A flag's words (and, while open, its buttons), or a failed text's retry line.
  const flag = message.flag ? (message.flag.open ? 72 : 30) : 0;
  const retry = message.retry ? 36 : 0;
  return 54 + lines * 21 + problem + flag + retry;
}
