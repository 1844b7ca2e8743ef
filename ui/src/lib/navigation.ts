import type { ThreadSummary } from "./bindings";
import type { TestIdName } from "./testids";

export type ScreenId = "inbox" | "chat" | "appointments" | "settings" | "compliance" | "dashboard";

export interface ScreenInfo {
  id: ScreenId;
  label: string;
  nav: TestIdName;
  screen: TestIdName;
}

/** Navigation order as receptionists use it: daily work first, admin screens last. */
export const SCREENS: readonly ScreenInfo[] = [
  { id: "inbox", label: "Inbox", nav: "navInbox", screen: "screenInbox" },
  { id: "chat", label: "Chat", nav: "navChat", screen: "screenChat" },
  { id: "appointments", label: "Appointments", nav: "navAppointments", screen: "screenAppointments" },
  { id: "settings", label: "Settings", nav: "navSettings", screen: "screenSettings" },
  { id: "compliance", label: "Compliance", nav: "navCompliance", screen: "screenCompliance" },
  { id: "dashboard", label: "Dashboard", nav: "navDashboard", screen: "screenDashboard" },
];

/**
 * The conversation to open for `phone` (a clicked reply notification): the Inbox's summary when
 * it has one, else a bare one; the chat reads the patient's name and texts itself.
 */
export function threadFor(phone: string, threads: readonly ThreadSummary[]): ThreadSummary {
  return (
    threads.find((t) => t.phone === phone) ?? {
      phone,
      patientId: null,
      patientName: null,
      unread: 0,
      lastAt: 0,
      lastBody: "",
      lastDirection: "inbound",
      flagged: false,
      optedOut: false,
    }
  );
}
