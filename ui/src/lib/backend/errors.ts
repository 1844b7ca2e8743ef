/**
 * Errors crossing the IPC boundary arrive as `{ code, message }` (see `IpcError`). The UI
 * branches on `code` only where it acts differently (e.g. marking the phone field); everything a
 * person reads comes from `message`, which the Rust side writes to tell them what to do.
 */
import type { ErrorCode } from "../bindings";

/**
 * Fallback wording for when the core sent no usable message. Typed as a full record so that a new
 * `ErrorCode` variant in the generated bindings fails type checking until it has plain words here.
 */
const FALLBACK_MESSAGES: Record<ErrorCode, string> = {
  InvalidInput: "Some of the details aren't valid. Check them and try again.",
  InvalidNumber: "That phone number doesn't look right. Check the number and try again.",
  NotFound: "That record no longer exists. It may have been removed on another workstation.",
  Conflict:
    "That record already exists or was just changed on another workstation. Refresh and try again.",
  DatabaseLocked:
    "The clinic database is busy right now, possibly used by another program. Wait a moment and try again.",
  DatabaseTooNew:
    "This clinic database was created by a newer version of Clinic Desk. Update the app on this computer.",
  DatabaseCorrupt:
    "The clinic database file is damaged. Ask your clinic admin to restore it from a backup.",
  Storage:
    "Clinic Desk couldn't read or save its data on this computer. Check there is free disk space, then try again.",
  OptedOut:
    "This patient has opted out of texts. They must text START to the clinic number before they can be texted again.",
  QuietHours:
    "It's outside the clinic's texting hours for this patient. Send it later, or send anyway with a reason.",
  NotConfigured:
    "Texting isn't set up yet. Ask your clinic admin to add the Twilio account in Settings.",
  TwilioAuth:
    "Twilio refused the clinic's credentials. Ask your clinic admin to re-enter them in Settings.",
  RateLimited: "Twilio asked us to slow down. Texts will go out automatically in a moment.",
  Offline:
    "Twilio can't be reached right now. Texts wait in the outbox and go out when the connection is back.",
  Twilio: "Twilio couldn't take this text. Check the number and the message, then try again.",
  CredentialsMissing:
    "The saved Twilio credentials can't be read on this computer. Ask your clinic admin to re-enter them in Settings.",
  KeyringUnavailable:
    "This computer has no safe place to keep the Twilio credentials. Ask your clinic admin to check the Settings screen.",
  AdminRequired:
    "Only the clinic admin can change this. Ask them to unlock Settings with the admin passphrase.",
  LockedOut:
    "Too many wrong passphrases were tried. Wait a few minutes, then ask the clinic admin to try again.",
  Internal:
    "Something went wrong inside Clinic Desk. Try again, and tell your clinic admin if it keeps happening.",
};

export class BackendError extends Error {
  override readonly name = "BackendError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(FALLBACK_MESSAGES, value);
}

/**
 * Normalises whatever a rejected `invoke` produced. Besides the typed `{code, message}` object,
 * Tauri itself rejects with bare strings (unknown command, bad arguments, missing permission), and
 * a core newer than these bindings may send a code we don't know yet: keep its message either way.
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw;
  if (typeof raw === "object" && raw !== null) {
    const { code, message } = raw as { code?: unknown; message?: unknown };
    const text = typeof message === "string" ? message : "";
    if (isErrorCode(code)) return new BackendError(code, text);
    if (text) return new BackendError("Internal", text);
  }
  if (typeof raw === "string" && raw.trim()) return new BackendError("Internal", raw);
  return new BackendError("Internal", "");
}

/** Words for a person: the core's message when it sent one, never a bare code. */
export function plainMessage(error: unknown): string {
  const err = toBackendError(error);
  const message = err.message.trim();
  return message || FALLBACK_MESSAGES[err.code];
}
