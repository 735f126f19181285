// Three tiers kept apart: `unit` needs nothing, `integration` starts the emulator on a free
// loopback port, `e2e` drives the real Pulumi CLI (see tools/pulumi-engine/).
//
// Time budgets guard against hangs and never check speed. Unit tests do no I/O and keep
// jest's 5 s default; integration and e2e tests do real work (servers, processes, the engine)
// and get budgets that fit a loaded 2-core machine, set in tests/support/*-budget.ts.
// The e2e tier runs two files at a time (`--maxWorkers=2` in package.json and
// scripts/test-all.mjs: jest's worker count is global, not per project), so every e2e file
// must be parallel-safe: docs/testing.md, "Writing an e2e test".
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const common = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };

/** @type {import('jest').Config} */
module.exports = {
  // Known-long files first (the e2e tier runs two files at a time: `npm run test:e2e`).
  testSequencer: "<rootDir>/tests/support/long-first-sequencer.cjs",
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/tests/support/integration-budget.ts"],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/tests/support/e2e-budget.ts"],
      // Finds or builds the Pulumi engine once for every e2e file, outside any test's budget.
      globalSetup: "<rootDir>/tests/support/engine-setup.ts",
    },
  ],
};
