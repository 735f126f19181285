// Order of the test files: the known-long ones first, longest first, then jest's own order
// (failed last time first, then by last time's duration, then by size). The e2e tier runs two
// files at a time and its total is bounded by its longest file, so that file must start at
// once, on a fresh clone too (no jest cache yet), not after the others when one worker is left.
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Files that take far longer than the rest, with their time on a loaded 2-core machine (s):
 * only the order matters. With two workers both start at once. Add a file here when it takes
 * more than a few minutes.
 */
const KNOWN_LONG = {
  // Measured two at a time at load average 13-25 (docs/testing.md, "Suite time").
  "tests/e2e/server-backup.test.ts": 1278,
  "tests/e2e/reliability/interrupted-up.test.ts": 1177,
  // Measured alone at load average 13-23. The Go program's first compile (a cold Go build
  // cache) takes most of its time, so it starts early rather than last.
  "tests/e2e/native/go-program.test.ts": 700,
  "tests/e2e/native/rotation.test.ts": 480,
  "tests/e2e/upgrade/upgrade.test.ts": 255,
  "tests/e2e/native/plugin-tarball.test.ts": 248,
};

const estimate = (test) =>
  KNOWN_LONG[path.relative(REPO_ROOT, test.path).split(path.sep).join("/")];

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const known = tests.filter((test) => estimate(test) !== undefined);
    const rest = tests.filter((test) => estimate(test) === undefined);
    known.sort((a, b) => estimate(b) - estimate(a));
    return [...known, ...super.sort(rest)];
  }
}

module.exports = LongFirstSequencer;
