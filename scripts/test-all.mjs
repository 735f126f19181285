#!/usr/bin/env node
// `npm test`: everything CI checks, in the order that fails fastest. Runs with the project's
// own Node (npm puts node_modules/.bin first on PATH), provisions the Pulumi engine itself,
// and ends with one plain "N passed, N failed[, N skipped]" line: every jest test counts once,
// and so does every other step that ran (typecheck, lint, format, build, engine, the Node 22
// install, the benchmarks); a jest tier that fails apart from its tests (killed, crashed)
// counts as one more failure. What failed is listed just above that line.
//
// No step can hang the run (scripts/run-step.mjs): each runs under a wall-clock limit far
// above its usual time, a guard against a hang rather than a speed check, and is killed with
// everything it started when the limit passes, or when jest has written its results but
// does not exit within a minute (jest first prints what was left open).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import engine from "../tools/pulumi-engine/engine.cjs";
import { runStep } from "./run-step.mjs";
import { reportTimes, slowestSummary } from "./suite-times.mjs";

const root = engine.REPO_ROOT;
const started = Date.now();
const MINUTE = 60_000;

/** Every step that ran, with its time: "typecheck 9.1 s". */
const timings = [];
/** Every jest tier's files and tests with their times, for the slowest lists at the end. */
const times = { files: [], tests: [] };
/** What failed, one line each (a step, a test, or a jest tier), printed above the closing line. */
const failures = [];
let passed = 0;
let skipped = 0;

const node = process.execPath;
/** e2e files run at once: each is parallel-safe (docs/testing.md, "Writing an e2e test"). */
const E2E_WORKERS = 2;
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const seconds = (ms) => (ms / 1000).toFixed(1);

/** A step that is not jest: counts as one check. */
async function check(name, command, args, options) {
  const t0 = Date.now();
  const { code, reason } = await runStep(name, command, args, { cwd: root, ...options });
  const ms = Date.now() - t0;
  const ok = code === 0 && !reason;
  timings.push(`${name} ${seconds(ms)} s`);
  if (ok) passed += 1;
  else {
    const why = reason ?? `exited ${code}`;
    process.stdout.write(`\n${name} failed (${why}) after ${seconds(ms)} s.\n`);
    failures.push(`${name}: ${why}`);
  }
  return ok;
}

/** Failed tests and suites of a jest JSON report, one line each. */
function failedTests(report, tier) {
  const lines = [];
  for (const suite of report.testResults ?? []) {
    const file = path.relative(root, suite.name);
    const failed = (suite.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failed) lines.push(`${tier}: ${file} › ${test.fullName}`);
    if (failed.length === 0 && suite.status === "failed") {
      // A suite that failed outside its tests (it did not load, or a hook threw).
      const message = stripVTControlCharacters(suite.message || suite.failureMessage || "")
        .split("\n")
        .map((line) => line.replace(/^[\s●]+/, "").trim())
        .find((line) => line.length > 0 && line !== "Test suite failed to run");
      lines.push(
        `${tier}: ${file} failed outside its tests${message ? ` (${message.slice(0, 200)})` : ""}`,
      );
    }
  }
  return lines;
}

/** A jest tier: its tests count one each; the tier itself counts only when it fails apart from them. */
async function jest(name, args, { limitMs, nodeBinary = node }) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vps-jest-")), "report.json");
  const t0 = Date.now();
  const { code, reason } = await runStep(
    name,
    nodeBinary,
    [bin("jest"), ...args, "--json", `--outputFile=${report}`],
    { cwd: root, limitMs, doneFile: report },
  );
  const ms = Date.now() - t0;
  let failedLines = [];
  if (fs.existsSync(report)) {
    const results = JSON.parse(fs.readFileSync(report, "utf8"));
    failedLines = failedTests(results, name);
    const { files, tests } = reportTimes(results, name);
    times.files.push(...files);
    times.tests.push(...tests);
    passed += results.numPassedTests;
    skipped += results.numPendingTests + results.numTodoTests;
    failures.push(...failedLines);
  }
  const ok = code === 0 && !reason && failedLines.length === 0;
  timings.push(`${name} ${seconds(ms)} s`);
  if (reason || (code !== 0 && failedLines.length === 0)) {
    // The tier failed apart from any test (killed, crashed, or no results): one more failure.
    failures.push(`${name}: ${reason ?? `jest exited ${code} without a failing test`}`);
  }
  if (!ok) process.stdout.write(`\n${name} failed after ${seconds(ms)} s.\n`);
  return ok;
}

