/**
 * The mock backend's group messages: who a text would reach and who is left out, worked out
 * the way the core does (booked appointments of the day, one text per number, opted-out and
 * landline numbers excluded, quiet time holding rather than excluding), on the mock's data.
 */
import type {
  Appointment,
  ExclusionReason,
  GroupExclusion,
  GroupPreview,
  GroupRecipient,
  GroupSelection,
} from "../bindings";
import { BackendError } from "./errors";

/** What the mock knows that a group needs. */
export interface GroupWorld {
  dayAppointments(date: string): Appointment[];
  nameOf(e164: string): string | null;
  normalize(raw: string): string | null;
  isOptedOut(e164: string): boolean;
  isLandline(e164: string): boolean;
  quietHours: boolean;
  /** Segments of the text as it would go to `e164` (with the first-contact footer). */
  segmentsFor(e164: string | null, body: string): number;
  pricePerSegment: number;
}

const DETAIL: Record<ExclusionReason, string> = {
  optedOut: "opted out of texts (replied STOP)",
  notMobile: "landline: cannot receive texts",
  invalidNumber: "no valid mobile number on file",
};

function candidates(world: GroupWorld, selection: GroupSelection): Array<{ raw: string; name: string }> {
  if (selection.kind === "phones") return selection.phones.map((raw) => ({ raw, name: "" }));
  if (selection.kind === "todayOfProvider" && !selection.provider.trim()) {
    throw new BackendError("InvalidInput", "choose a provider");
  }
  const provider = selection.kind === "todayOfProvider" ? selection.provider.trim().toLowerCase() : null;
  return world
    .dayAppointments(selection.date)
    .filter((a) => a.status === "booked")
    .filter((a) => provider === null || a.provider.trim().toLowerCase() === provider)
    .map((a) => ({ raw: a.phone ?? "", name: a.patientName }));
}

export function mockGroupPreview(world: GroupWorld, selection: GroupSelection, body: string): GroupPreview {
  if (!body.trim()) throw new BackendError("InvalidInput", "the text is empty; type a message");
  const seen = new Set<string>();
  const recipients: GroupRecipient[] = [];
  const excluded: GroupExclusion[] = [];
  const exclude = (phone: string, name: string, reason: ExclusionReason) =>
    excluded.push({ phone, name, reason, detail: DETAIL[reason] });
  for (const candidate of candidates(world, selection)) {
    const phone = world.normalize(candidate.raw);
    if (!phone) {
      if (!seen.has(candidate.raw)) exclude(candidate.raw, candidate.name, "invalidNumber");
      seen.add(candidate.raw);
      continue;
    }
    if (seen.has(phone)) continue;
    seen.add(phone);
    const name = candidate.name || world.nameOf(phone) || "";
    if (world.isOptedOut(phone)) exclude(phone, name, "optedOut");
    else if (world.isLandline(phone)) exclude(phone, name, "notMobile");
    else {
      const held = world.quietHours ? "held for quiet time; goes out Tue 08:00 (patient's time)" : null;
      recipients.push({ phone, name, held });
    }
  }
  const totalSegments = recipients.reduce((sum, r) => sum + world.segmentsFor(r.phone, body), 0);
  return {
    recipients,
    excluded,
    segmentsPerText: world.segmentsFor(null, body),
    totalSegments,
    estimatedCost: totalSegments * world.pricePerSegment,
  };
}
