/**
 * Obviously made-up records, shown only while the mock backend is active (browser preview or an
 * explicit `?mock`): in the desktop app the core is the only source of data. Numbers use the
 * 555-01xx range that is reserved for fiction.
 */
import type { Patient, ThreadSummary } from "../bindings";

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
    },
    {
      phone: "+14155550177",
      patientId: null,
      patientName: null,
      unread: 1,
      lastAt: now - 50 * minute,
      lastBody: "Hi, is there parking near the clinic?",
      lastDirection: "inbound",
    },
    {
      phone: "+14155550102",
      patientId: 2,
      patientName: "Example Person",
      unread: 0,
      lastAt: now - 26 * 60 * minute,
      lastBody: "Reminder: your appointment is tomorrow at 9:30 AM. Reply C to confirm.",
      lastDirection: "outbound",
    },
  ];
}
