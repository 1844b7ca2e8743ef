// Writes a copy of Twilio's OpenAPI spec with one correction, for the Prism proxy.
//
// The spec declares the paging envelope's `uri`, `first_page_uri`, `next_page_uri` and
// `previous_page_uri` as `format: uri` (absolute), yet Twilio returns them relative
// ("/2010-04-01/Accounts/…"), as the spec's own examples show and as the client libraries expect
// (they prepend their base URL). Prism would flag real Twilio for this, so those four envelope
// fields are relaxed to `uri-reference`. Nothing else changes: every other schema, format and
// enum is validated as published.
//
// Usage: node patch_spec.mjs <twilio_api_v2010.json> <output.json>

import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node patch_spec.mjs <twilio_api_v2010.json> <output.json>");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(input, "utf8"));
const envelopeUris = ["uri", "first_page_uri", "next_page_uri", "previous_page_uri"];
let relaxed = 0;
for (const item of Object.values(spec.paths ?? {})) {
  for (const operation of Object.values(item)) {
    for (const response of Object.values(operation?.responses ?? {})) {
      const schema = response?.content?.["application/json"]?.schema;
      if (!schema?.properties || !String(schema.title ?? "").endsWith("Response")) continue;
      for (const key of envelopeUris) {
        if (schema.properties[key]?.format === "uri") {
          schema.properties[key].format = "uri-reference";
          relaxed += 1;
        }
      }
    }
  }
}
writeFileSync(output, JSON.stringify(spec));
console.log(`patch_spec: relaxed ${relaxed} envelope URI fields to uri-reference`);
