/**
 * Large made-up data sets for the browser preview (`?mock=large`), the tests of long lists and
 * the UI benchmark. Deterministic, so a figure or a failure can be reproduced. Numbers are in
 * the 555-0100…0199 range reserved for fiction.
 */
import type { ThreadMessage, ThreadSummary } from "../bindings";

const FIRST = ["Alex", "Jordan", "Sam", "Taylor", "Casey", "Riley", "Morgan", "Jamie", "Avery", "Quinn"];
const LAST = ["Rivera", "Chen", "Okafor", "Novak", "Haddad", "Larsen", "Mehta", "Silva", "Kowal", "Duarte"];
const INBOUND = [
  "C",
  "Thank you!",
  "Is there parking at the clinic?",
  "Can I come 15 minutes later?",
  "See you then",
  "R",
];
const OUTBOUND = [
  "Reminder: your appointment is tomorrow at 9:30 AM. Reply C to confirm.",
  "You're confirmed. See you soon.",
  "Yes, there is free parking behind the building.",
  "Running about 20 minutes late today, sorry for the wait.",
];

/** A small linear congruential generator: the same seed gives the same data everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(list: readonly T[], r: number): T {
  return list[Math.floor(r * list.length) % list.length] as T;
}

/** `index` 0…19,999 → a distinct fictional number (+1 AAA 555-01NN). */
export function fictionalPhone(index: number): string {
  const area = 200 + Math.floor(index / 100);
  const line = 100 + (index % 100);
  return `+1${area}5550${line}`;
}

/** Threads newest first, as the core lists them: some unread, flagged or opted out. */
export function generateThreads(count: number, now: number, seed = 7): ThreadSummary[] {
  const r = random(seed);
  const threads: ThreadSummary[] = [];
  for (let i = 0; i < count; i++) {
    const inbound = r() < 0.55;
    const known = r() < 0.8;
    threads.push({
      phone: fictionalPhone(i),
      patientId: known ? i + 1 : null,
      patientName: known ? `${pick(FIRST, r())} ${pick(LAST, r())}` : null,
      unread: inbound && r() < 0.3 ? 1 + Math.floor(r() * 3) : 0,
      lastAt: now - i * 97_000,
      lastBody: inbound ? pick(INBOUND, r()) : pick(OUTBOUND, r()),
      lastDirection: inbound ? "inbound" : "outbound",
      flagged: inbound && r() < 0.05,
      optedOut: r() < 0.03,
    });
  }
  return threads;
}

/** A conversation oldest first, spread over `days` days, ending a minute before `now`. */
export function generateMessages(count: number, now: number, days = 200, seed = 11): ThreadMessage[] {
  const r = random(seed);
  const span = days * 24 * 3600 * 1000;
  const step = count > 1 ? span / (count - 1) : 0;
  const start = now - 60_000 - span;
  const messages: ThreadMessage[] = [];
  for (let i = 0; i < count; i++) {
    const inbound = i % 2 === 1;
    const failed = !inbound && r() < 0.02;
    // A few long texts so rows differ in height, as real conversations do.
    const long = r() < 0.1;
    const base = inbound ? pick(INBOUND, r()) : pick(OUTBOUND, r());
    messages.push({
      id: i + 1,
      sid: `SM${(i + 1).toString(16).padStart(32, "0")}`,
      direction: inbound ? "inbound" : "outbound",
      body: long ? `${base} ${OUTBOUND.join(" ")}` : base,
      status: inbound ? "received" : failed ? "undelivered" : "delivered",
      errorCode: failed ? 30003 : null,
      errorText: failed ? "The phone is switched off or out of coverage." : null,
      numSegments: 1,
      createdAt: Math.round(start + i * step),
      read: true,
      localState: inbound ? null : "submitted",
      localError: null,
      // Every so often a reschedule request, by position so the random sequence stays as it was.
      flag: inbound && i % 97 === 1 ? { id: i + 1, reason: "reschedule_requested", open: i % 3 !== 0 } : null,
      retry: failed ? { kind: "allowed" } : null,
    });
  }
  return messages;
}
