// Twilio's official Node client (twilio 5) against a running twilio-sim.
//
// Starts nothing: run.sh starts the simulator and seeds it. Reads TWILIO_SIM_BASE_URL,
// TWILIO_SIM_ACCOUNT_SID, TWILIO_SIM_AUTH_TOKEN, TWILIO_SIM_NUMBER and TWILIO_SIM_MIN_HISTORY.
// Exits non-zero if any check fails and prints `node-client: N passed, M failed`.

import twilio from "twilio";

const BASE_URL = process.env.TWILIO_SIM_BASE_URL.replace(/\/+$/, "");
const ACCOUNT_SID = process.env.TWILIO_SIM_ACCOUNT_SID;
const AUTH_TOKEN = process.env.TWILIO_SIM_AUTH_TOKEN;
const NUMBER = process.env.TWILIO_SIM_NUMBER;
const MIN_HISTORY = Number(process.env.TWILIO_SIM_MIN_HISTORY ?? "5000");
const PATIENT = "+15557770002";

function makeClient(token) {
  const client = twilio(ACCOUNT_SID, token);
  // Every v2010 resource resolves its URL through this domain's baseUrl.
  client.api.baseUrl = BASE_URL;
  return client;
}

const client = makeClient(AUTH_TOKEN);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function groundTruth() {
  const response = await fetch(`${BASE_URL}/_sim/messages`);
  return (await response.json()).messages;
}

async function expectRestError(promise, status, code) {
  try {
    await promise;
  } catch (error) {
    check(error.status === status && error.code === code, `expected ${status}/${code}, got ${error.status}/${error.code}: ${error.message}`);
    return;
  }
  throw new Error(`expected ${status}/${code}, but the call succeeded`);
}

const tests = {
  async accountAndNumbers() {
    const account = await client.api.v2010.accounts(ACCOUNT_SID).fetch();
    check(account.status === "active" && account.sid === ACCOUNT_SID, `account ${account.status}`);
    const numbers = await client.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
    check(numbers.length === 1 && numbers[0].phoneNumber === NUMBER, "IncomingPhoneNumbers filter");
  },

  async sendAndFetch() {
    const message = await client.messages.create({ to: PATIENT, from: NUMBER, body: "Node client check ✓" });
    check(/^SM[0-9a-f]{32}$/.test(message.sid), `sid ${message.sid}`);
    check(message.status === "queued", `status ${message.status}`);
    check(message.dateCreated instanceof Date && !Number.isNaN(message.dateCreated.getTime()), "dateCreated parsed");
    const fetched = await client.messages(message.sid).fetch();
    check(fetched.sid === message.sid && fetched.body === "Node client check ✓", "fetch");
  },

  async errorsAreRestExceptions() {
    await expectRestError(client.messages.create({ to: "+15005550001", from: NUMBER, body: "x" }), 400, 21211);
    await expectRestError(client.messages.create({ to: PATIENT, from: NUMBER, body: "" }), 400, 21602);
    await expectRestError(client.messages.create({ to: PATIENT, from: "+15550000000", body: "x" }), 400, 21606);
    await expectRestError(client.messages("SM00000000000000000000000000000000").fetch(), 404, 20404);
    await expectRestError(makeClient("wrong-token").messages.create({ to: PATIENT, from: NUMBER, body: "x" }), 401, 20003);
  },

  async filters() {
    const truth = (await groundTruth()).filter((m) => m.date_sent);
    const sample = truth[Math.floor(truth.length / 2)];
    const patient = sample.direction === "inbound" ? sample.from : sample.to;
    const toPatient = await client.messages.list({ to: patient, pageSize: 100 });
    const fromPatient = await client.messages.list({ from: patient, pageSize: 100 });
    check(toPatient.length > 0 && toPatient.every((m) => m.to === patient), "to filter");
    check(fromPatient.every((m) => m.from === patient), "from filter");
    const expected = truth.filter((m) => m.to === patient || m.from === patient).length;
    check(toPatient.length + fromPatient.length === expected, "to + from covers the patient");

    const day = new Date(sample.date_sent);
    const midnight = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
    const dayKey = (d) => d.toISOString().slice(0, 10);
    const onDay = await client.messages.list({ dateSent: midnight, pageSize: 1000 });
    check(onDay.length > 0 && onDay.every((m) => dayKey(m.dateSent) === dayKey(midnight)), "dateSent");
    const after = await client.messages.list({ dateSentAfter: new Date(midnight.getTime() + 13 * 3600e3), pageSize: 1000 });
    check(after.every((m) => dayKey(m.dateSent) >= dayKey(midnight)), "dateSentAfter");
    const before = await client.messages.list({ dateSentBefore: midnight, pageSize: 1000 });
    check(before.every((m) => dayKey(m.dateSent) <= dayKey(midnight)), "dateSentBefore");
    // Texts this run just sent get their dateSent while we list; count only the settled history.
    const settled = (list) => new Set(list.filter((m) => m.to !== PATIENT && m.from !== PATIENT).map((m) => m.sid));
    const history = new Set(truth.filter((m) => m.to !== PATIENT && m.from !== PATIENT).map((m) => m.sid));
    const [b, a, d] = [settled(before), settled(after), settled(onDay)];
    check(new Set([...b, ...a]).size === history.size && [...history].every((s) => b.has(s) || a.has(s)), "before + after = all sent");
    check([...b].filter((s) => a.has(s)).length === d.size, "before & after = on day");
  },

  async eachWholeHistory() {
    const expected = (await groundTruth()).length;
    check(expected >= MIN_HISTORY, `only ${expected} messages seeded`);
    const sids = [];
    let previous = Infinity;
    await new Promise((resolve, reject) => {
      client.messages.each({
        pageSize: 1000,
        callback: (message) => {
          sids.push(message.sid);
          const stamp = (message.dateSent ?? message.dateCreated).getTime();
          if (stamp > previous) reject(new Error("not newest first"));
          previous = stamp;
        },
        done: (error) => (error ? reject(error) : resolve()),
      });
    });
    check(new Set(sids).size === sids.length, `${sids.length - new Set(sids).size} duplicate SIDs`);
    check(sids.length === expected, `streamed ${sids.length} of ${expected}`);
    const limited = await client.messages.list({ limit: 2500, pageSize: 1000 });
    check(limited.length === 2500 && new Set(limited.map((m) => m.sid)).size === 2500, "list with limit");
  },
};

let passed = 0;
let failed = 0;
for (const [name, test] of Object.entries(tests)) {
  try {
    await test();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.error(`FAIL ${name}: ${error.stack ?? error}`);
  }
}
console.log(`node-client: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
