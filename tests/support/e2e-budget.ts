import { programTypecheck } from "../../tools/pulumi-engine/stack";

// Budget of every e2e test and hook (per project: jest's own `testTimeout` option is global
// only). Each e2e test runs several `pulumi` commands, each starting a language host and a
// provider process, one after another: 5 minutes on a loaded machine is a guard against a
// hang, never a speed check. Files that do more set their own.
jest.setTimeout(300_000);

// Each distinct TypeScript program is type-checked once per test file, by its first
// successful `up` or `preview`, instead of on every run of the same text (see
// `programTypecheck` in tools/pulumi-engine/stack.ts).
programTypecheck.mode = "once";
