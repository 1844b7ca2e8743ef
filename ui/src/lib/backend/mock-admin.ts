/**
 * The admin gate and Save & Test for the in-memory backend: a passphrase with the core's length
 * rule and lockout, a session flag, and the saved account shown masked. Save & Test answers with
 * whatever report a test hands in (`saveAndTest`), or by default passes and saves.
 */
import type {
  AdminStatus,
  CredentialsSummary,
  SaveAndTestInput,
  StepKind,
  StepProblem,
  TestReport,
  TestStep,
} from "../bindings";
import { BackendError } from "./errors";

export const MOCK_MIN_PASSPHRASE = 10;
export const MOCK_MAX_FAILURES = 5;
export const MOCK_LOCKOUT_MS = 5 * 60 * 1000;
export const MOCK_PASSPHRASE = "preview admin passphrase";

export interface MockAdminOptions {
  /** The admin passphrase; `null` is a first run (default: `MOCK_PASSPHRASE`). */
  passphrase?: string | null;
  /** Whether a session is open at start (default: true when a passphrase is set). */
  unlocked?: boolean;
  failures?: number;
  /** Epoch ms until which admin access is locked. */
  lockedUntil?: number | null;
  credentials?: CredentialsSummary | null;
  /** What Save & Test answers (default: every step passes). */
  saveAndTest?: (input: SaveAndTestInput) => TestReport;
}

function step(kind: StepKind, outcome: TestStep["outcome"], reason: string, problem: StepProblem | null = null): TestStep {
  return { kind, outcome, reason, problem, twilioCode: null };
}

function senderOf(input: SaveAndTestInput): string {
  return input.fromNumber?.trim() || input.messagingServiceSid?.trim() || "";
}

/** A report in which every step passed and the account was saved. */
export function passingReport(input: SaveAndTestInput): TestReport {
  return {
    accountSid: input.accountSid,
    sender: senderOf(input),
    account: { status: "active", accountType: "Full" },
    steps: [
      step("credentials", "pass", "Twilio accepted the credentials; the account is active (full account)."),
      step("sender", "pass", `${senderOf(input)} belongs to this account.`),
      input.testTo?.trim()
        ? step("test_text", "pass", `A test text went to ${input.testTo.trim()}.`)
        : step("test_text", "skipped", "No test number was given."),
    ],
    passed: true,
    offline: false,
    saved: true,
    warning: null,
    testMessageSid: null,
    summary: "every check passed; the Twilio account is saved",
  };
}

/** A report in which `failing` failed with `problem` and the later steps were skipped. */
export function failingReport(
  input: SaveAndTestInput,
  failing: StepKind,
  problem: StepProblem,
  reason: string,
): TestReport {
  const order: StepKind[] = ["credentials", "sender", "test_text"];
  const at = order.indexOf(failing);
  const steps = order.map((kind, i) =>
    i < at
      ? step(kind, "pass", kind === "credentials" ? "Twilio accepted the credentials." : "The number belongs to this account.")
      : i === at
        ? step(kind, "fail", reason, problem)
        : step(kind, "skipped", "Not tried because an earlier check failed."),
  );
  return {
    accountSid: input.accountSid,
    sender: senderOf(input),
    account: null,
    steps,
    passed: false,
    offline: problem === "offline",
    saved: false,
    warning: null,
    testMessageSid: null,
    summary: `not saved: ${reason}`,
  };
}

export class MockAdmin {
  private passphrase: string | null;
  private unlocked: boolean;
  private failures: number;
  private lockedUntil: number | null;
  private credentials: CredentialsSummary | null;
  private answer: (input: SaveAndTestInput) => TestReport;

  constructor(options: MockAdminOptions = {}) {
    this.passphrase = options.passphrase === undefined ? MOCK_PASSPHRASE : options.passphrase;
    this.unlocked = options.unlocked ?? this.passphrase !== null;
    this.failures = options.failures ?? 0;
    this.lockedUntil = options.lockedUntil ?? null;
    this.credentials = structuredClone(options.credentials ?? null);
    this.answer = options.saveAndTest ?? passingReport;
  }

