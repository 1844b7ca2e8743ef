/**
 * Templates for the in-memory backend: the core's built-in wording in English and Spanish, the
 * clinic's saved versions, placeholder checks with the core's words, the editor's warnings, and
 * filling a template for the sample appointment or a patient's next one. Dates and times are
 * written the English way in every language and the warning rules are a small subset of the
 * core's; the contract (what is refused, what is left unfilled and why) is the core's.
 */
import type {
  Appointment,
  Encoding,
  FilledTemplate,
  SavedTemplate,
  Template,
  TemplateKind,
  TemplateList,
  TemplateWarning,
} from "../bindings";
import type { TemplatePreviewRequest } from "./backend";
import { BackendError } from "./errors";

export const MOCK_PLACEHOLDERS = [
  "patient_first_name",
  "clinic_name",
  "date",
  "time",
  "provider",
  "location",
  "clinic_phone",
  "link",
] as const;
type Placeholder = (typeof MOCK_PLACEHOLDERS)[number];

export const MOCK_TEMPLATE_KINDS: readonly TemplateKind[] = [
  "confirmation",
  "reminder",
  "running_late",
  "intake_form",
  "directions",
];

const CLINIC_LANGUAGE = "en";

export const MOCK_BUILT_IN: Readonly<Record<string, Readonly<Record<TemplateKind, string>>>> = {
  en: {
    confirmation:
      "{clinic_name}: Hi {patient_first_name}, your appointment with {provider} is on {date} at {time}. Reply C to confirm or R to reschedule.",
    reminder:
      "{clinic_name}: Reminder, {patient_first_name}: your appointment with {provider} is on {date} at {time}. Reply C to confirm or R to reschedule.",
    running_late:
      "{clinic_name}: Hi {patient_first_name}, we are running a little late for your {time} appointment. Thank you for your patience.",
    intake_form:
      "{clinic_name}: Hi {patient_first_name}, please fill in your intake form before your visit on {date}: {link}",
    directions:
      "{clinic_name}: your appointment on {date} at {time} is at {location}. Trouble finding us? Call {clinic_phone}.",
  },
  es: {
    confirmation:
      "{clinic_name}: Hola {patient_first_name}, su cita con {provider} es el {date} a las {time}. Responda C para confirmar o R para cambiar la fecha.",
    reminder:
      "{clinic_name}: Recordatorio, {patient_first_name}: su cita con {provider} es el {date} a las {time}. Responda C para confirmar o R para cambiar la fecha.",
    running_late:
      "{clinic_name}: Hola {patient_first_name}, vamos con un poco de retraso para su cita de las {time}. Gracias por su paciencia.",
    intake_form:
      "{clinic_name}: Hola {patient_first_name}, por favor llene su formulario de ingreso antes de su cita del {date}: {link}",
    directions:
      "{clinic_name}: su cita del {date} a las {time} es en {location}. Si no nos encuentra, llame al {clinic_phone}.",
  },
};

const OPT_OUT_WORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
const CLINICAL_TERMS = ["diagnosis", "test results", "results", "lab", "biopsy", "pregnancy", "prescription", "medication"];

export interface MockTemplateOptions {
  /** Versions the clinic saved (they replace the built-in ones of the same kind and language). */
  saved?: Template[];
  clinicName?: string;
  /** `null`: not set, so `{clinic_phone}` cannot be filled. */
  clinicPhone?: string | null;
  /** The clinic's intake form link; `null`: not set. */
  link?: string | null;
}

/** What the templates need from the rest of the mock. */
export interface TemplateWorld {
  patientOf(phone: string): { firstName: string; language: string } | null;
  /** The number's next booked appointment, if any. */
  nextAppointment(phone: string): Appointment | null;
  count(text: string): { segments: number; encoding: Encoding };
  /** Throws `AdminRequired` without an admin session. */
  requireAdmin(): void;
}

type Facts = Partial<Record<Placeholder, string>>;

function known(name: string): name is Placeholder {
  return (MOCK_PLACEHOLDERS as readonly string[]).includes(name);
}

