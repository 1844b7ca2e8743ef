/**
 * Loading state for one backend read. A refresh triggered by a change event is "quiet": the old
 * data stays on screen until the new data arrives, so lists don't flash back to a skeleton.
 * Only the newest request may settle the state, so a slow early reply can't overwrite a newer one.
 */
import { untrack } from "svelte";
import { plainMessage } from "./backend/errors";

export type LoadState<T> =
  | { status: "loading" }
  | { status: "ready"; value: T }
  | { status: "error"; message: string };

export interface Loadable<T> {
  readonly state: LoadState<T>;
  refresh(options?: { quiet?: boolean }): Promise<void>;
}

export function loadable<T>(load: () => Promise<T>): Loadable<T> {
  // Raw: a load replaces the value wholesale and nothing mutates it, so a 10,000-text thread
  // need not be wrapped in 10,000 reactive proxies as components read it.
  let state = $state.raw<LoadState<T>>({ status: "loading" });
  let latest = 0;

  async function refresh({ quiet = false } = {}): Promise<void> {
    const request = ++latest;
    // Untracked so that calling refresh() from an effect never makes the effect depend on it.
    if (!quiet || untrack(() => state.status) !== "ready") state = { status: "loading" };
    try {
      const value = await load();
      if (request === latest) state = { status: "ready", value };
    } catch (error) {
      if (request === latest) state = { status: "error", message: plainMessage(error) };
    }
  }

  return {
    get state() {
      return state;
    },
    refresh,
  };
}
