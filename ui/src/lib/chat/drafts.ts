/**
 * Unsent composer text per patient number, so a half-written text survives opening another chat
 * (from the Inbox or a clicked reply notification) and coming back. Held in memory for this run of
 * the app only and never written to disk: a draft may hold patient details.
 */

/** The template last put in the composer: what it came from and what is still left to fill in. */
export interface ChosenTemplate {
  label: string;
  appointment: string | null;
  notes: string[];
  unfilled: string[];
  /** Exactly what the template put in the box, to tell an untouched fill from an edited one. */
  filled: string;
  /** What was typed before the template replaced it, to put back. */
  replaced: string | null;
}

export interface Draft {
  text: string;
  /** Kept with the text so its unfilled placeholders still hold back Send after a return. */
  template: ChosenTemplate | null;
}

const drafts = new Map<string, Draft>();

export function draftFor(phone: string): Draft | null {
  return drafts.get(phone) ?? null;
}

/** A blank box has nothing worth keeping, so it forgets the draft. */
export function keepDraft(phone: string, draft: Draft): void {
  if (draft.text.trim()) drafts.set(phone, draft);
  else drafts.delete(phone);
}

/**
 * Forgets the draft once `sent` has gone out, unless it has changed since (typed while sending):
 * that newer text is still unsent.
 */
export function dropSentDraft(phone: string, sent: string): void {
  if (drafts.get(phone)?.text === sent) drafts.delete(phone);
}

/** For tests, which share this module across a file. */
export function forgetAllDrafts(): void {
  drafts.clear();
}
