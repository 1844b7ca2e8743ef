// A scripted Twilio session through a Prism validating proxy (`prism proxy <spec> <sim> --errors`)
// in front of twilio-sim. Every response must pass Prism's validation against Twilio's OpenAPI
// spec: a response with an `sl-violations` header fails the run.
//
// One exception, for deliberately provoked errors only: the spec documents no error responses
// at all (only 200/201), so Prism warns "Unable to match the returned status code" on every 4xx,
// whoever serves it. For those requests that single warning is accepted and the error body is
// checked here against Twilio's error shape instead.
//
// Env: PRISM_URL (the proxy), TWILIO_SIM_BASE_URL (control API, called directly),
// TWILIO_SIM_ACCOUNT_SID, TWILIO_SIM_AUTH_TOKEN, TWILIO_SIM_NUMBER, TWILIO_SIM_MESSAGING_SERVICE
// (optional). Prints `prism-session: N passed, M failed`.

const PRISM = process.env.PRISM_URL.replace(/\/+$/, "");
const SIM = process.env.TWILIO_SIM_BASE_URL.replace(/\/+$/, "");
const SID = process.env.TWILIO_SIM_ACCOUNT_SID;
const TOKEN = process.env.TWILIO_SIM_AUTH_TOKEN;
const NUMBER = process.env.TWILIO_SIM_NUMBER;
const SERVICE = process.env.TWILIO_SIM_MESSAGING_SERVICE;
const ACCOUNT = `/2010-04-01/Accounts/${SID}`;
const PATIENT = "+15557770003";
const UNDOCUMENTED_STATUS = "Unable to match the returned status code";

let requests = 0;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function auth(token = TOKEN) {
  return "Basic " + Buffer.from(`${SID}:${token}`).toString("base64");
}

