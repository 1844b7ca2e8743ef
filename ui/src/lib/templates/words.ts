/**
 * Plain words for templates, shared by the Settings editor and the chat composer's picker: what
 * each kind is for, what each placeholder stands for, language names, and the warning words
 * marked inside a preview.
 */
import type { TemplateKind, WarningKind } from "../bindings";

export const TEMPLATE_KINDS: readonly TemplateKind[] = [
  "confirmation",
  "reminder",
  "running_late",
  "intake_form",
  "directions",
];

const KINDS: Record<TemplateKind, { label: string; purpose: string }> = {
  confirmation: { label: "Confirmation", purpose: "Sent when an appointment is booked." },
  reminder: { label: "Reminder", purpose: "Sent before an appointment, at the reminder times." },
  running_late: { label: "Running late", purpose: "Tells a patient the clinic is running behind." },
  intake_form: { label: "Intake form link", purpose: "Asks the patient to fill in the form before the visit." },
  directions: { label: "Directions", purpose: "Where the appointment is and whom to call." },
};

export function kindLabel(kind: TemplateKind): string {
  return KINDS[kind].label;
}

export function kindPurpose(kind: TemplateKind): string {
  return KINDS[kind].purpose;
}

const PLACEHOLDERS: Record<string, string> = {
  patient_first_name: "the patient's first name",
  clinic_name: "the clinic's name",
  date: "the appointment's date",
  time: "the appointment's time",
  provider: "who the appointment is with",
  location: "where the appointment is",
  clinic_phone: "the clinic's phone number",
  link: "the intake form link",
};

/** What a placeholder stands for; a name the UI does not know yet reads as itself. */
export function placeholderMeaning(name: string): string {
  return PLACEHOLDERS[name] ?? name.replace(/_/g, " ");
}

/** "Spanish (es)"; a code the browser cannot name is shown as it is. */
export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(code);
    return name && name.toLowerCase() !== code.toLowerCase() ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

export function warningTitle(kind: WarningKind, word: string): string {
  return kind === "opt_out_word" ? `Opt-out word “${word}”` : `Looks clinical: “${word}”`;
}

export interface Marked {
  text: string;
  marked: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Splits `text` so each whole-word occurrence of `words` (any case) can be highlighted. */
export function markWords(text: string, words: readonly string[]): Marked[] {
  const wanted = words.map((w) => w.trim()).filter((w) => w.length > 0);
  if (wanted.length === 0 || !text) return text ? [{ text, marked: false }] : [];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${wanted.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`, "giu");
  const parts: Marked[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at), marked: false });
    parts.push({ text: match[0], marked: true });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), marked: false });
  return parts;
}

/** "{date}", "{date} and {time}", "{date}, {time} and {provider}". */
export function bracedList(names: readonly string[]): string {
  const list = names.map((n) => `{${n}}`);
  const last = list.pop() ?? "";
  return list.length > 0 ? `${list.join(", ")} and ${last}` : last;
}
