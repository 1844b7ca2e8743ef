/** What the screen says after an action: one sentence, and how the text that went with it fared. */
export interface Notice {
  text: string;
  sms?: { text: string; failed: boolean };
}