/// Sends one request through Prism; returns {status, body, violations}.
async function call(method, path, { form, token, expectError } = {}) {
  requests += 1;
  const response = await fetch(PRISM + path, {
    method,
    headers: {
      Authorization: auth(token),
      Accept: "application/json",
      ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await response.text();
  const header = response.headers.get("sl-violations");
  const violations = header ? JSON.parse(header) : [];
  const allowed = (v) => expectError && v.severity === "Warning" && v.message.startsWith(UNDOCUMENTED_STATUS);
  const bad = violations.filter((v) => !allowed(v));
  check(bad.length === 0, `${method} ${path}: contract violations ${JSON.stringify(bad)}`);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, body };
}

async function expectTwilioError(method, path, options, status, code) {
  const { status: got, body } = await call(method, path, { ...options, expectError: true });
  check(got === status, `${method} ${path}: expected HTTP ${status}, got ${got} ${JSON.stringify(body)}`);
  check(
    JSON.stringify(Object.keys(body).sort()) === JSON.stringify(["code", "message", "more_info", "status"]),
    `error body keys ${Object.keys(body)}`,
  );
  check(body.code === code && body.status === status, `error ${JSON.stringify(body)}`);
  check(typeof body.message === "string" && body.message.length > 0, "error message");
  check(body.more_info === `https://www.twilio.com/docs/errors/${code}`, "more_info");
}

async function control(path, payload) {
  const response = await fetch(SIM + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  check(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

const steps = {
  async account() {
    const { status, body } = await call("GET", `${ACCOUNT}.json`);
    check(status === 200 && body.status === "active", `account ${status}`);
  },

  async incomingPhoneNumbers() {
    const { body } = await call("GET", `${ACCOUNT}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(NUMBER)}`);
    check(body.incoming_phone_numbers.length === 1, "number listed");
    const all = await call("GET", `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=1`);
    check(all.status === 200, "numbers page");
  },

  async createFetchAndLifecycle() {
    const created = await call("POST", `${ACCOUNT}/Messages.json`, {
      form: { To: PATIENT, From: NUMBER, Body: "Prism session ✓ — emoji 😊 and a long enough text to check segments" },
    });
    check(created.status === 201 && created.body.status === "queued", `create ${created.status}`);
    const sid = created.body.sid;
    await control("/_sim/clock", { advance_seconds: 1.5 });
    const sending = await call("GET", `${ACCOUNT}/Messages/${sid}.json`);
    check(sending.body.status === "sending", `status ${sending.body.status}`);
    await control("/_sim/clock", { advance_seconds: 10 });
    const delivered = await call("GET", `${ACCOUNT}/Messages/${sid}.json`);
    check(delivered.body.status === "delivered" && delivered.body.price !== null, "delivered with price");

    await control("/_sim/outcomes", { to: "+15557770004", status: "undelivered", error_code: 30003 });
    const doomed = await call("POST", `${ACCOUNT}/Messages.json`, { form: { To: "+15557770004", From: NUMBER, Body: "x" } });
    await control("/_sim/clock", { advance_seconds: 10 });
    const undelivered = await call("GET", `${ACCOUNT}/Messages/${doomed.body.sid}.json`);
    check(undelivered.body.status === "undelivered" && undelivered.body.error_code === 30003, "undelivered");
  },

  async messagingService() {
    if (!SERVICE) return;
    const { status, body } = await call("POST", `${ACCOUNT}/Messages.json`, {
      form: { To: PATIENT, MessagingServiceSid: SERVICE, Body: "via service" },
    });
    check(status === 201 && body.status === "accepted" && body.messaging_service_sid === SERVICE, "service send");
  },

  async inboundAndHelpReply() {
    await control("/_sim/inbound", { from: PATIENT, to: NUMBER, body: "HELP" });
    const { body } = await call("GET", `${ACCOUNT}/Messages.json?To=${encodeURIComponent(PATIENT)}&PageSize=5`);
    check(body.messages.some((m) => m.direction === "outbound-reply"), "HELP reply listed");
  },

  async listEveryPage() {
    let next = `${ACCOUNT}/Messages.json?PageSize=1000`;
    const sids = new Set();
    let pages = 0;
    while (next) {
      const { status, body } = await call("GET", next);
      check(status === 200, `page ${pages}: ${status}`);
      for (const m of body.messages) sids.add(m.sid);
      next = body.next_page_uri;
      pages += 1;
    }
    check(pages >= 5 && sids.size >= 5000, `listed ${sids.size} messages in ${pages} pages`);
    const filtered = await call("GET", `${ACCOUNT}/Messages.json?From=${encodeURIComponent(NUMBER)}&DateSent%3E=2020-01-01T00:00:00Z&PageSize=50`);
    check(filtered.body.messages.every((m) => m.from === NUMBER), "filters");
    const previous = await call("GET", filtered.body.next_page_uri);
    check(previous.body.previous_page_uri !== null, "previous_page_uri on page 1");
    await call("GET", previous.body.previous_page_uri);
  },

  async errorResponses() {
    const create = `${ACCOUNT}/Messages.json`;
    await expectTwilioError("POST", create, { form: { To: "+15005550001", From: NUMBER, Body: "x" } }, 400, 21211);
    await expectTwilioError("POST", create, { form: { To: PATIENT, From: NUMBER, Body: "" } }, 400, 21602);
    await expectTwilioError("POST", create, { form: { To: PATIENT, From: "+15550000000", Body: "x" } }, 400, 21606);
    await expectTwilioError("POST", create, { form: { To: PATIENT, From: NUMBER, Body: "y".repeat(1601) } }, 400, 21617);
    await control("/_sim/inbound", { from: PATIENT, to: NUMBER, body: "STOP" });
    await expectTwilioError("POST", create, { form: { To: PATIENT, From: NUMBER, Body: "x" } }, 400, 21610);
    await control("/_sim/inbound", { from: PATIENT, to: NUMBER, body: "START" });
    await expectTwilioError("GET", `${ACCOUNT}/Messages/SM00000000000000000000000000000000.json`, {}, 404, 20404);
    await expectTwilioError("GET", `${ACCOUNT}/Messages.json`, { token: "wrong" }, 401, 20003);
    await expectTwilioError("GET", `${ACCOUNT}/Messages.json?Page=2`, {}, 400, 20001);
  },
};

let passed = 0;
let failed = 0;
for (const [name, step] of Object.entries(steps)) {
  try {
    await step();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.error(`FAIL ${name}: ${error.message}`);
  }
}
console.log(`prism-session: ${requests} requests validated`);
console.log(`prism-session: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
