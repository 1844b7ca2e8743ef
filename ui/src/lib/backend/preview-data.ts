/**
 * Obviously made-up records, shown only while the mock backend is active (browser preview or an
 * explicit `?mock`): in the desktop app the core is the only source of data. Numbers use the
 * 555-01xx range that is reserved for fiction.
 */
import type { Patient, ThreadMessage, ThreadSummary } from "../bindings";
import { mockMessage } from "./mock";

export function previewPatients(): Patient[] {
  return [
    {
      id: 1,
      firstName: "Sample",
      lastName: "Patient",
      preferredLanguage: "en",
      timeZone: null,
      phones: [{ e164: "+14155550101", lineType: "mobile" }],
    },
    {
      id: 2,
      firstName: "Example",
      lastName: "Person",
      preferredLanguage: "es",
      timeZone: null,
      phones: [{ e164: "+14155550102", lineType: "landline" }],
    },
  ];
}

export function previewThreads(now: number): ThreadSummary[] {
  const minute = 60_000;
  return [
    {
      phone: "+14155550101",
      patientId: 1,
      patientName: "Sample Patient",
      unread: 2,
      lastAt: now - 4 * minute,
      lastBody: "C",
      lastDirection: "inbound",
      flagged: false,
      optedOut: false,
    },
    {
      phone: "+14155550177",
      patientId: null,
      patientName: null,
      unread: 1,
      lastAt: now - 50 * minute,
      lastBody: "Hi, is there parking near the clinic?",
      lastDirection: "inbound",
      flagged: false,
      optedOut: false,
    },
    {
      phone: "+14155550102",
      patientId: 2,
      patientName: "Example Person",
      unread: 0,
      lastAt: now - 26 * 60 * minute,
      lastBody: "Reminder: your appointment is tomorrow at 9:30 AM. Reply C to confirm.",
      lastDirection: "outbound",
      flagged: false,
      optedOut: false,
    },
    {
      phone: "+14155550103",
      patientId: null,
      patientName: null,
      unread: 0,
      lastAt: now - 3 * 24 * 60 * minute,
      lastBody: "STOP",
      lastDirection: "inbound",
      flagged: false,
      optedOut: true,
    },
  ];
}

/** Texts behind the preview threads, showing each delivery state once. */
export function previewMessages(now: number): Record<string, ThreadMessage[]> {
  const minute = 60_000;
  const day = 24 * 60 * minute;
  const ours = (id: number, body: string, at: number, more: Partial<ThreadMessage>) =>
    mockMessage({ id, body, createdAt: at, direction: "outbound", localState: "submitted", ...more });
  const theirs = (id: number, body: string, at: number, read = true) =>
    mockMessage({ id, body, createdAt: at, read });
  return {
    "+14155550101": [
      ours(1, "Reminder: your cleaning is tomorrow at 10:00 AM. Reply C to confirm.", now - day - 30 * minute, {
        status: "delivered",
      }),
      theirs(2, "Can I bring my son too?", now - day - 20 * minute),
      ours(3, "Of course, we'll see you both.", now - day - 10 * minute, {
        status: "undelivered",
        errorCode: 30003,
        errorText: "The phone is switched off or out of coverage.",
      }),
      ours(4, "Of course, we'll see you both.", now - 30 * minute, { status: "sent" }),
      theirs(5, "Thanks!", now - 5 * minute, false),
      theirs(6, "C", now - 4 * minute, false),
    ],
    "+14155550177": [theirs(7, "Hi, is there parking near the clinic?", now - 50 * minute, false)],
    "+14155550102": [
      ours(8, "Reminder: your appointment is tomorrow at 9:30 AM. Reply C to confirm.", now - 26 * 60 * minute, {
        status: "queued",
        localState: "held",
        localError: "Quiet hours: it goes out at 08:00.",
      }),
    ],
    "+14155550103": [
      ours(9, "Your appointment is confirmed.", now - 4 * day, { status: "delivered" }),
      theirs(10, "STOP", now - 3 * day),
    ],
  };
}
