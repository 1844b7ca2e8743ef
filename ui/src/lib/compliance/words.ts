/**
 * Plain words for the compliance records the core stores as codes, so the front desk never
 * reads `plain_words_opt_out` or `twilio_21610`.
 */
import type { ConsentKind, ConsentMethod, FlagReason, OptState, VerifyReport } from "../bindings";

const REASONS: Record<FlagReason, string> = {
  plain_words_opt_out: "Sounds like they want no more texts",
  reschedule_requested: "Asks to reschedule an appointment",
  cancel_requested: "Asks to cancel an appointment",
  ambiguous_reply: "Answer could mean more than one appointment",
};

export function reasonWords(reason: FlagReason): string {
  return REASONS[reason];
}

/** How the opt-out (or opt-in) came about, in a sentence. */
export function sourceWords(state: Pick<OptState, "source" | "keyword" | "state">): string {
  switch (state.source) {
    case "keyword":
      return state.keyword ? `Patient texted "${state.keyword}"` : "Patient texted a keyword";
    case "twilio_21610":
      return "Twilio refused a text: the number has blocked the clinic (error 21610)";
    case "staff":
      return state.state === "opted_out"
        ? "Staff confirmed the patient's request"
        : "Recorded by staff";
  }
}

const KINDS: Record<ConsentKind, string> = { granted: "Agreed to texts", revoked: "Withdrew consent" };
const METHODS: Record<ConsentMethod, string> = {
  form: "Signed form",
  verbal: "Said so in person or by phone",
  text: "By text message",
};

export const consentKindWords = (kind: ConsentKind): string => KINDS[kind];
export const consentMethodWords = (method: ConsentMethod): string => METHODS[method];
export const CONSENT_KINDS = Object.keys(KINDS) as ConsentKind[];
export const CONSENT_METHODS = Object.keys(METHODS) as ConsentMethod[];

const ACTIONS: Record<string, string> = {
  "text.queued": "Text queued",
  "text.sent": "Text sent",
  "text.received": "Text received",
  "text.status": "Delivery status changed",
  "opt_out.recorded": "Opted out",
  "opt_in.recorded": "Opted back in",
  "opt_out.flagged": "Possible opt-out flagged for staff",
  "opt_out.confirmed": "Opt-out confirmed by staff",
  "consent.granted": "Consent recorded",
  "consent.revoked": "Consent withdrawn",
  "settings.changed": "Setting changed",
  "credentials.changed": "Twilio account changed",
  "quiet_hours.override": "Sent during quiet hours (with a reason)",
  "audit.exported": "Audit log exported",
  "auto_reply.queued": "Automatic reply queued",
  "appointment.created": "Appointment booked",
  "appointment.updated": "Appointment changed",
  "appointment.cancelled": "Appointment cancelled",
  "appointment.confirmation": "Appointment confirmed or declined",
  "admin.unlock": "Admin unlocked Settings",
  "admin.failed": "Wrong admin passphrase",
  "admin.passphrase_set": "Admin passphrase set",
  "admin.locked_out": "Admin locked out after wrong passphrases",
};

/** An action this UI does not know yet is still shown, readably, from its stored name. */
export function actionWords(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const spaced = action.replace(/[._]+/g, " ").trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The verify result as one sentence for the receptionist (the core's message carries the detail). */
export function verifyWords(report: VerifyReport): string {
  if (report.ok) {
    return `The audit log is intact: ${report.rows} ${report.rows === 1 ? "entry" : "entries"} checked, none changed or missing.`;
  }
  const detail = report.message.trim().replace(/\.$/, "") || "the audit log has been tampered with";
  return `${detail.charAt(0).toUpperCase()}${detail.slice(1)}. Leave the database as it is and tell your clinic admin.`;
}

/** Today as `YYYY-MM-DD` in the computer's zone, for date inputs. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The core writes its messages as clauses ("the note is too long; …"); show them as sentences. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
