/**
 * Benchmark 2 — fleet. One `pulumi up` of many `ServerBackup`s (200 on 20 servers; quick: 40 on
 * 4) against an emulator rate-limited to 10 requests/s (burst 20): wall time beside the ideal,
 * API requests, 429s and failures; then the same stack with poll coalescing off as the
 * baseline. The ideal is what the rate limit needs for the creates alone, plus the longest
 * single backup, plus the engine's own time for an empty update of the same stack.
 */
import { type RunningEmulator, startEmulator } from "../emulator";
import { defaultPollSchedule } from "../sdk";
import {
  NO_COALESCING_PRELOAD,
  type PulumiStack,
  benchToken,
  createStack,
  disposeStack,
  engineVersion,
  requireSuccess,
  seedWithServers,
  timedUp,
} from "./engine-stacks";
import { pollTimes } from "./poll-schedules";
import { type BenchmarkResult, type Cell, round } from "./report";

/** The emulator's rate limit during the benchmark. */
export const FLEET_RATE_LIMIT = { requestsPerSecond: 10, burst: 20 } as const;
/** Wall time goal: at most this multiple of the ideal. */
export const FLEET_WALL_TIME_GOAL_RATIO = 1.3;
/** Request goal: at most this multiple of creates + one poll stream per server. */
export const FLEET_REQUEST_GOAL_RATIO = 2;

/** Backups take 2 s + 50 ms per GB (the emulator's default); disks from 40 to 160 GB: 4 to 10 s. */
export function diskGbOf(index: number, servers: number): number {
  return servers === 1 ? 160 : Math.round(40 + (120 * index) / (servers - 1));
}

