#!/usr/bin/env node
// Where a test run's time went, from jest JSON reports (`jest --json --outputFile=…`): the
// slowest test files and the slowest tests. `npm test` prints it at the end of every run
// (scripts/test-all.mjs); by hand: `node scripts/suite-times.mjs report.json [more.json …]`.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files and tests of one jest JSON report, with their times (ms), labelled with `tier`. */
export function reportTimes(report, tier) {
  const files = [];
  const tests = [];
  for (const suite of report.testResults ?? []) {
    const file = path.relative(root, suite.name);
    if (suite.startTime && suite.endTime) {
      files.push({ tier, name: file, ms: suite.endTime - suite.startTime });
    }
    for (const test of suite.assertionResults ?? []) {
      if (typeof test.duration === "number") {
        tests.push({ tier, name: `${file} › ${test.fullName}`, ms: test.duration });
      }
    }
  }
  return { files, tests };
}

/** The `count` slowest rows ({ tier, name, ms }), one indented line each. */
export function slowestLines(rows, count = 10) {
  return [...rows]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((row) => `  ${(row.ms / 1000).toFixed(1).padStart(7)} s  ${row.tier}: ${row.name}`);
}

/** The closing summary: the ten slowest files (they overlap, in workers) and tests. */
export function slowestSummary({ files, tests }) {
  if (files.length === 0) return "";
  return [
    "Slowest test files (a tier runs several at once, so their times overlap):",
    ...slowestLines(files),
    "Slowest tests:",
    ...slowestLines(tests),
    "",
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const all = { files: [], tests: [] };
  for (const file of process.argv.slice(2)) {
    const { files, tests } = reportTimes(
      JSON.parse(fs.readFileSync(file, "utf8")),
      path.basename(file),
    );
    all.files.push(...files);
    all.tests.push(...tests);
  }
  process.stdout.write(slowestSummary(all) || "No test results in those reports.\n");
}
