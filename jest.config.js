// Three tiers kept apart: `unit` needs nothing, `integration` starts the emulator on a free
// loopback port, `e2e` drives the real Pulumi CLI (see tools/pulumi-engine/).
//
// Time budgets: a budget is a guard against a hang, never a speed assertion. Unit tests do
// no I/O and keep jest's 5 s default. Integration tests start HTTP servers and child processes
// and send hundreds of requests; on a shared 2-core machine where jest's own workers keep both
// cores busy, a test that takes 1 s alone can take ten times that, so each gets 60 s (the few
// that do more set their own). Each e2e test runs several `pulumi` commands, each starting a
// language host and a provider process: 5 min each (files that do more set their own).
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const common = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
      testTimeout: 60_000,
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
      testTimeout: 300_000,
      // Finds or builds the Pulumi engine once for every e2e file, outside any test's budget.
      globalSetup: "<rootDir>/tests/support/engine-setup.ts",
    },
  ],
};
