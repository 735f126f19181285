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
function diskGbOf(index: number, servers: number): number {
  return servers === 1 ? 160 : Math.round(40 + (120 * index) / (servers - 1));
}

const FLEET_PROGRAM = `
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
  /** The engine's error lines, when resources failed. */
  errors: string[];
  emptyUpdateSeconds?: number;
  emptyUpdateRequests?: number;
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

async function runVariant(
  options: { servers: number; perServer: number; log: (line: string) => void },
  variant: { name: string; env: Record<string, string>; measureEmptyUpdate: boolean },
): Promise<FleetRun> {
  const token = benchToken();
  const firstServerId = 70_000 + Math.floor(Math.random() * 1000) * 100;
  const serverIds = Array.from({ length: options.servers }, (_, index) => firstServerId + index);
  const emulator = await startEmulator({
    seed: seedWithServers(token, serverIds, (index) => diskGbOf(index, options.servers)),
    autoBackupIntervalMs: 0,
    faults: { rateLimit: { ...FLEET_RATE_LIMIT } },
  });
  let stack: PulumiStack | undefined;
  try {
    stack = await createStack({
      program: FLEET_PROGRAM,
      config: {
        "vps:apiUrl": emulator.url,
        serverIds: JSON.stringify(serverIds),
        backupsPerServer: String(options.perServer),
      },
      secretConfig: { "vps:apiToken": token },
    });
    const total = options.servers * options.perServer;
    // Every resource gets an engine slot: with the default (4 × cores) the engine, not the
    // provider, would decide how many backups run at once.
    const parallel = ["--parallel", String(total)];
    emulator.requests.clear();
    options.log(
      `fleet (${variant.name}): pulumi up of ${total} ServerBackups on ${options.servers} servers`,
    );
    const up = await timedUp(stack, parallel, variant.env);
    const requests = emulator.requests.count();
    const creates = emulator.requests.count({ method: "POST", status: 201 });
    const completedBackups = emulator.state
      .snapshot()
      .backups.filter(
        (backup) => backup.backupType === "manual" && backup.status === "completed",
      ).length;
    const longestBackupSeconds =
      Math.max(
        ...emulator.state
          .snapshot()
          .servers.map((server) => emulator.state.backupDurationMs(server)),
      ) / 1000;
    const resources = await stack.resourcesOfType("ServerBackup");
    const completedResources = resources.filter(
      (resource) => resource.outputs?.status === "completed",
    ).length;
    const run: FleetRun = {
      variant: variant.name,
      wallSeconds: up.seconds,
      exitCode: up.result.code,
      requests,
      creates,
      statusRequests: emulator.requests.count({ method: "GET", status: 200 }),
      rateLimited: emulator.requests.count({ status: 429 }),
      completedBackups,
      failedResources: total - completedResources,
      longestBackupSeconds,
      pollStreamRequests: pollStreamRequests(emulator, serverIds),
      errors: [
        ...new Set(
          up.result.output
            .split("\n")
            .filter((line) => /error/i.test(line))
            .map((line) => line.trim()),
        ),
      ].slice(0, 20),
    };
    if (up.result.code !== 0) {
      options.log(
        `fleet (${variant.name}): pulumi up exited ${up.result.code}; errors:\n${run.errors.join("\n")}`,
      );
    }
    if (variant.measureEmptyUpdate) {
      // Let the rate limit bucket refill, so the empty update is not slowed by the first run.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      emulator.requests.clear();
      const empty = await timedUp(stack, parallel);
      requireSuccess("the empty update", empty.result);
      run.emptyUpdateSeconds = empty.seconds;
      run.emptyUpdateRequests = emulator.requests.count();
    }
    return run;
  } finally {
    await disposeStack(stack);
    await emulator.stop();
  }
}

/** Runs benchmark 2. */
export async function runFleet(options: {
  quick: boolean;
  log: (line: string) => void;
  engineVersion: { value: string | null };
}): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const servers = options.quick ? 4 : 20;
  const perServer = 10;
  const total = servers * perServer;
  const coalesced = await runVariant(
    { servers, perServer, log: options.log },
    { name: "provider as shipped (coalesced polls)", env: {}, measureEmptyUpdate: true },
  );
  const uncoalesced = await runVariant(
    { servers, perServer, log: options.log },
    {
      name: "baseline: poll coalescing off",
      env: { NODE_OPTIONS: `--require ${NO_COALESCING_PRELOAD}` },
      measureEmptyUpdate: false,
    },
  );
  const emptyUpdateSeconds = coalesced.emptyUpdateSeconds ?? 0;
  const rateLimitedCreatesSeconds = Math.max(
    0,
    (total - FLEET_RATE_LIMIT.burst) / FLEET_RATE_LIMIT.requestsPerSecond,
  );
  const idealSeconds =
    rateLimitedCreatesSeconds + coalesced.longestBackupSeconds + emptyUpdateSeconds;
  const requestBudget = (run: FleetRun) => run.creates + run.pollStreamRequests;
  const rows: Cell[][] = [coalesced, uncoalesced].map((run) => [
    run.variant,
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
        measured: `${coalesced.requests} ≤ ${FLEET_REQUEST_GOAL_RATIO} × ${requestBudget(coalesced)}? (${round(coalesced.requests / requestBudget(coalesced), 2)}×)`,
        met: coalesced.requests <= FLEET_REQUEST_GOAL_RATIO * requestBudget(coalesced),
      },
      {
        goal: `wall time ≤ ${FLEET_WALL_TIME_GOAL_RATIO} × ideal`,
        measured: `${round(coalesced.wallSeconds, 1)} s vs ideal ${round(idealSeconds, 1)} s (${round(coalesced.wallSeconds / idealSeconds, 2)}×)`,
        met: coalesced.wallSeconds <= FLEET_WALL_TIME_GOAL_RATIO * idealSeconds,
      },
    ],
    notes: [
      `Ideal = ${round(rateLimitedCreatesSeconds, 1)} s for the creates alone under the rate limit ((${total} − burst ${FLEET_RATE_LIMIT.burst}) ÷ ${FLEET_RATE_LIMIT.requestsPerSecond}/s) + ${round(coalesced.longestBackupSeconds, 1)} s for the longest single backup + ${round(emptyUpdateSeconds, 1)} s for an empty \`pulumi up\` of the same ${total}-resource stack (the engine's own time: program, checks and diffs; it made ${coalesced.emptyUpdateRequests ?? 0} API requests).`,
      `Backups take 2 s + 50 ms per GB on the emulator (time scale 1); the servers' disks go from 40 to 160 GB, so 4 to 10 s. Each server gets ${perServer} backups.`,
      `"one poll stream per server" is the number of polls the sdk's default schedule makes over the span from the server's first create to its last completion (${coalesced.pollStreamRequests} in all for the shipped run); the ideal client spends one request per state change: one create and one status read per backup.`,
      `Runs with \`pulumi up --parallel ${total}\`: the engine's default (8 on this machine) would hold at most 8 backups in flight, and the engine, not the provider, would set the pace.`,
      "The baseline turns coalescing off in the provider process with a preload (`bench/no-poll-coalescing.cjs`, via `NODE_OPTIONS`) that calls the runtime's `setSharedClientOptions({ coalescePolls: false })`: the provider has no setting for it.",
      "Every figure is one run; the machine's 2 cores were shared with other jobs, and the engine, the program, the provider process and the emulator all ran on them.",
    ],
    details: { coalesced, uncoalesced, idealSeconds, rateLimitedCreatesSeconds },
  };
}
