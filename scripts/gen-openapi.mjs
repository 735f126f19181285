#!/usr/bin/env node
// `npm run gen-openapi`: writes docs/openapi.json, the Backups API as an OpenAPI document
// generated from the zod schemas (sdk/openapi/document.ts). `--check` only compares, and fails
// when the checked-in file differs (the unit test tests/unit/sdk/openapi.test.ts does the same).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
require(path.join(root, "tests/support/register-ts.cjs")); // runs the TypeScript sources as they are
const { renderOpenApiDocument } = require(path.join(root, "sdk/openapi/document.ts"));

const target = path.join(root, "docs/openapi.json");
const generated = renderOpenApiDocument();
if (process.argv.includes("--check")) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
  if (current !== generated) {
    console.error("docs/openapi.json is out of date: run `npm run gen-openapi`.");
    process.exit(1);
  }
  console.log("docs/openapi.json is up to date.");
} else {
  fs.writeFileSync(target, generated);
  console.log(`wrote docs/openapi.json (${generated.length} bytes)`);
}
