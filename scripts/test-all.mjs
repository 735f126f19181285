#!/usr/bin/env node
// `npm test`: everything CI checks, in the order that fails fastest. Runs with the project's
// own Node (npm puts node_modules/.bin first on PATH), provisions the Pulumi engine itself,
// and ends with one plain "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import engine from "./lib/pulumi-engine.cjs";

const root = engine.REPO_ROOT;
const started = Date.now();
const timings = [];

function step(name, command, args, options = {}) {
  const t0 = Date.now();
  process.stdout.write(`\n=== ${name}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  timings.push(`${name} ${seconds} s`);
  if (result.status !== 0) {
    process.stdout.write(`\n${name} failed (exit ${result.status}) after ${seconds} s.\n`);
    return false;
  }
  return true;
}

const node = process.execPath;
const bin = (name) => path.join(root, "node_modules", ".bin", name);
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(
    `npm test needs Node >= 22 (found ${process.version}); run it through npm so node_modules/.bin/node is used.`,
  );
  process.exit(1);
}

let ok =
  step("typecheck", node, [bin("tsc"), "--noEmit", "-p", "tsconfig.json"]) &&
  step("lint", node, [bin("eslint"), "."]) &&
  step("format", node, [bin("prettier"), "--check", "."]) &&
  step("build", node, [bin("tsc"), "-p", "tsconfig.build.json"]);

let engineReady = false;
if (ok) {
  const t0 = Date.now();
  process.stdout.write("\n=== engine: npm run ensure-pulumi\n");
  try {
    const dir = engine.ensurePulumi();
    engineReady = true;
    timings.push(`engine ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    process.stdout.write(`Pulumi engine in ${dir}\n`);
  } catch (error) {
    process.stdout.write(`ensure-pulumi failed: ${error.message}\n`);
    ok = false;
  }
}

const reports = [];
function jest(name, args, nodeBinary = node) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vps-jest-")), "report.json");
  const passed = step(name, nodeBinary, [bin("jest"), ...args, "--json", `--outputFile=${report}`]);
  if (fs.existsSync(report)) reports.push(JSON.parse(fs.readFileSync(report, "utf8")));
  return passed;
}
// Users run Node 22 or 24: the package's own tests also run on the older one. Installed from
// the npm registry's `node` package into a git-ignored folder, once.
const NODE_22_VERSION = "22.23.3";
function ensureNode22() {
  const prefix = path.join(root, ".node22");
  const binary = path.join(prefix, "node_modules", "node", "bin", "node");
  const installed = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (installed.status === 0 && installed.stdout.trim() === `v${NODE_22_VERSION}`) return binary;
  fs.rmSync(prefix, { recursive: true, force: true });
  const npm = spawnSync(
    "npm",
    ["install", "--prefix", prefix, "--no-save", "--no-package-lock", `node@${NODE_22_VERSION}`],
    { cwd: root, stdio: "inherit" },
  );
  return npm.status === 0 ? binary : undefined;
}

if (ok && engineReady) {
  // Unit and integration tests run in parallel workers; the engine tests one at a time, since
  // each drives a real CLI, language host and provider process.
  ok = jest("unit+integration", ["--selectProjects", "unit", "integration"]) && ok;
  ok = jest("e2e", ["--selectProjects", "e2e", "--runInBand"]) && ok;
  const node22 = ensureNode22();
  if (!node22) {
    process.stdout.write(`\nCould not install Node ${NODE_22_VERSION} from the npm registry.\n`);
    ok = false;
  } else {
    ok =
      jest(
        `unit+integration on Node ${NODE_22_VERSION}`,
        ["--selectProjects", "unit", "integration"],
        node22,
      ) && ok;
  }
}

// The benchmarks' quick mode last: it asserts nothing about speed (figures belong in
// BENCHMARKS.md), but a benchmark that no longer runs fails the build instead of rotting.
if (ok) {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-bench-"));
  ok = step("bench (quick)", node, [
    path.join(root, "scripts", "bench.mjs"),
    "--quick",
    "--results-dir",
    resultsDir,
  ]);
}

const passed = reports.reduce((n, r) => n + r.numPassedTests, 0);
const failed = reports.reduce(
  (n, r) => n + r.numFailedTests + (r.numRuntimeErrorTestSuites || 0),
  0,
);
const skipped = reports.reduce((n, r) => n + r.numPendingTests + r.numTodoTests, 0);
process.stdout.write(
  `\nTimings: ${timings.join(", ")}; total ${((Date.now() - started) / 1000).toFixed(0)} s.\n`,
);
if (!ok && failed === 0) {
  process.stdout.write(`${passed} passed, 1 failed\n`);
  process.exit(1);
}
process.stdout.write(
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
);
process.exit(ok && failed === 0 ? 0 : 1);
