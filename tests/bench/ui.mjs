#!/usr/bin/env node
// UI benchmark: time to open a 10,000-text thread and to search and filter 20,000 conversations,
// in jsdom on the mock backend (ui/src/bench/ui.bench.ts). Prints Vitest's table: `mean` is
// milliseconds per run. Usage: node tests/bench/ui.mjs (after `npm ci` in ui/).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ui = fileURLToPath(new URL("../../ui/", import.meta.url));
const result = spawnSync("npx", ["vitest", "bench", "--run"], { cwd: ui, stdio: "inherit" });
if (result.error) {
  console.error(`Could not run Vitest in ${ui}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
