#!/usr/bin/env node
/**
 * Desktop benchmark: cold start to interactive, and idle memory and CPU of the running app.
 * Runs inside the e2e harness (Xvfb + tauri-driver + WebKitWebDriver), which launches the app
 * for each WebDriver session:
 *
 *   APP_BIN=target/release/clinic-desk E2E_SCRIPT=tests/e2e/desktop-bench.mjs bash tests/e2e/run.sh
 *
 * Cold start: from asking for a session (the driver starts the app process) until the inbox
 * shows its conversations and the search box takes input. Includes the driver's own start-up,
 * so it is an upper bound. Demo mode: the in-process simulator and the sample clinic are created
 * fresh at every start.
 *
 * Idle: after the last start, the app sits on the inbox for IDLE_SECONDS. Memory is the PSS
 * (proportional set size: shared pages split between processes, so the sum is not inflated) of
 * the app and its WebKit processes; CPU is their user+system time over the idle window, as a
 * percentage of one core.
 *
 * Environment: BENCH_STARTS (default 5), IDLE_SECONDS (default 60). Prints one line per
 * measurement and the medians.
 */
import { readdir, readFile } from "node:fs/promises";
import { remote } from "webdriverio";

const TestId = JSON.parse(
  await readFile(new URL("../../ui/src/lib/testids.json", import.meta.url), "utf8"),
);
const sel = (name) => `[data-testid="${TestId[name]}"]`;

const STARTS = Number(process.env.BENCH_STARTS || 5);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS || 60);
const TIMEOUT = 60_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function options() {
  return {
    hostname: process.env.TAURI_DRIVER_HOST || "127.0.0.1",
    port: Number(process.env.TAURI_DRIVER_PORT || 4444),
    logLevel: "warn",
    capabilities: { "tauri:options": { application: process.env.APP_BIN } },
  };
}

/** The app's process and the WebKit processes it spawned (its descendants). */
async function appProcesses() {
  const parents = new Map();
  const names = new Map();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(entry, stat.slice(stat.indexOf("(") + 1, close));
      parents.set(entry, stat.slice(close + 2).split(" ")[1]);
    } catch {
      // The process ended while we looked.
    }
  }
  const binName = process.env.APP_BIN.split("/").pop().slice(0, 15);
  const roots = [...names].filter(([, name]) => name === binName).map(([pid]) => pid);
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].map((pid) => ({ pid, name: names.get(pid) }));
}

async function pssKiB(pid) {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
}

async function cpuTicks(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function startOnce() {
  const started = performance.now();
  const browser = await remote(options());
  await browser.$(sel("screenInbox")).waitForDisplayed({ timeout: TIMEOUT });
  await browser.waitUntil(async () => (await browser.$$(sel("threadRow"))).length > 0, {
    timeout: TIMEOUT,
    interval: 20,
    timeoutMsg: "the inbox never showed a conversation",
  });
  await browser.$(sel("inboxSearch")).waitForEnabled({ timeout: TIMEOUT, interval: 20 });
  return { browser, ms: performance.now() - started };
}

const starts = [];
let browser;
for (let i = 0; i < STARTS; i += 1) {
  if (browser) await browser.deleteSession().catch(() => {});
  const run = await startOnce();
  browser = run.browser;
  starts.push(run.ms);
  console.log(`cold start ${i + 1}: ${run.ms.toFixed(0)} ms to an interactive inbox`);
}

// Let the back-fill and first sync cycles finish before the idle window opens.
await browser.pause(10_000);
const processes = await appProcesses();
const before = new Map();
for (const { pid } of processes) before.set(pid, await cpuTicks(pid).catch(() => 0));
const windowStart = performance.now();
await browser.pause(IDLE_SECONDS * 1000);
const seconds = (performance.now() - windowStart) / 1000;
let ticks = 0;
let pss = 0;
for (const { pid, name } of processes) {
  const used = (await cpuTicks(pid).catch(() => before.get(pid))) - before.get(pid);
  const memory = await pssKiB(pid).catch(() => 0);
  ticks += used;
  pss += memory;
  console.log(`  ${name} (${pid}): PSS ${(memory / 1024).toFixed(1)} MiB, CPU ${((used / CLOCK_TICKS / seconds) * 100).toFixed(2)} %`);
}
await browser.deleteSession().catch(() => {});

console.log(`cold start to interactive: median ${median(starts).toFixed(0)} ms over ${starts.length} starts (min ${Math.min(...starts).toFixed(0)}, max ${Math.max(...starts).toFixed(0)})`);
console.log(`idle on the inbox for ${seconds.toFixed(0)} s: PSS ${(pss / 1024).toFixed(1)} MiB in ${processes.length} processes, CPU ${((ticks / CLOCK_TICKS / seconds) * 100).toFixed(2)} % of one core`);
