/**
 * How long the UI takes, in jsdom on the mock backend, to open a 10,000-text thread and to
 * search and filter 20,000 conversations. jsdom does no layout or painting, so these figures
 * cover the JavaScript side (data handling, Svelte's rendering of the windowed rows), not what
 * WebKit adds on top. Run with `npm run bench` here or `node tests/bench/ui.mjs` from the root.
 */
import { cleanup, render, screen } from "@testing-library/svelte";
import { bench, describe } from "vitest";
import { BACKEND_CONTEXT_KEY } from "../lib/backend/context";
import { generateMessages, generateThreads } from "../lib/backend/generate";
import { MockBackend } from "../lib/backend/mock";
import { applyView, defaultInboxView } from "../lib/inbox/filter";
import ChatScreen from "../lib/screens/ChatScreen.svelte";
import InboxScreen from "../lib/screens/InboxScreen.svelte";
import { TestId } from "../lib/testids";

const NOW = Date.UTC(2025, 2, 14, 15, 30);
const messages = generateMessages(10_000, NOW);
const threads = generateThreads(20_000, NOW);
const PHONE = threads[0]!.phone;
// Built once: the mock still copies what it returns, as IPC would, and that copy is timed.
const backend = new MockBackend({ threads, messages: { [PHONE]: messages } });

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 0));
}

describe("chat", () => {
  bench(
    "open a 10,000-text thread (fetch from the mock, rows, first window rendered)",
    async () => {
      render(ChatScreen, {
        props: { thread: threads[0]!, onGoToInbox: () => {} },
        context: new Map([[BACKEND_CONTEXT_KEY, backend]]),
      });
      await until(() => screen.queryAllByTestId(TestId.messageRow).length > 0);
      cleanup();
    },
    { iterations: 20, warmupIterations: 3 },
  );
});

describe("inbox", () => {
  bench("filter 20,000 threads: search + needs reply + unread first", () => {
    applyView(threads, { query: "rivera", filter: "needsReply", unreadFirst: true });
  });

  bench("filter 20,000 threads: number search", () => {
    applyView(threads, { ...defaultInboxView(), query: "555-0142" });
  });

  bench(
    "open the inbox with 20,000 threads and apply a search",
    async () => {
      render(InboxScreen, {
        props: { onOpenThread: () => {}, initialView: { ...defaultInboxView(), query: "chen" } },
        context: new Map([[BACKEND_CONTEXT_KEY, backend]]),
      });
      await until(() => screen.queryAllByTestId(TestId.threadRow).length > 0);
      cleanup();
    },
    { iterations: 20, warmupIterations: 3 },
  );
});
