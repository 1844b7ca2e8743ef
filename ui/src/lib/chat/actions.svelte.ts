/**
 * The actions staff take on one text from the chat (resolve its flag, send it again), with the
 * state the bubbles show: which text is busy, and each text's error in words. One instance per
 * open chat, shared by its rows, so only one action runs at a time.
 */
import type { Backend } from "../backend/backend";
import { plainMessage } from "../backend/errors";
import type { FlagResolution, ThreadMessage } from "../bindings";
import { sentence } from "../compliance/words";
import { resolvedWords } from "./flags";

export class MessageActions {
  /** The text whose action is running, if any. */
  busy = $state<number | null>(null);
  /** Why an action on a text failed, by text id. */
  errors = $state<Record<number, string>>({});
  /** The outcome of the last action, for a live region. */
  announcement = $state("");

  constructor(
    private readonly backend: Backend,
    /** Re-read the thread (and its context) after a change. */
    private readonly onChanged: (change: "flag" | "retry") => void,
  ) {}

  async resolveFlag(message: ThreadMessage, resolution: FlagResolution): Promise<void> {
    const flag = message.flag;
    if (!flag || !flag.open) return;
    await this.run(message.id, async () => {
      await this.backend.resolveFlag(flag.id, resolution);
      this.announcement = resolvedWords(resolution);
      this.onChanged("flag");
    });
  }

  async retry(message: ThreadMessage): Promise<void> {
    if (message.retry?.kind !== "allowed") return;
    await this.run(message.id, async () => {
      await this.backend.retryText(message.id);
      this.announcement = "Sending the text again. The new copy is at the bottom of the chat.";
      this.onChanged("retry");
    });
  }

  private async run(id: number, action: () => Promise<void>): Promise<void> {
    if (this.busy !== null) return;
    this.busy = id;
    const { [id]: _, ...rest } = this.errors;
    this.errors = rest;
    try {
      await action();
    } catch (error) {
      this.errors = { ...this.errors, [id]: sentence(plainMessage(error)) };
    } finally {
      this.busy = null;
    }
  }
}
