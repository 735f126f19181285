// `npm run gen-sdks`: writes sdks/nodejs, sdks/python and sdks/go from the package schema
// provider/native/schema.json, with the generator in this folder (main.go), which calls Pulumi's
// own code generators at the CLI's version. The generator is built once per change of its
// sources and kept under .pulumi-engine/ (a cached build runs in about a second; `go run` would
// link it again each time). CommonJS so the npm script and the jest drift test share it.
"use strict";

const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SCHEMA = path.join(REPO_ROOT, "provider", "native", "schema.json");
const SDKS_DIR = path.join(REPO_ROOT, "sdks");
const LANGUAGES = ["nodejs", "python", "go"];

/** A digest of the generator's sources: a new one means a new build. */
function sourceDigest() {
  const hash = crypto.createHash("sha256");
  for (const name of ["go.mod", "go.sum", "main.go"]) {
    hash.update(name).update(fs.readFileSync(path.join(__dirname, name)));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Path of the built generator, building it when its sources changed (about a minute, warm). */
function ensureGenerator({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const binary = path.join(
    REPO_ROOT,
    ".pulumi-engine",
    "sdkgen",
    `pulumi-sdkgen-${sourceDigest()}`,
  );
  if (fs.existsSync(binary)) return binary;
  log(`Building the SDK generator (tools/pulumi-sdkgen) into ${path.relative(REPO_ROOT, binary)}.`);
  const staging = `${binary}.partial-${process.pid}`;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const result = spawnSync("go", ["build", "-trimpath", "-o", staging, "."], {
    cwd: __dirname,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
  });
  if (result.error || result.status !== 0) {
    fs.rmSync(staging, { force: true });
    throw new Error(
      `go build of tools/pulumi-sdkgen failed (${result.error ? result.error.message : `exit ${result.status}`}); ` +
        "it needs Go >= 1.26 and github.com/pulumi/pulumi/pkg/v3 from the Go module proxy.",
    );
  }
  fs.renameSync(staging, binary);
  return binary;
}

/** Writes the SDKs of `schema` into `outDir`/{nodejs,python,go}, each replaced whole. */
function generateSdks({ outDir = SDKS_DIR, schema = SCHEMA, log } = {}) {
  const generator = ensureGenerator({ log });
  const result = spawnSync(generator, [schema, outDir], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new Error(
      `pulumi-sdkgen failed (${result.error ? result.error.message : `exit ${result.status}`}):\n${result.stderr}`,
    );
  }
  return LANGUAGES.map((language) => path.join(outDir, language));
}

module.exports = { SCHEMA, SDKS_DIR, LANGUAGES, ensureGenerator, generateSdks };

if (require.main === module) {
  try {
    const written = generateSdks({
      outDir: process.argv[2] ? path.resolve(process.argv[2]) : SDKS_DIR,
    });
    for (const dir of written) process.stdout.write(`${path.relative(process.cwd(), dir)}\n`);
  } catch (error) {
    process.stderr.write(`gen-sdks: ${error.message}\n`);
    process.exit(1);
  }
}
