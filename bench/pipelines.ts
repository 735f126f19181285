/**
 * Benchmark 7 — pipelines. Many `pulumi up` processes at once on one platform account: ten
 * stacks (a monorepo's services deploying together), each taking its own backups on its own
 * servers, started together against one emulator rate-limited to 10 requests/s (burst 20) for
 * their shared token. Beside it, the same backups in one stack, and the ten processes with the
 * client's rate-limit pacing off. The ideal is what the rate limit needs for the creates alone,
 * plus the longest single backup, plus the engine's own time for ten concurrent empty updates.
 */
import * as path from "node:path";
import type { RunningEmulator } from "../emulator";
import {
  type PulumiStack,
  type TimedUp,
  disposeStack,
  engineVersion,
  requireSuccess,
  timedUp,
} from "./engine-stacks";
import {
  FLEET_RATE_LIMIT,
  FLEET_REQUEST_GOAL_RATIO,
  FLEET_WALL_TIME_GOAL_RATIO,
  type EngineBenchmarkOptions,
  type FleetEmulatorOptions,
  createFleetStack,
  distinctErrorLines,
  parallelArguments,
  startFleetEmulator,
} from "./fleet";
import { type BenchmarkResult, type Cell, round } from "./report";

/** A preload that turns the client's rate-limit pacing off in the provider process. */
const NO_PACING_PRELOAD = path.join(__dirname, "no-rate-limit-pacing.cjs");

/** How the backups are laid out: `processes` stacks, each owning `serversPerStack` servers. */
interface PipelinesShape {
  processes: number;
  serversPerStack: number;
  perServer: number;
  log: (line: string) => void;
}

/** What one `pulumi up` process of a variant did. */
interface ProcessRun {
  wallSeconds: number;
  exitCode: number | null;
  failedResources: number;
}

/** What one variant (all its processes, started at once) did. */
interface PipelinesRun {
  variant: string;
  processes: number;
  parallel: number;
  /** From the first process's start to the last one's exit. */
  wallSeconds: number;
  perProcess: ProcessRun[];
  failedResources: number;
  /** Manual backups on the emulator beyond one per declared resource. */
  duplicates: number;
  /** Manual backups on the emulator that no stack's state records. */
  orphans: number;
  requests: number;
  creates: number;
  statusRequests: number;
  rateLimited: number;
  longestBackupSeconds: number;
  errors: string[];
}

interface PipelinesVariant {
  name: string;
  /** How many stacks (and concurrent `pulumi up` processes) share the servers. */
  processes: number;
  env: Record<string, string>;
}

/** `processes` stacks on one emulator; stack i owns servers i·k … i·k + k − 1 of the account. */
async function pipelineStacks(
  shape: PipelinesShape,
  processes: number,
  emulatorOptions: FleetEmulatorOptions,
): Promise<{ emulator: RunningEmulator; stacks: PulumiStack[] }> {
  const servers = shape.processes * shape.serversPerStack;
  const { emulator, token, serverIds } = await startFleetEmulator(servers, emulatorOptions);
  const perStack = servers / processes;
  const created = await Promise.allSettled(
    Array.from({ length: processes }, (_, index) =>
      createFleetStack(
        emulator,
        token,
        serverIds.slice(index * perStack, (index + 1) * perStack),
        shape.perServer,
      ),
    ),
  );
  const stacks = created.flatMap((outcome) =>
    outcome.status === "fulfilled" ? [outcome.value] : [],
  );
  const failure = created.find((outcome) => outcome.status === "rejected");
  if (failure) {
    await Promise.all(stacks.map((stack) => disposeStack(stack)));
    await emulator.stop();
    throw (failure as PromiseRejectedResult).reason;
  }
  return { emulator, stacks };
}

async function disposeAll(emulator: RunningEmulator, stacks: PulumiStack[]): Promise<void> {
  await Promise.all(stacks.map((stack) => disposeStack(stack)));
  await emulator.stop();
}