/** The fleet program: `backupsPerServer` ServerBackups on each of the config's `serverIds`. */
export const FLEET_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverIds = config.requireObject<number[]>("serverIds");
const perServer = config.requireNumber("backupsPerServer");
const backups: vps.ServerBackup[] = [];
for (const serverId of serverIds) {
  for (let index = 0; index < perServer; index += 1) {
    backups.push(new vps.ServerBackup(\`fleet-\${serverId}-\${index}\`, { serverId, description: \`fleet backup \${index}\` }));
  }
}
export const completed = pulumi
  .all(backups.map((backup) => backup.status))
  .apply((statuses) => statuses.filter((status) => status === "completed").length);
`;

/** What one fleet `pulumi up` did. */
interface FleetRun {
  variant: string;
  /** `--parallel` given to the engine; null for the engine's default. */
  parallel: number | null;
  wallSeconds: number;
  exitCode: number | null;
  requests: number;
  creates: number;
  statusRequests: number;
  rateLimited: number;
  completedBackups: number;
  failedResources: number;
  longestBackupSeconds: number;
  /** Polls of one default-schedule stream per server, over the time the server had a backup running. */
  pollStreamRequests: number;
  /** The engine's distinct error lines, when resources failed. */
  errors: string[];
}

/** How one fleet run is set up. */
interface FleetVariant {
  name: string;
  /** Extra environment of the `pulumi up` (the no-coalescing preload). */
  env: Record<string, string>;
  /** `--parallel` for the engine; null keeps the engine's default. */
  parallel: number | null;
}

function pollStreamRequests(emulator: RunningEmulator, serverIds: readonly number[]): number {
  const inventory = emulator.state.snapshot();
  let total = 0;
  for (const serverId of serverIds) {
    const server = inventory.servers.find((candidate) => candidate.id === serverId);
    const backups = inventory.backups.filter(
      (backup) => backup.serverId === serverId && backup.backupType === "manual",
    );
    if (!server || backups.length === 0) continue;
    const duration = emulator.state.backupDurationMs(server);
    const firstCreated = Math.min(...backups.map((backup) => backup.createdAt));
    const lastCompleted = Math.max(...backups.map((backup) => backup.createdAt + duration));
    total += pollTimes(defaultPollSchedule, lastCompleted - firstCreated).length;
  }
  return total;
}

interface FleetShape {
  servers: number;
  perServer: number;
  log: (line: string) => void;
}

/** Emulator settings of a fleet run: the rate limit, and how fast backups complete. */
export interface FleetEmulatorOptions {
  rateLimited: boolean;
  timeScale: number;
}

/**
 * A fresh emulator with one account (one token) owning `servers` servers, disks from 40 to
 * 160 GB, rate-limited to {@link FLEET_RATE_LIMIT} unless told otherwise.
 */
export async function startFleetEmulator(
  servers: number,
  emulatorOptions: FleetEmulatorOptions,
): Promise<{ emulator: RunningEmulator; token: string; serverIds: number[] }> {
  const token = benchToken();
  const firstServerId = 70_000 + Math.floor(Math.random() * 1000) * 100;
  const serverIds = Array.from({ length: servers }, (_, index) => firstServerId + index);
  const emulator = await startEmulator({
    seed: seedWithServers(token, serverIds, (index) => diskGbOf(index, servers)),
    autoBackupIntervalMs: 0,
    timeScale: emulatorOptions.timeScale,
    faults: emulatorOptions.rateLimited ? { rateLimit: { ...FLEET_RATE_LIMIT } } : {},
  });
  return { emulator, token, serverIds };
}

/** A stack of {@link FLEET_PROGRAM} declaring `perServer` backups on each of `serverIds`. */
export function createFleetStack(
  emulator: RunningEmulator,
  token: string,
  serverIds: readonly number[],
  perServer: number,
): Promise<PulumiStack> {
  return createStack({
    program: FLEET_PROGRAM,
    config: {
      "vps:apiUrl": emulator.url,
      serverIds: JSON.stringify(serverIds),
      backupsPerServer: String(perServer),
    },
    secretConfig: { "vps:apiToken": token },
  });
}

/** A fresh emulator (rate-limited unless told otherwise) and a fleet stack pointing at it. */
async function fleetStack(
  shape: FleetShape,
  emulatorOptions: FleetEmulatorOptions,
): Promise<{ emulator: RunningEmulator; stack: PulumiStack | undefined; serverIds: number[] }> {
  const { emulator, token, serverIds } = await startFleetEmulator(shape.servers, emulatorOptions);
  try {
    const stack = await createFleetStack(emulator, token, serverIds, shape.perServer);
    return { emulator, stack, serverIds };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** `--parallel <n>`, or nothing for the engine's default. */
export function parallelArguments(parallel: number | null): string[] {
  return parallel === null ? [] : ["--parallel", String(parallel)];
}

/**
 * The engine's own time for an empty update of the fleet stack: the stack is created on an
 * emulator without rate limit whose backups complete at once, then `pulumi up` runs again with
 * nothing to change. Kept apart from the measured runs so that their failures cannot make the
 * second update non-empty.
 */
async function measureEmptyUpdate(
  shape: FleetShape,
): Promise<{ seconds: number; requests: number }> {
  const total = shape.servers * shape.perServer;
  const { emulator, stack } = await fleetStack(shape, { rateLimited: false, timeScale: 0 });
  try {
    shape.log(`fleet (reference): pulumi up of ${total} instant backups, then an empty update`);
    const first = await timedUp(stack as PulumiStack, parallelArguments(total));
    requireSuccess("the reference stack's first update", first.result);
    emulator.requests.clear();
    const empty = await timedUp(stack as PulumiStack, parallelArguments(total));
    requireSuccess("the empty update", empty.result);
    return { seconds: empty.seconds, requests: emulator.requests.count() };
  } finally {
    await disposeStack(stack);
    await emulator.stop();
  }
}

/** The engine's distinct error lines in `output`, at most ten: one per kind of error. */
export function distinctErrorLines(output: string): string[] {
  return [
    ...new Set(
      output
        .split("\n")
        .filter((line) => /error:/i.test(line))
        // One line per kind of error: the resource names and server ids vary.
        .map((line) =>
          line
            .replace(/^.*?error: /, "error: ")
            .replace(/\d+/g, "N")
            .trim(),
        ),
    ),
  ].slice(0, 10);
}

async function runVariant(shape: FleetShape, variant: FleetVariant): Promise<FleetRun> {
  const total = shape.servers * shape.perServer;
  const { emulator, stack, serverIds } = await fleetStack(shape, {
    rateLimited: true,
    timeScale: 1,
  });
  try {
    emulator.requests.clear();
    shape.log(
      `fleet (${variant.name}): pulumi up of ${total} ServerBackups on ${shape.servers} servers`,
    );
    const up = await timedUp(
      stack as PulumiStack,
      parallelArguments(variant.parallel),
      variant.env,
    );
    const snapshot = emulator.state.snapshot();
    const resources = await (stack as PulumiStack).resourcesOfType("ServerBackup");
    const completedResources = resources.filter(
      (resource) => resource.outputs?.status === "completed",
    ).length;
    const run: FleetRun = {
      variant: variant.name,
      parallel: variant.parallel,
      wallSeconds: up.seconds,
      exitCode: up.result.code,
      requests: emulator.requests.count(),
      creates: emulator.requests.count({ method: "POST", status: 201 }),
      statusRequests: emulator.requests.count({ method: "GET", status: 200 }),
      rateLimited: emulator.requests.count({ status: 429 }),
      completedBackups: snapshot.backups.filter(
        (backup) => backup.backupType === "manual" && backup.status === "completed",
      ).length,
      failedResources: total - completedResources,
      longestBackupSeconds:
        Math.max(...snapshot.servers.map((server) => emulator.state.backupDurationMs(server))) /
        1000,
      pollStreamRequests: pollStreamRequests(emulator, serverIds),
      errors: distinctErrorLines(up.result.output),
    };
    if (up.result.code !== 0) {
      shape.log(
        `fleet (${variant.name}): pulumi up exited ${up.result.code}, ${run.failedResources} resources failed: ${run.errors.join(" | ")}`,
      );
    }
    return run;
  } finally {
    await disposeStack(stack);
    await emulator.stop();
  }
}

/** What run.ts gives a benchmark that drives the engine. */
export interface EngineBenchmarkOptions {
  quick: boolean;
  log: (line: string) => void;
  /** The engine's version, found by the first benchmark that needs it. */
  engineVersion: { value: string | null };
}

/** Runs benchmark 2. */
export async function runFleet(options: EngineBenchmarkOptions): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const servers = options.quick ? 4 : 20;
  const perServer = 10;
  const total = servers * perServer;
  const shape: FleetShape = { servers, perServer, log: options.log };
  const emptyUpdate = await measureEmptyUpdate(shape);
  const coalesced = await runVariant(shape, {
    name: "provider as shipped (coalesced polls)",
    env: {},
    parallel: total,
  });
  const uncoalesced = await runVariant(shape, {
    name: "baseline: poll coalescing off",
    env: { NODE_OPTIONS: `--require ${NO_COALESCING_PRELOAD}` },
    parallel: total,
  });
  const burstParallel = await runVariant(shape, {
    name: `as shipped, --parallel ${FLEET_RATE_LIMIT.burst} (the burst)`,
    env: {},
    parallel: FLEET_RATE_LIMIT.burst,
  });
  const defaultParallel = await runVariant(shape, {
    name: "as shipped, engine's default --parallel",
    env: {},
    parallel: null,
  });
  const emptyUpdateSeconds = emptyUpdate.seconds;
  const rateLimitedCreatesSeconds = Math.max(
    0,
    (total - FLEET_RATE_LIMIT.burst) / FLEET_RATE_LIMIT.requestsPerSecond,
  );
  const idealSeconds =
    rateLimitedCreatesSeconds + coalesced.longestBackupSeconds + emptyUpdateSeconds;
  const requestBudget = (run: FleetRun) => total + run.pollStreamRequests;
  const runs = [coalesced, uncoalesced, burstParallel, defaultParallel];
  const rows: Cell[][] = runs.map((run) => [
    run.variant,
    run.parallel ?? "default (8)",
    round(run.wallSeconds, 1),
    round(idealSeconds, 1),
    `${round(run.wallSeconds / idealSeconds, 2)}×`,
    run.requests,
    run.creates,
    run.statusRequests,
    run.rateLimited,
    `${round(run.requests / requestBudget(run), 2)}× of ${requestBudget(run)}`,
    run.exitCode === 0
      ? run.failedResources
      : `${run.failedResources} (pulumi exited ${run.exitCode})`,
  ]);
  rows.push([
    "ideal",
    "–",
    round(idealSeconds, 1),
    round(idealSeconds, 1),
    "1×",
    total * 2,
    total,
    total,
    0,
    `${round((total * 2) / requestBudget(coalesced), 2)}×`,
    0,
  ]);
  return {
    id: "fleet",
    title: `2. Fleet (${total} ServerBackups on ${servers} servers, ${FLEET_RATE_LIMIT.requestsPerSecond} requests/s, burst ${FLEET_RATE_LIMIT.burst})`,
    command: "npm run bench -- --only fleet",
    columns: [
      "variant",
      "--parallel",
      "pulumi up wall (s)",
      "ideal (s)",
      "÷ ideal",
      "API requests",
      "creates",
      "status lists (200)",
      "429s",
      "requests ÷ (creates + one poll stream per server)",
      "failed resources",
    ],
    rows,
    goals: [
      {
        goal: "zero failed resources",
        measured: `${coalesced.failedResources} failed (exit code ${coalesced.exitCode})`,
        met: coalesced.failedResources === 0 && coalesced.exitCode === 0,
      },
      {
        goal: `total requests ≤ ${FLEET_REQUEST_GOAL_RATIO} × (creates + one poll stream per server)`,
        measured: `${coalesced.requests} vs ${FLEET_REQUEST_GOAL_RATIO} × ${requestBudget(coalesced)} (${round(coalesced.requests / requestBudget(coalesced), 2)}×)`,
        met: coalesced.requests <= FLEET_REQUEST_GOAL_RATIO * requestBudget(coalesced),
      },
      {
        goal: `wall time ≤ ${FLEET_WALL_TIME_GOAL_RATIO} × ideal`,
        measured:
          coalesced.failedResources === 0
            ? `${round(coalesced.wallSeconds, 1)} s vs ideal ${round(idealSeconds, 1)} s (${round(coalesced.wallSeconds / idealSeconds, 2)}×)`
            : `${round(coalesced.wallSeconds, 1)} s vs ideal ${round(idealSeconds, 1)} s, but ${coalesced.failedResources} resources failed and the run ended early: not comparable`,
        met:
          coalesced.failedResources === 0 &&
          coalesced.wallSeconds <= FLEET_WALL_TIME_GOAL_RATIO * idealSeconds,
      },
    ],
    notes: [
      `Ideal = ${round(rateLimitedCreatesSeconds, 1)} s for the creates alone under the rate limit ((${total} − burst ${FLEET_RATE_LIMIT.burst}) ÷ ${FLEET_RATE_LIMIT.requestsPerSecond}/s) + ${round(coalesced.longestBackupSeconds, 1)} s for the longest single backup + ${round(emptyUpdateSeconds, 1)} s for an empty \`pulumi up\` of the same ${total}-resource stack (the engine's own time: program, checks and diffs; measured on a separate stack of the same program whose backups completed at once without rate limit, so the measured runs' failures cannot make it non-empty; it made ${emptyUpdate.requests} API requests).`,
      `Backups take 2 s + 50 ms per GB on the emulator (time scale 1); the servers' disks go from 40 to 160 GB, so 4 to 10 s. Each server gets ${perServer} backups.`,
      `"one poll stream per server" is the number of polls the sdk's default schedule makes over the span from the server's first create to its last completion (${coalesced.pollStreamRequests} in all for the shipped run), beside the ${total} creates the stack asks for; the ideal client spends one request per state change: one create and one status read per backup.`,
      `The first two runs use \`pulumi up --parallel ${total}\`, so the engine holds every backup in flight and the provider, not the engine, sets the pace; the third limits the engine to ${FLEET_RATE_LIMIT.burst} operations at a time (the rate limit's burst), and the last keeps the engine's default (4 × the measured cores, 8 on the 2-core machine measured): at most 8 creates and waits at a time. Both are what a user can do today without changing the provider.`,
      "The baseline turns coalescing off in the provider process with a preload (`bench/no-poll-coalescing.cjs`, via `NODE_OPTIONS`) that calls the runtime's `setSharedClientOptions({ coalescePolls: false })`: the provider has no setting for it.",
      ...runs
        .filter((run) => run.failedResources > 0)
        .map(
          (run) =>
            `${run.variant}: ${run.failedResources} resources failed; the engine said: ${run.errors.map((line) => `"${line}"`).join("; ")}`,
        ),
      "Every figure is one run; the machine's 2 cores were shared with other jobs, and the engine, the program, the provider process and the emulator all ran on them.",
    ],
    details: {
      coalesced,
      uncoalesced,
      burstParallel,
      defaultParallel,
      emptyUpdate,
      idealSeconds,
      rateLimitedCreatesSeconds,
    },
  };
}
