/**
 * What the engine benchmarks (2, 3 and 5) share: timed `pulumi up` runs of real stacks on a
 * local backend (through `tools/pulumi-engine/stack.ts`), the engine's version, and
 * emulator seeds with many servers.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { SeedDocument } from "../emulator";
import * as engine from "../tools/pulumi-engine/engine.cjs";
import { PulumiStack, type PulumiResult, type StackOptions } from "../tools/pulumi-engine/stack";

export { PulumiStack, type PulumiResult };

/**
 * A preload (`NODE_OPTIONS=--require …`) that turns poll coalescing off in the provider
 * process: the provider has no switch for it, so the baseline of the fleet benchmark sets the
 * shared clients' options through the runtime's `setSharedClientOptions`.
 */
export const NO_COALESCING_PRELOAD = path.join(__dirname, "no-poll-coalescing.cjs");

/** What run.ts passes to a benchmark that drives the engine. */
export interface EngineBenchmarkOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Filled once per run by the first benchmark that needs it. */
  engineVersion: { value: string | null };
}

/** A random API token for a benchmark's emulator account. */
export function benchToken(): string {
  return `bench-${randomBytes(8).toString("hex")}`;
}

/** One account owning `serverIds`, each with `diskGb(index)` GB of disk (backup duration grows with it). */
export function seedWithServers(
  token: string,
  serverIds: readonly number[],
  diskGb: (index: number) => number = () => 80,
): SeedDocument {
  return {
    accounts: [
      {
        id: `bench-${token.slice(-6)}`,
        token,
        servers: serverIds.map((id, index) => ({
          id,
          name: `bench-${id}`,
          disk_gb: diskGb(index),
        })),
      },
    ],
  };
}

/** The `pulumi version` of the engine the benchmarks use (builds or finds it first). */
export async function engineVersion(): Promise<string> {
  const engineDir = engine.ensurePulumi();
  const result = await engine.runPulumi(["version"], {
    cwd: engine.REPO_ROOT,
    env: {
      ...process.env,
      PATH: [engineDir, process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_SKIP_UPDATE_CHECK: "true",
    },
  });
  return result.stdout.trim() || engine.ENGINE_VERSION;
}

/** Creates a stack for a benchmark (throws with the engine's output when it cannot). */
export function createStack(options: StackOptions): Promise<PulumiStack> {
  return PulumiStack.create(options);
}

/** A `pulumi up` and how long it took, in seconds. */
export interface TimedUp {
  seconds: number;
  result: PulumiResult;
}

/** Runs `pulumi up` (no preview) and times the whole command. */
export async function timedUp(
  stack: PulumiStack,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<TimedUp> {
  const startedAt = performance.now();
  const result = await stack.up(extra, { env });
  return { seconds: (performance.now() - startedAt) / 1000, result };
}

/** Throws with the tail of the engine's output when a run failed. */
export function requireSuccess(what: string, run: PulumiResult): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.output.slice(-4000)}`);
}

/** Removes a stack without deleting its resources (the emulator holding them is thrown away). */
export async function disposeStack(stack: PulumiStack | undefined): Promise<void> {
  if (stack) await stack.dispose();
}
