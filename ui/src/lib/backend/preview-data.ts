/**
 * Obviously made-up records, shown only while the mock backend is active (browser preview or an
 * explicit `?mock`): in the desktop app the core is the only source of data. Numbers use the
 * 555-01xx range that is reserved for fiction.
 */
import type { Appointment, Patient, StaffFlag, ThreadMessage, ThreadSummary } from "../bindings";
import { mockMessage } from "./mock";
import { mockAppointment, mockSms } from "./mock-appointments";

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
        // Already sent again (text 4 below).
        retry: { kind: "retried" },
      }),
      ours(4, "Of course, we'll see you both.", now - 30 * minute, { status: "sent" }),
      theirs(5, "Thanks!", now - 5 * minute, false),
      theirs(6, "C", now - 4 * minute, false),
      ours(11, "Your cleaning is confirmed for tomorrow at 10:00 AM.", now - 3 * minute, {
        status: "undelivered",
        errorCode: 30003,
        errorText: "the phone is unreachable (off or out of coverage)",
        retry: { kind: "allowed" },
      }),
      theirs(12, "Actually, can we move it to next week?", now - 2 * minute, false),
    ],
    "+14155550177": [theirs(7, "Hi, is there parking near the clinic?", now - 50 * minute, false)],
    "+14155550102": [
      ours(13, "Welcome to the clinic! Reply STOP to opt out.", now - 3 * day, {
        status: "undelivered",
        errorCode: 30006,
        errorText: "landline or unreachable carrier",
        retry: {
          kind: "refused",
          reason: "the number is a landline or its carrier cannot take texts; call the patient instead",
        },
      }),
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

/** The reschedule request in the first thread, waiting for staff. */
export function previewFlags(now: number): StaffFlag[] {
  return [
    {
      id: 1,
      phone: "+14155550101",
      messageId: 12,
      messageSid: null,
      body: "Actually, can we move it to next week?",
      reason: "reschedule_requested",
      appointmentId: 1,
      createdAt: now - 2 * 60_000,
      resolvedAt: null,
      resolvedBy: null,
    },
  ];
}

/** Two bookings ahead for the first patient (shown beside their chat), "YYYY-MM-DD" from `today`. */
export function previewAppointments(today: string): Appointment[] {
  const dayAfter = (days: number) => {
    const date = new Date(`${today}T12:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  };
  return [
    mockAppointment({
      id: 1,
      patientId: 1,
      localDate: dayAfter(1),
      localTime: "10:00",
      provider: "Dr. Example",
      location: "Room 2",
      confirmation: "confirmed",
      sms: mockSms({ state: "submitted", twilioStatus: "delivered", summary: "delivered" }),
    }),
    mockAppointment({
      id: 2,
      patientId: 1,
      localDate: dayAfter(14),
      localTime: "15:30",
      provider: "Dr. Sample",
      location: "Main office",
    }),
  ];
}