  status(): AdminStatus {
    const locked = this.lockedUntil !== null && this.lockedUntil > Date.now();
    return {
      passphraseSet: this.passphrase !== null,
      lockedUntil: locked ? this.lockedUntil : null,
      failures: this.failures,
      unlocked: this.unlocked,
      minPassphraseChars: MOCK_MIN_PASSPHRASE,
      idleMinutes: 10,
    };
  }

  setPassphrase(next: string, current: string | null): AdminStatus {
    const chars = [...next.trim()].length;
    if (chars < MOCK_MIN_PASSPHRASE) {
      throw new BackendError(
        "InvalidInput",
        `the admin passphrase must be at least ${MOCK_MIN_PASSPHRASE} characters long (this one has ${chars}); a few unrelated words in a row are easy to remember and hard to guess`,
      );
    }
    if (this.passphrase !== null) {
      if (!current) {
        throw new BackendError(
          "InvalidInput",
          "an admin passphrase is already set; enter the current one to change it",
        );
      }
      this.verify(current);
    }
    this.passphrase = next;
    this.unlocked = true;
    return this.status();
  }

  unlock(passphrase: string): AdminStatus {
    if (this.passphrase === null) {
      throw new BackendError("AdminRequired", "no admin passphrase is set yet; an admin must set one first");
    }
    this.verify(passphrase);
    this.unlocked = true;
    return this.status();
  }

  lock(): AdminStatus {
    this.unlocked = false;
    return this.status();
  }

  /** Ends the session as ten idle minutes would. */
  expire(): void {
    this.unlocked = false;
  }

  require(): void {
    if (!this.unlocked) {
      throw new BackendError("AdminRequired", "only an admin can do this; enter the admin passphrase first");
    }
  }

  summary(): CredentialsSummary | null {
    this.require();
    return structuredClone(this.credentials);
  }

  saveAndTest(input: SaveAndTestInput): TestReport {
    this.require();
    if (!/^AC[0-9a-f]{32}$/.test(input.accountSid.trim())) {
      throw new BackendError(
        "InvalidInput",
        'the Account SID must be "AC" followed by 32 letters a–f and digits; copy it from the Twilio Console',
      );
    }
    let report = this.answer(input);
    if (!report.saved && input.offlineSave && report.offline) {
      const warning =
        "saved without a full test because Twilio could not be reached; run Save & Test again when this computer is online";
      report = { ...report, saved: true, warning, summary: warning };
    }
    if (report.saved) {
      const secret = input.apiKeySid?.trim() ? (input.apiKeySecret ?? "") : (input.authToken ?? "");
      this.credentials = {
        accountSid: input.accountSid.trim(),
        authKind: input.apiKeySid?.trim() ? "api_key" : "auth_token",
        apiKeySid: input.apiKeySid?.trim() || null,
        sender: senderOf(input),
        fromNumber: input.fromNumber?.trim() || null,
        messagingServiceSid: input.messagingServiceSid?.trim() || null,
        apiBase: "https://api.twilio.com",
        maskedSecret: `••••${secret.trim().slice(-4)}`,
        updatedAt: Date.now(),
      };
    }
    return report;
  }

  private verify(passphrase: string): void {
    const now = Date.now();
    if (this.lockedUntil !== null && this.lockedUntil > now) {
      throw new BackendError("LockedOut", lockedMessage(this.lockedUntil - now));
    }
    if (passphrase === this.passphrase) {
      this.failures = 0;
      this.lockedUntil = null;
      return;
    }
    this.failures += 1;
    if (this.failures >= MOCK_MAX_FAILURES) {
      this.failures = 0;
      this.lockedUntil = now + MOCK_LOCKOUT_MS;
      throw new BackendError("LockedOut", lockedMessage(MOCK_LOCKOUT_MS));
    }
    const left = MOCK_MAX_FAILURES - this.failures;
    throw new BackendError(
      "AdminRequired",
      `wrong admin passphrase; after ${left} more wrong ${left === 1 ? "try" : "tries"} admin access locks for 5 minutes`,
    );
  }
}

function lockedMessage(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return `too many wrong admin passphrases in a row: admin access is locked; try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}