/** Starts every stack's `pulumi up` at once; returns each one's run and the overall wall time. */
async function upAll(
  stacks: PulumiStack[],
  parallel: number,
  env: Record<string, string> = {},
): Promise<{ seconds: number; ups: TimedUp[] }> {
  const startedAt = performance.now();
  const ups = await Promise.all(
    stacks.map((stack) => timedUp(stack, parallelArguments(parallel), env)),
  );
  return { seconds: (performance.now() - startedAt) / 1000, ups };
}

/**
 * The engine's own time for `shape.processes` concurrent empty updates of the pipelines'
 * stacks: created on an emulator without rate limit whose backups complete at once, then
 * updated again, all at once, with nothing to change.
 */
async function measureEmptyUpdates(
  shape: PipelinesShape,
): Promise<{ seconds: number; requests: number }> {
  const { emulator, stacks } = await pipelineStacks(shape, shape.processes, {
    rateLimited: false,
    timeScale: 0,
  });
  const parallel = shape.serversPerStack * shape.perServer;
  try {
    shape.log(
      `pipelines (reference): ${shape.processes} concurrent pulumi up of instant backups, then ${shape.processes} concurrent empty updates`,
    );
    const first = await upAll(stacks, parallel);
    first.ups.forEach((up, index) =>
      requireSuccess(`the reference stack ${index}'s first update`, up.result),
    );
    emulator.requests.clear();
    const empty = await upAll(stacks, parallel);
    empty.ups.forEach((up, index) =>
      requireSuccess(`the reference stack ${index}'s empty update`, up.result),
    );
    return { seconds: empty.seconds, requests: emulator.requests.count() };
  } finally {
    await disposeAll(emulator, stacks);
  }
}

async function runVariant(shape: PipelinesShape, variant: PipelinesVariant): Promise<PipelinesRun> {
  const total = shape.processes * shape.serversPerStack * shape.perServer;
  const perStack = total / variant.processes;
  const { emulator, stacks } = await pipelineStacks(shape, variant.processes, {
    rateLimited: true,
    timeScale: 1,
  });
  try {
    emulator.requests.clear();
    shape.log(
      `pipelines (${variant.name}): ${variant.processes} pulumi up of ${perStack} ServerBackups each, at once`,
    );
    const all = await upAll(stacks, perStack, variant.env);
    const states = await Promise.all(stacks.map((stack) => stack.resourcesOfType("ServerBackup")));
    const perProcess = all.ups.map((up, index) => ({
      wallSeconds: round(up.seconds, 1),
      exitCode: up.result.code,
      failedResources:
        perStack -
        (states[index] ?? []).filter((resource) => resource.outputs?.status === "completed").length,
    }));
    const snapshot = emulator.state.snapshot();
    const manual = snapshot.backups.filter((backup) => backup.backupType === "manual");
    // A resource is its server and description: the stacks own distinct servers.
    const perResource = new Map<string, number>();
    for (const backup of manual) {
      const key = `${backup.serverId}\n${backup.description ?? ""}`;
      perResource.set(key, (perResource.get(key) ?? 0) + 1);
    }
    const recorded = new Set(states.flat().map((resource) => Number(resource.id)));
    const run: PipelinesRun = {
      variant: variant.name,
      processes: variant.processes,
      parallel: perStack,
      wallSeconds: all.seconds,
      perProcess,
      failedResources: perProcess.reduce((sum, process) => sum + process.failedResources, 0),
      duplicates: [...perResource.values()].reduce((sum, count) => sum + count - 1, 0),
      orphans: manual.filter((backup) => !recorded.has(backup.id)).length,
      requests: emulator.requests.count(),
      creates: emulator.requests.count({ method: "POST", status: 201 }),
      statusRequests: emulator.requests.count({ method: "GET", status: 200 }),
      rateLimited: emulator.requests.count({ status: 429 }),
      longestBackupSeconds:
        Math.max(...snapshot.servers.map((server) => emulator.state.backupDurationMs(server))) /
        1000,
      errors: distinctErrorLines(all.ups.map((up) => up.result.output).join("\n")),
    };
    const exits = perProcess.map((process) => process.exitCode);
    shape.log(
      `pipelines (${variant.name}): ${round(run.wallSeconds, 1)} s, exit codes ${exits.join(",")}, ${run.failedResources} failed, ${run.requests} requests, ${run.rateLimited} 429s${run.errors.length > 0 ? `: ${run.errors.join(" | ")}` : ""}`,
    );
    return run;
  } finally {
    await disposeAll(emulator, stacks);
  }
}