/** The core's parse: text and placeholders, refusing unknown names and stray braces. */
function parse(body: string): Array<{ text: string } | { fill: Placeholder }> {
  if (!body.trim()) throw new BackendError("InvalidInput", "the template is empty; type the text patients should get");
  const pieces: Array<{ text: string } | { fill: Placeholder }> = [];
  const chars = Array.from(body);
  let text = "";
  let open: number | null = null;
  let name = "";
  chars.forEach((c, i) => {
    if (c === "{") {
      if (open !== null) throw unclosed(open);
      if (text) pieces.push({ text });
      text = "";
      name = "";
      open = i + 1;
    } else if (c === "}") {
      if (open === null) {
        throw new BackendError(
          "InvalidInput",
          `the closing brace at character ${i + 1} has no opening brace; remove it or write placeholders like {date}`,
        );
      }
      const trimmed = name.trim();
      if (!known(trimmed)) {
        throw new BackendError(
          "InvalidInput",
          `{${name}} is not a placeholder; use one of ${MOCK_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        );
      }
      pieces.push({ fill: trimmed });
      open = null;
    } else if (open !== null) name += c;
    else text += c;
  });
  if (open !== null) throw unclosed(open);
  if (text) pieces.push({ text });
  return pieces;
}

function unclosed(position: number): BackendError {
  return new BackendError(
    "InvalidInput",
    `the brace at character ${position} is never closed; write placeholders like {date}`,
  );
}

export function mockTemplateWarnings(body: string): TemplateWarning[] {
  const warnings: TemplateWarning[] = [];
  const asked = /\b(?:reply|text|send|respond)\s+"?([A-Za-z]+)"?\s*(?:to\s+(\w+))?/gi;
  for (const match of body.matchAll(asked)) {
    const word = (match[1] ?? "").toUpperCase();
    const purpose = (match[2] ?? "").toLowerCase();
    if (!OPT_OUT_WORDS.includes(word) || (word === "STOP" && purpose === "opt")) continue;
    warnings.push({
      kind: "opt_out_word",
      word,
      message: `the text asks patients to reply ${word}, an opt-out word: Twilio then blocks every text to them. Ask for X to cancel an appointment, and mention opt-out words only as "Reply STOP to opt out"`,
    });
    break;
  }
  const lowered = body.toLowerCase();
  const found: string[] = [];
  for (const term of CLINICAL_TERMS) {
    const at = lowered.search(new RegExp(`\\b${term}\\b`));
    const covered = found.some((f) => f.toLowerCase().includes(term));
    if (at >= 0 && !covered) found.push(body.slice(at, at + term.length));
  }
  for (const word of found) {
    warnings.push({
      kind: "clinical_detail",
      word,
      message: `"${word}" looks like clinical detail; texts must not carry clinical detail (only date, time, provider, location and the clinic's name)`,
    });
  }
  return warnings;
}

function normalizeLanguage(value: string): string {
  const language = value.trim().toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(language)) {
    throw new BackendError("InvalidInput", `"${language}" is not a language code; use one like en, es or pt-BR`);
  }
  return language;
}

function dateWords(date: Date): string {
  return date.toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric" });
}

function timeWords(hours: number, minutes: number): string {
  const suffix = hours < 12 ? "AM" : "PM";
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  return `${twelve}:${String(minutes).padStart(2, "0")} ${suffix}`;
}

function describe(appointment: Appointment): string {
  const [h = "0", m = "0"] = appointment.localTime.split(":");
  const when = `${dateWords(new Date(`${appointment.localDate}T12:00:00`))} at ${timeWords(Number(h), Number(m))}`;
  return appointment.provider.trim() ? `${when} with ${appointment.provider.trim()}` : when;
}

function braced(names: string[]): string {
  const list = names.map((n) => `{${n}}`);
  const last = list.pop() ?? "";
  return list.length > 0 ? `${list.join(", ")} and ${last}` : last;
}

export class MockTemplates {
  private saved: Template[];
  private clinicName: string;
  private clinicPhone: string | null;
  private link: string | null;

  constructor(
    options: MockTemplateOptions,
    private readonly world: TemplateWorld,
  ) {
    this.saved = structuredClone(options.saved ?? []);
    this.clinicName = options.clinicName ?? "The clinic";
    this.clinicPhone = options.clinicPhone === undefined ? "+15555550100" : options.clinicPhone;
    this.link = options.link === undefined ? null : options.link;
  }

  list(): TemplateList {
    const templates = this.templates();
    return {
      templates: structuredClone(templates),
      placeholders: [...MOCK_PLACEHOLDERS],
      clinicLanguage: CLINIC_LANGUAGE,
      builtInLanguages: Object.keys(MOCK_BUILT_IN),
    };
  }

  preview(request: TemplatePreviewRequest): FilledTemplate {
    const patient = request.phone ? this.world.patientOf(request.phone) : null;
    const appointment = request.phone ? this.world.nextAppointment(request.phone) : null;
    const wanted = request.language ?? patient?.language ?? CLINIC_LANGUAGE;
    let body: string;
    let language: string;
    if (request.body !== undefined) {
      body = request.body;
      language = normalizeLanguage(wanted);
    } else {
      const resolved = this.resolve(request.kind, wanted);
      body = resolved.body;
      language = resolved.language;
    }
    const pieces = parse(body);

    const facts: Facts = { clinic_name: this.clinicName };
    if (this.clinicPhone) facts.clinic_phone = this.clinicPhone;
    const noAppointment = new Set<Placeholder>();
    if (!request.phone) {
      const tomorrow = new Date();
      tomorrow.setDate(tomorrow.getDate() + 1);
      Object.assign(facts, {
        patient_first_name: "Alex",
        date: dateWords(tomorrow),
        time: timeWords(14, 30),
        provider: "Dr. Lee",
        location: "Suite 200",
        link: "https://example.com/forms",
      });
    } else {
      if (patient) facts.patient_first_name = patient.firstName;
      if (this.link) facts.link = this.link;
      if (appointment) {
        const [h = "0", m = "0"] = appointment.localTime.split(":");
        Object.assign(facts, {
          patient_first_name: appointment.patientFirstName || patient?.firstName,
          date: dateWords(new Date(`${appointment.localDate}T12:00:00`)),
          time: timeWords(Number(h), Number(m)),
          provider: appointment.provider.trim() || "our team",
          location: appointment.location.trim() || this.clinicName,
        });
      } else {
        for (const p of ["date", "time", "provider", "location"] as const) noAppointment.add(p);
        if (!patient) noAppointment.add("patient_first_name");
      }
    }

    let text = "";
    const unfilled: string[] = [];
    const notes: string[] = [];
    const withoutAppointment: string[] = [];
    for (const piece of pieces) {
      if ("text" in piece) {
        text += piece.text;
        continue;
      }
      const value = noAppointment.has(piece.fill) ? undefined : facts[piece.fill];
      if (value !== undefined) {
        text += value;
        continue;
      }
      text += `{${piece.fill}}`;
      if (!unfilled.includes(piece.fill)) unfilled.push(piece.fill);
      if (noAppointment.has(piece.fill)) {
        if (!withoutAppointment.includes(piece.fill)) withoutAppointment.push(piece.fill);
        continue;
      }
      const note =
        piece.fill === "clinic_phone"
          ? "this text uses {clinic_phone}, but the clinic's phone is not set; an admin can set clinic.phone in Settings"
          : `this text uses {${piece.fill}}, but no link was given; add the link to send`;
      if (!notes.includes(note)) notes.push(note);
    }
    if (withoutAppointment.length > 0) {
      const who = patient?.firstName || "This number";
      const verb = withoutAppointment.length === 1 ? "is" : "are";
      notes.unshift(
        `${who} has no upcoming appointment, so ${braced(withoutAppointment)} ${verb} left for you to type in before sending`,
      );
    }
    const counted = this.world.count(text);
    return {
      preview: {
        kind: request.kind,
        language,
        text,
        segments: counted.segments,
        encoding: counted.encoding,
        characters: Array.from(text).length,
        warnings: mockTemplateWarnings(body),
      },
      unfilled,
      notes,
      appointment: appointment ? describe(appointment) : null,
    };
  }

  save(kind: TemplateKind, language: string, body: string): SavedTemplate {
    this.world.requireAdmin();
    const normalized = normalizeLanguage(language);
    parse(body);
    const template: Template = {
      kind,
      language: normalized,
      body,
      custom: true,
      updatedBy: "admin",
      updatedAt: Date.now(),
    };
    this.saved = [...this.saved.filter((t) => !(t.kind === kind && t.language === normalized)), template];
    return { template: structuredClone(template), warnings: mockTemplateWarnings(body) };
  }

  reset(kind: TemplateKind, language: string): Template | null {
    this.world.requireAdmin();
    const normalized = normalizeLanguage(language);
    this.saved = this.saved.filter((t) => !(t.kind === kind && t.language === normalized));
    const standing = this.templates().find((t) => t.kind === kind && t.language === normalized);
    return standing ? structuredClone(standing) : null;
  }

  private templates(): Template[] {
    const all = [...this.saved];
    for (const [language, bodies] of Object.entries(MOCK_BUILT_IN)) {
      for (const kind of MOCK_TEMPLATE_KINDS) {
        if (!all.some((t) => t.kind === kind && t.language === language)) {
          all.push({ kind, language, body: bodies[kind], custom: false, updatedBy: null, updatedAt: null });
        }
      }
    }
    const order = (k: TemplateKind) => MOCK_TEMPLATE_KINDS.indexOf(k);
    return all.sort((a, b) => order(a.kind) - order(b.kind) || a.language.localeCompare(b.language));
  }

  /** The patient's language, its primary subtag, then the clinic's. */
  private resolve(kind: TemplateKind, wanted: string): Template {
    const chain = [wanted.trim().toLowerCase(), wanted.trim().toLowerCase().split("-")[0] ?? "", CLINIC_LANGUAGE];
    const all = this.templates();
    for (const language of chain) {
      const found = all.find((t) => t.kind === kind && t.language === language);
      if (found) return found;
    }
    return { kind, language: CLINIC_LANGUAGE, body: MOCK_BUILT_IN.en?.[kind] ?? "", custom: false, updatedBy: null, updatedAt: null };
  }
}