// Users run Node 22 or 24: the package's own tests also run on the older one. Installed from
// the npm registry's `node` package into a git-ignored folder, once.
const NODE_22_VERSION = "22.23.3";
async function ensureNode22() {
  const prefix = path.join(root, ".node22");
  const binary = path.join(prefix, "node_modules", "node", "bin", "node");
  const installed = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (installed.status === 0 && installed.stdout.trim() === `v${NODE_22_VERSION}`) return binary;
  fs.rmSync(prefix, { recursive: true, force: true });
  const ok = await check(
    `Node ${NODE_22_VERSION} install`,
    "npm",
    ["install", "--prefix", prefix, "--no-save", "--no-package-lock", `node@${NODE_22_VERSION}`],
    { limitMs: 15 * MINUTE },
  );
  return ok ? binary : undefined;
}

if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(
    `npm test needs Node >= 22 (found ${process.version}); run it through npm so node_modules/.bin/node is used.`,
  );
  process.exit(1);
}

const notRun = [];
// The static checks all run (one report of everything wrong); the tests only when they pass.
let ok = true;
ok =
  (await check("typecheck", node, [bin("tsc"), "--noEmit", "-p", "tsconfig.json"], {
    limitMs: 15 * MINUTE,
  })) && ok;
ok = (await check("lint", node, [bin("eslint"), "."], { limitMs: 15 * MINUTE })) && ok;
ok =
  (await check("format", node, [bin("prettier"), "--check", "."], { limitMs: 10 * MINUTE })) && ok;
ok =
  (await check("build", node, [bin("tsc"), "-p", "tsconfig.build.json"], {
    limitMs: 15 * MINUTE,
  })) && ok;
// A cold build of the engine downloads about a gigabyte of Go modules.
if (!ok) notRun.push("engine");
ok =
  ok &&
  (await check("engine", node, [path.join(root, "scripts", "ensure-pulumi.mjs")], {
    limitMs: 60 * MINUTE,
  }));

if (ok) {
  // Unit and integration tests in jest's workers; the engine tests two files at a time (each
  // file drives a real CLI, language host and provider process, and mostly waits on them; the
  // longest starts first: tests/support/long-first-sequencer.cjs).
  ok =
    (await jest("unit+integration", ["--selectProjects", "unit", "integration"], {
      limitMs: 20 * MINUTE,
    })) && ok;
  ok =
    (await jest("e2e", ["--selectProjects", "e2e", `--maxWorkers=${E2E_WORKERS}`], {
      limitMs: 70 * MINUTE,
    })) && ok;
  const node22 = await ensureNode22();
  if (node22) {
    ok =
      (await jest(
        `unit+integration on Node ${NODE_22_VERSION}`,
        ["--selectProjects", "unit", "integration"],
        { limitMs: 20 * MINUTE, nodeBinary: node22 },
      )) && ok;
  } else {
    ok = false;
    notRun.push(`unit+integration on Node ${NODE_22_VERSION}`);
  }
} else {
  notRun.push("unit+integration", "e2e", `unit+integration on Node ${NODE_22_VERSION}`);
}

// The benchmarks' quick mode last: it asserts nothing about speed (figures belong in
// BENCHMARKS.md), but a benchmark that no longer runs fails the build instead of rotting.
if (ok) {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-bench-"));
  await check(
    "bench (quick)",
    node,
    [path.join(root, "scripts", "bench.mjs"), "--quick", "--results-dir", resultsDir],
    { limitMs: 30 * MINUTE },
  );
} else {
  notRun.push("bench (quick)");
}

// Where the time went, on every run: each step, then the slowest test files and tests.
process.stdout.write(
  `\nTimings: ${timings.join(", ")}; ` + `total ${((Date.now() - started) / 1000).toFixed(0)} s.\n`,
);
process.stdout.write(slowestSummary(times));
if (notRun.length > 0)
  process.stdout.write(`Not run, after an earlier failure: ${notRun.join(", ")}.\n`);
if (failures.length > 0) {
  process.stdout.write(`Failed (${failures.length}):\n`);
  for (const line of failures) process.stdout.write(`  ${line}\n`);
}
const failed = failures.length;
process.stdout.write(
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
);
process.exit(failed === 0 && notRun.length === 0 ? 0 : 1);