/** Runs benchmark 7. */
export async function runPipelines(options: EngineBenchmarkOptions): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const shape: PipelinesShape = options.quick
    ? { processes: 3, serversPerStack: 2, perServer: 2, log: options.log }
    : { processes: 10, serversPerStack: 2, perServer: 10, log: options.log };
  const servers = shape.processes * shape.serversPerStack;
  const total = servers * shape.perServer;
  const emptyUpdates = await measureEmptyUpdates(shape);
  const shipped = await runVariant(shape, {
    name: `${shape.processes} processes, client as shipped`,
    processes: shape.processes,
    env: {},
  });
  const single = await runVariant(shape, {
    name: "baseline: the same backups in one stack",
    processes: 1,
    env: {},
  });
  const unpaced = await runVariant(shape, {
    name: `baseline: ${shape.processes} processes, rate-limit pacing off`,
    processes: shape.processes,
    env: { NODE_OPTIONS: `--require ${NO_PACING_PRELOAD}` },
  });
  const rateLimitedCreatesSeconds = Math.max(
    0,
    (total - FLEET_RATE_LIMIT.burst) / FLEET_RATE_LIMIT.requestsPerSecond,
  );
  const longestBackupSeconds = shipped.longestBackupSeconds;
  const idealSeconds = rateLimitedCreatesSeconds + longestBackupSeconds + emptyUpdates.seconds;
  const runs = [shipped, single, unpaced];
  const describeExits = (run: PipelinesRun) => {
    const failedProcesses = run.perProcess.filter((process) => process.exitCode !== 0).length;
    return failedProcesses === 0 ? "all 0" : `${failedProcesses} of ${run.processes} non-zero`;
  };
  const rows: Cell[][] = runs.map((run) => [
    run.variant,
    `${run.processes} × ${run.parallel}`,
    round(run.wallSeconds, 1),
    round(idealSeconds, 1),
    `${round(run.wallSeconds / idealSeconds, 2)}×`,
    run.perProcess.length === 1
      ? `${run.perProcess[0]?.wallSeconds}`
      : `${Math.min(...run.perProcess.map((process) => process.wallSeconds))}–${Math.max(...run.perProcess.map((process) => process.wallSeconds))}`,
    describeExits(run),
    run.failedResources,
    `${run.duplicates} / ${run.orphans}`,
    run.requests,
    run.creates,
    run.statusRequests,
    run.rateLimited,
    `${round(run.requests / single.requests, 2)}×`,
  ]);
  rows.push([
    "ideal",
    "–",
    round(idealSeconds, 1),
    round(idealSeconds, 1),
    "1×",
    "–",
    "all 0",
    0,
    "0 / 0",
    total * 2,
    total,
    total,
    0,
    `${round((total * 2) / single.requests, 2)}×`,
  ]);
  const shippedComparable = shipped.failedResources === 0;
  return {
    id: "pipelines",
    title: `7. Pipelines on one account (${shape.processes} concurrent \`pulumi up\`, ${total} ServerBackups on ${servers} servers, one token, ${FLEET_RATE_LIMIT.requestsPerSecond} requests/s, burst ${FLEET_RATE_LIMIT.burst})`,
    command: "npm run bench -- --only pipelines",
    columns: [
      "variant",
      "processes × --parallel",
      "wall, first start to last exit (s)",
      "ideal (s)",
      "÷ ideal",
      "per-process wall (s)",
      "exit codes",
      "failed resources",
      "duplicates / orphans",
      "API requests",
      "creates",
      "status lists (200)",
      "429s",
      "requests ÷ one stack's",
    ],
    rows,
    goals: [
      {
        goal: "zero failed resources",
        measured: `${shipped.failedResources} failed (${describeExits(shipped)})`,
        met:
          shipped.failedResources === 0 &&
          shipped.perProcess.every((process) => process.exitCode === 0),
      },
      {
        goal: "zero duplicate or orphaned backups",
        measured: `${shipped.duplicates} duplicates, ${shipped.orphans} orphans`,
        met: shipped.duplicates === 0 && shipped.orphans === 0,
      },
      {
        goal: `wall time ≤ ${FLEET_WALL_TIME_GOAL_RATIO} × ideal`,
        measured: shippedComparable
          ? `${round(shipped.wallSeconds, 1)} s vs ideal ${round(idealSeconds, 1)} s (${round(shipped.wallSeconds / idealSeconds, 2)}×)`
          : `${round(shipped.wallSeconds, 1)} s vs ideal ${round(idealSeconds, 1)} s, but ${shipped.failedResources} resources failed and processes ended early: not comparable`,
        met: shippedComparable && shipped.wallSeconds <= FLEET_WALL_TIME_GOAL_RATIO * idealSeconds,
      },
      {
        goal: `requests ≤ ${FLEET_REQUEST_GOAL_RATIO} × the one-stack run's`,
        measured: `${shipped.requests} vs ${FLEET_REQUEST_GOAL_RATIO} × ${single.requests} (${round(shipped.requests / single.requests, 2)}×)`,
        met: shipped.requests <= FLEET_REQUEST_GOAL_RATIO * single.requests,
      },
    ],
    notes: [
      `Ideal = ${round(rateLimitedCreatesSeconds, 1)} s for the creates alone under the account's rate limit ((${total} − burst ${FLEET_RATE_LIMIT.burst}) ÷ ${FLEET_RATE_LIMIT.requestsPerSecond}/s) + ${round(longestBackupSeconds, 1)} s for the longest single backup + ${round(emptyUpdates.seconds, 1)} s for ${shape.processes} concurrent empty \`pulumi up\`s of such stacks (the engine's own time, measured on separate stacks whose backups completed at once without rate limit; they made ${emptyUpdates.requests} API requests).`,
      `Stack i owns ${shape.serversPerStack} servers × ${shape.perServer} backups; the ${servers} servers' disks go from 40 to 160 GB, so backups take 4 to 10 s (2 s + 50 ms per GB, time scale 1). Every process runs \`pulumi up --parallel ${total / shape.processes}\` (all its backups in flight); the one-stack baseline runs \`--parallel ${total}\`. All stacks use one token, so they share one rate-limit bucket on the emulator.`,
      '"duplicates" counts manual backups on the emulator beyond one per declared resource (a server and description); "orphans" counts manual backups no stack\'s state records.',
      "The pacing-off baseline preloads `bench/no-rate-limit-pacing.cjs` (via `NODE_OPTIONS`), which calls the runtime's `setSharedClientOptions({ paceRateLimit: false })`: each provider process's rate-limit gate admits every request at once, and 429s are retried after their Retry-After as any client would.",
      ...runs
        .filter((run) => run.failedResources > 0 || run.errors.length > 0)
        .map(
          (run) =>
            `${run.variant}: ${run.failedResources} resources failed; the engine said: ${run.errors.map((line) => `"${line}"`).join("; ")}`,
        ),
      "Every figure is one run; the machine's 2 cores were shared with other jobs, and every process's engine, program and provider process plus the emulator all ran on them.",
    ],
    details: {
      shipped,
      single,
      unpaced,
      emptyUpdates,
      idealSeconds,
      rateLimitedCreatesSeconds,
    },
  };
}
