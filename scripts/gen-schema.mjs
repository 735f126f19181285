#!/usr/bin/env node
// `npm run gen-schema`: writes provider/native/schema.json, the plugin's package schema as
// derived from the zod schemas (provider/native/schema/derive.ts), keys sorted, formatted by
// the repository's prettier. Run it after changing an input, a description or the version; a
// unit test fails while the file is out of date.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
// The TypeScript sources are loaded as they are (compiled in memory), so no build is needed.
require(path.join(root, "tests", "support", "register-ts.cjs"));
const { PACKAGE_SCHEMA } = require(path.join(root, "provider", "native", "schema.ts"));

const target = path.join(root, "provider", "native", "schema.json");
const text = await prettier.format(JSON.stringify(PACKAGE_SCHEMA, null, 2), {
  ...(await prettier.resolveConfig(target)),
  filepath: target,
});
const before = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
fs.writeFileSync(target, text);
console.log(
  `${path.relative(root, target)}: ${before === text ? "unchanged" : "written"} ` +
    `(vps ${PACKAGE_SCHEMA.version}, ${Object.keys(PACKAGE_SCHEMA.resources).length} resources, ` +
    `${Object.keys(PACKAGE_SCHEMA.functions).length} functions)`,
);
