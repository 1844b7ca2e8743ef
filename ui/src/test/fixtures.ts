import type { Patient, ThreadSummary } from "../lib/bindings";

export const NOW = Date.UTC(2025, 2, 14, 15, 30);

export function thread(overrides: Partial<ThreadSummary> = {}): ThreadSummary {
  return {
    phone: "+14155550101",
    patientId: 1,
    patientName: "Sample Patient",
    unread: 0,
    lastAt: NOW - 60_000,
    lastBody: "See you tomorrow",
    lastDirection: "inbound",
    flagged: false,
    optedOut: false,
    ...overrides,
  };
}

export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    id: 1,
    firstName: "Sample",
    lastName: "Patient",
    preferredLanguage: "en",
    timeZone: null,
    phones: [{ e164: "+14155550101", lineType: "mobile" }],
    ...overrides,
  };
}
