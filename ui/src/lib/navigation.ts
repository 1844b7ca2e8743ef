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
