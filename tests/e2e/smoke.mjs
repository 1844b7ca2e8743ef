#!/usr/bin/env node
/**
 * End-to-end smoke test of the Clinic Desk desktop app, driven through tauri-driver with the
 * WebdriverIO `remote()` API (no test runner: one file, plain steps, one summary line).
 *
 * It expects tauri-driver to be listening already (run.sh starts Xvfb and the driver, gives the
 * app throwaway HOME/XDG directories and cleans up). Selectors come only from
 * ui/src/lib/testids.json, the same ids the components and the component tests use.
 *
 * Environment:
 *   APP_BIN            path to the built desktop binary (required)
 *   TAURI_DRIVER_HOST  default 127.0.0.1
 *   TAURI_DRIVER_PORT  default 4444
 *   E2E_BROWSER_URL    optional: instead of the desktop app, open this URL in Chromium through a
 *                      chromedriver on TAURI_DRIVER_PORT (to check the script against
 *                      `vite preview` and the mock backend, e.g. http://127.0.0.1:4173/?mock=empty)
 *
 * Prints `e2e: N passed, M failed` last and exits non-zero if anything failed.
 */
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const TestId = JSON.parse(
  await readFile(new URL("../../ui/src/lib/testids.json", import.meta.url), "utf8"),
);
const SCREENSHOT_DIR = fileURLToPath(new URL("../artifacts/screenshots/", import.meta.url));

/** The navigation items in rail order, with the heading each screen must show. */
const SCREENS = [
  { name: "inbox", heading: "Inbox", nav: "navInbox", screen: "screenInbox" },
  { name: "chat", heading: "Chat", nav: "navChat", screen: "screenChat" },
  { name: "appointments", heading: "Appointments", nav: "navAppointments", screen: "screenAppointments" },
  { name: "settings", heading: "Settings", nav: "navSettings", screen: "screenSettings" },
  { name: "compliance", heading: "Compliance", nav: "navCompliance", screen: "screenCompliance" },
  { name: "dashboard", heading: "Dashboard", nav: "navDashboard", screen: "screenDashboard" },
];

const NEW_PATIENT = { firstName: "Avery", lastName: "Example", phone: "(415) 555-0134" };
const NEW_PATIENT_SHOWN_AS = "(415) 555-0134";
const INVALID_PATIENT = { firstName: "Invalid", lastName: "Number", phone: "12" };
/** ErrorCode names: a message consisting of one of these alone is not "plain words". */
const ERROR_CODES = [
  "InvalidInput", "InvalidNumber", "NotFound", "Conflict", "DatabaseLocked",
  "DatabaseTooNew", "DatabaseCorrupt", "Storage", "Internal",
];

const STARTUP_TIMEOUT = 30_000;
const STEP_TIMEOUT = 10_000;

function sel(name) {
  const id = TestId[name];
  if (!id) throw new Error(`testids.json has no id named "${name}"`);
  return `[data-testid="${id}"]`;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function squash(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

function sessionOptions() {
  const hostname = process.env.TAURI_DRIVER_HOST || "127.0.0.1";
  const port = Number(process.env.TAURI_DRIVER_PORT || 4444);
  const common = { hostname, port, logLevel: "warn", connectionRetryCount: 3, connectionRetryTimeout: 60_000 };
  if (process.env.E2E_BROWSER_URL) {
    return {
      ...common,
      capabilities: {
        browserName: "chrome",
        "goog:chromeOptions": {
          binary: process.env.CHROME_BIN || "/usr/bin/chromium",
          args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"],
        },
      },
    };
  }
  const application = process.env.APP_BIN;
  if (!application) {
    throw new Error("APP_BIN is not set: point it at the built desktop binary (see run.sh)");
  }
  // No browserName: tauri-driver rejects sessions that ask for a browser.
  return { ...common, capabilities: { "tauri:options": { application } } };
}

let passed = 0;
let failed = 0;

async function step(browser, name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (browser) {
      const file = `${SCREENSHOT_DIR}failed-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`;
      await browser.saveScreenshot(file).then(
        () => console.log(`     screenshot: ${file}`),
        () => {},
      );
    }
    return false;
  }
}

async function rowTexts(browser, name) {
  const rows = await browser.$$(sel(name));
  const texts = [];
  for (const row of rows) texts.push(squash(await row.getText()));
  return texts;
}

async function waitUntilLoaded(browser) {
  // Screenshots and assertions should see data, not skeletons.
  for (const loading of ["inboxLoading", "patientsLoading"]) {
    await browser.$(sel(loading)).waitForExist({ timeout: STEP_TIMEOUT, reverse: true });
  }
}

async function openNewPatientForm(browser) {
  const button = browser.$(sel("newPatientButton"));
  await button.waitForClickable({ timeout: STEP_TIMEOUT });
  await button.click();
  await browser.$(sel("newPatientForm")).waitForDisplayed({ timeout: STEP_TIMEOUT });
}

async function fillNewPatient(browser, patient) {
  await browser.$(sel("newPatientFirstName")).setValue(patient.firstName);
  await browser.$(sel("newPatientLastName")).setValue(patient.lastName);
  await browser.$(sel("newPatientPhone")).setValue(patient.phone);
  await browser.$(sel("newPatientSubmit")).click();
}

async function main() {
  await mkdir(SCREENSHOT_DIR, { recursive: true });

  let browser;
  const started = await step(null, "start a session", async () => {
    browser = await remote(sessionOptions());
    if (process.env.E2E_BROWSER_URL) await browser.url(process.env.E2E_BROWSER_URL);
  });
  if (!started) return;

  try {
    const shellUp = await step(browser, "app shell appears", async () => {
      await browser.$(sel("appShell")).waitForDisplayed({ timeout: STARTUP_TIMEOUT });
      await browser.$(sel("navRail")).waitForDisplayed({ timeout: STEP_TIMEOUT });
      await browser.$(sel("screenInbox")).waitForDisplayed({ timeout: STEP_TIMEOUT });
    });
    if (!shellUp) return;

    await step(browser, "status strip shows the app mode and version", async () => {
      await browser.waitUntil(
        async () =>
          (await browser.$(sel("statusMode")).isExisting()) ||
          (await browser.$(sel("statusError")).isExisting()),
        { timeout: STEP_TIMEOUT, timeoutMsg: "the status strip never finished loading" },
      );
      const error = browser.$(sel("statusError"));
      if (await error.isExisting()) throw new Error(`app_status failed: ${squash(await error.getText())}`);
      const mode = await browser.$(sel("statusMode")).getAttribute("data-mode");
      const version = squash(await browser.$(sel("statusVersion")).getText());
      assert(/^Version \S+/.test(version), `expected "Version x.y.z", got "${version}"`);
      const hint = { demo: "demoBanner", unconfigured: "unconfiguredHint" }[mode];
      if (hint) {
        assert(await browser.$(sel(hint)).isDisplayed(), `mode is ${mode} but its banner is not shown`);
      }
      console.log(`     mode=${mode}, ${version}`);
    });

    await step(browser, "demo mode: conversations arrive from the simulator", async () => {
      const mode = await browser.$(sel("statusMode")).getAttribute("data-mode");
      if (mode !== "demo") {
        console.log(`     skipped: mode is ${mode}`);
        return;
      }
      // The engine back-fills the sample clinic from the bundled simulator; the inbox is told
      // by a core event and re-reads, with no click.
      await browser.waitUntil(async () => (await browser.$$(sel("threadRow"))).length > 0, {
        timeout: STARTUP_TIMEOUT,
        timeoutMsg: "no conversation reached the inbox in demo mode",
      });
      const rows = await rowTexts(browser, "threadRow");
      console.log(`     ${rows.length} conversations, first: ${rows[0].slice(0, 60)}`);
    });

    for (const info of SCREENS) {
      await step(browser, `navigate to ${info.heading}`, async () => {
        const nav = browser.$(sel(info.nav));
        await nav.waitForClickable({ timeout: STEP_TIMEOUT });
        await nav.click();
        const section = browser.$(sel(info.screen));
        await section.waitForDisplayed({ timeout: STEP_TIMEOUT });
        const heading = squash(await section.$(sel("screenHeading")).getText());
        assert(heading === info.heading, `expected heading "${info.heading}", got "${heading}"`);
        assert(
          (await nav.getAttribute("aria-current")) === "page",
          `${info.heading} is not marked as the current page in the navigation`,
        );
        if (info.name === "inbox") await waitUntilLoaded(browser);
        // WebKit paints asynchronously: give the frame a moment so the picture matches the DOM.
        await browser.pause(400);
        await browser.saveScreenshot(`${SCREENSHOT_DIR}${info.name}.png`);
      });
    }

    await step(browser, "add a patient with a valid number", async () => {
      await browser.$(sel("navInbox")).click();
      await browser.$(sel("screenInbox")).waitForDisplayed({ timeout: STEP_TIMEOUT });
      await waitUntilLoaded(browser);
      await openNewPatientForm(browser);
      await fillNewPatient(browser, NEW_PATIENT);

      const name = `${NEW_PATIENT.firstName} ${NEW_PATIENT.lastName}`;
      // Stop waiting as soon as the form reports an error: its text explains the failure better
      // than a timeout would (waitUntil swallows errors thrown inside the condition).
      let formError = null;
      await browser.waitUntil(
        async () => {
          const error = browser.$(sel("newPatientError"));
          if (await error.isExisting()) {
            formError = squash(await error.getText());
            return true;
          }
          return (await rowTexts(browser, "patientRow")).some((t) => t.includes(name));
        },
        { timeout: STEP_TIMEOUT, timeoutMsg: `"${name}" never appeared in the patient list` },
      );
      if (formError !== null) throw new Error(`the form reported: ${formError}`);
      const row = (await rowTexts(browser, "patientRow")).find((t) => t.includes(name));
      assert(
        row.includes(NEW_PATIENT_SHOWN_AS),
        `expected the saved number shown as ${NEW_PATIENT_SHOWN_AS}, row reads "${row}"`,
      );
      assert(
        !(await browser.$(sel("newPatientForm")).isExisting()),
        "the form should close after saving",
      );
      await browser.saveScreenshot(`${SCREENSHOT_DIR}patient-added.png`);
    });

    await step(browser, "an invalid number gets a readable error", async () => {
      await openNewPatientForm(browser);
      await fillNewPatient(browser, INVALID_PATIENT);
      const error = browser.$(sel("newPatientError"));
      await error.waitForDisplayed({ timeout: STEP_TIMEOUT });
      const text = squash(await error.getText());
      assert(text.length >= 15 && text.includes(" "), `error is not a readable sentence: "${text}"`);
      assert(
        !ERROR_CODES.some((code) => text === code || text.includes(code)),
        `error shows an internal code instead of words: "${text}"`,
      );
      const name = `${INVALID_PATIENT.firstName} ${INVALID_PATIENT.lastName}`;
      assert(
        !(await rowTexts(browser, "patientRow")).some((t) => t.includes(name)),
        "a patient with an invalid number was added to the list",
      );
      console.log(`     message: ${text}`);
      await browser.saveScreenshot(`${SCREENSHOT_DIR}patient-invalid-number.png`);
      await browser.$(sel("newPatientCancel")).click();
    });
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

try {
  await main();
} catch (error) {
  failed += 1;
  console.log(`FAIL unexpected: ${error instanceof Error ? error.stack : String(error)}`);
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
