/**
 * Benchmark 8 — the native plugin beside the dynamic provider. The same TypeScript program
 * (one `ServerBackup` per backup) over each, against the same emulator, in one run: the state
 * each resource takes, what `pulumi up` of one and of many instant backups adds to the empty
 * program, how long each provider process takes to start, and how Ctrl-C ends a run that is
 * waiting for a backup.
 */
import { startEmulator } from "../emulator";
import { type PulumiStack, benchToken, engineVersion, seedWithServers } from "./engine-stacks";
import * as engine from "../tools/pulumi-engine/engine.cjs";
import { type InterruptFigures, type InterruptTarget, interruptedUp } from "./provider-interrupt";
import {
  PROVIDER_LABELS,
  type ProviderKind,
  compileNodeSdk,
  startupCommands,
  timeStartup,
  timedFreshUp,
} from "./provider-variants";
import { type BenchmarkResult, type Cell, median, round } from "./report";
import type { StateResource } from "../tools/pulumi-engine/stack";

const KINDS: readonly ProviderKind[] = ["native", "dynamic"];

/** Per ServerBackup resource in `pulumi stack export`, averaged over a stack's resources. */
interface StateFigures {
  resources: number;
  resourceBytes: number;
  /** Every copy of `__provider` in the resource (inputs and outputs). */
  providerBytes: number;
  providerCopies: number;
  /** The resource without the fields that say where in the program it was declared. */
  withoutSourceBytes: number;
}

const SOURCE_FIELDS = ["stackTrace", "sourcePosition"];

function stateFigures(kind: ProviderKind, resources: StateResource[]): StateFigures {
  const backups = resources.filter((resource) => resource.type.includes("ServerBackup"));
  if (backups.length === 0) throw new Error(`${kind}: no ServerBackup in the exported state`);
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  const average = (measure: (resource: StateResource) => number) =>
    Math.round(backups.reduce((sum, resource) => sum + measure(resource), 0) / backups.length);
  const providerCopies = (resource: StateResource) =>
    [resource.inputs?.__provider, resource.outputs?.__provider].filter(
      (value): value is string => typeof value === "string",
    );
  return {
    resources: backups.length,
    resourceBytes: average(bytes),
    providerBytes: average((resource) =>
      providerCopies(resource).reduce((sum, copy) => sum + Buffer.byteLength(copy), 0),
    ),
    providerCopies: Math.max(...backups.map((resource) => providerCopies(resource).length)),
    withoutSourceBytes: average((resource) =>
      bytes(
        Object.fromEntries(
          Object.entries(resource).filter(([key]) => !SOURCE_FIELDS.includes(key)),
        ),
      ),
    ),
  };
}

/** One timed `pulumi up` shape: the empty baseline, or `count` backups over one provider. */
interface UpVariant {
  key: string;
  kind: ProviderKind | "empty";
  count: number;
}

/** Runs benchmark 8. */
export async function runNativeVsDynamic(options: {
  quick: boolean;
  log: (line: string) => void;
  engineVersion: { value: string | null };
}): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const repetitions = options.quick ? 1 : 3;
  const startups = options.quick ? 3 : 10;
  const many = options.quick ? 20 : 200;
  const createTimeout = options.quick ? "8s" : "15s";
  const targets: InterruptTarget[] = options.quick ? ["cli"] : ["cli", "session"];
  const variants: UpVariant[] = [
    { key: "empty", kind: "empty", count: 0 },
    ...KINDS.flatMap((kind) => [
      { key: `${kind}-1`, kind, count: 1 },
      { key: `${kind}-many`, kind, count: many },
    ]),
  ];
  const seconds = new Map<string, number[]>(variants.map((variant) => [variant.key, []]));
  const state: Partial<Record<ProviderKind, StateFigures>> = {};
  const token = benchToken();
  // A server per stack, so no run lists the backups of an earlier one.
  const serverIds = Array.from({ length: variants.length * repetitions }, (_, i) => 60_000 + i);
  let serverIndex = 0;
  const sdk = await compileNodeSdk();
  // timeScale 0: every backup is completed by the first poll after its create.
  const emulator = await startEmulator({
    seed: seedWithServers(token, serverIds),
    timeScale: 0,
    autoBackupIntervalMs: 0,
  });
  const interrupts = new Map<string, InterruptFigures>();
  const startupSeconds = new Map<string, number[]>();
  try {
    for (let round_ = 0; round_ < repetitions; round_ += 1) {
      // Variants alternate within a round, so drift on the shared machine hits them alike.
      for (const variant of variants) {
        const config = {
          "vps:apiUrl": emulator.url,
          serverId: String(serverIds[serverIndex++]),
          count: String(variant.count),
        };
        const kind = variant.kind;
        const inspect = async (stack: PulumiStack) => {
          if (kind === "empty" || variant.count !== many || state[kind]) return;
          const exported = await stack.exportState();
          if (exported.text.includes(token))
            throw new Error(`${kind}: the API token appears in clear in the state`);
          state[kind] = stateFigures(kind, exported.resources);
        };
        const secretConfig = { "vps:apiToken": token };
        seconds
          .get(variant.key)
          ?.push(await timedFreshUp(kind, sdk, config, secretConfig, inspect));
      }
      options.log(`native-vs-dynamic: up round ${round_ + 1}/${repetitions} done`);
    }

    const commands = startupCommands(engine.ensurePulumi());
    for (let index = 0; index < startups; index += 1) {
      for (const [key, command] of Object.entries(commands)) {
        const list = startupSeconds.get(key) ?? [];
        list.push(await timeStartup(command));
        startupSeconds.set(key, list);
      }
    }
    options.log("native-vs-dynamic: start-ups done");

    for (const target of targets) {
      for (const kind of KINDS) {
        interrupts.set(`${kind}-${target}`, await interruptedUp(kind, sdk, target, createTimeout));
        options.log(`native-vs-dynamic: Ctrl-C (${target}, ${kind}) done`);
      }
    }
  } finally {
    await emulator.stop();
    sdk.remove();
  }

  return report({
    quick: options.quick,
    repetitions,
    startups,
    many,
    createTimeout,
    targets,
    seconds,
    state: state as Record<ProviderKind, StateFigures>,
    startupSeconds,
    interrupts,
  });
}

interface Measured {
  quick: boolean;
  repetitions: number;
  startups: number;
  many: number;
  createTimeout: string;
  targets: InterruptTarget[];
  seconds: Map<string, number[]>;
  state: Record<ProviderKind, StateFigures>;
  startupSeconds: Map<string, number[]>;
  interrupts: Map<string, InterruptFigures>;
}

const TARGET_LABELS: Record<InterruptTarget, string> = {
  cli: "Ctrl-C: SIGINT to the CLI (a terminal)",
  session: "SIGINT to every process of the run (a CI cancel)",
};

function report(measured: Measured): BenchmarkResult {
  const { seconds, state, startupSeconds, interrupts, many } = measured;
  const runs = (values: readonly number[] | undefined) =>
    (values ?? []).map((value) => round(value, 2)).join(", ");
  const med = (values: readonly number[] | undefined) => round(median(values ?? []), 2);
  const up = (key: string) => med(seconds.get(key));
  const upRow = (label: string, suffix: string): Cell[] => [
    label,
    up(`native-${suffix}`),
    up(`dynamic-${suffix}`),
    `${up("empty")} (empty program)`,
    `native ${runs(seconds.get(`native-${suffix}`))}; dynamic ${runs(seconds.get(`dynamic-${suffix}`))}; empty ${runs(seconds.get("empty"))}`,
  ];
  const added = (suffix: string): Cell[] => [
    `… added to the empty program (s)`,
    round(up(`native-${suffix}`) - up("empty"), 2),
    round(up(`dynamic-${suffix}`) - up("empty"), 2),
    0,
    null,
  ];
  const interruptRows = measured.targets.flatMap((target): Cell[][] => {
    const of = (kind: ProviderKind) => interrupts.get(`${kind}-${target}`) as InterruptFigures;
    const outcome = (kind: ProviderKind) => {
      const figures = of(kind);
      return `exit ${figures.exitCode}; ${figures.recordedIds.length === 1 ? "recorded" : `${figures.recordedIds.length} in state`}; next up: ${figures.nextUpPosts} new POST`;
    };
    return [
      [
        `${TARGET_LABELS[target]} while waiting: to exit (s)`,
        round(of("native").seconds, 2),
        round(of("dynamic").seconds, 2),
        `createTimeout ${measured.createTimeout}`,
        null,
      ],
      [`… outcome`, outcome("native"), outcome("dynamic"), null, null],
    ];
  });
  const rows: Cell[][] = [
    [
      "state per ServerBackup, whole resource (bytes)",
      state.native.resourceBytes,
      state.dynamic.resourceBytes,
      null,
      `average of ${many} resources`,
    ],
    [
      "… of which `__provider` (bytes)",
      state.native.providerBytes,
      state.dynamic.providerBytes,
      null,
      `copies: native ${state.native.providerCopies}, dynamic ${state.dynamic.providerCopies}`,
    ],
    [
      "… resource without stackTrace / sourcePosition (bytes)",
      state.native.withoutSourceBytes,
      state.dynamic.withoutSourceBytes,
      null,
      null,
    ],
    upRow("pulumi up, 1 instant backup (s, median)", "1"),
    added("1"),
    upRow(`pulumi up, ${many} instant backups, --parallel ${many} (s, median)`, "many"),
    added("many"),
    [
      "provider process start to its port line (s, median)",
      med(startupSeconds.get("native")),
      med(startupSeconds.get("dynamic")),
      `${med(startupSeconds.get("node"))} (node -e 0, to exit)`,
      `native ${runs(startupSeconds.get("native"))}; dynamic ${runs(startupSeconds.get("dynamic"))}; node ${runs(startupSeconds.get("node"))}`,
    ],
    ...interruptRows,
  ];
  const recorded = [...interrupts.values()].every(
    (figures) => figures.recordedIds.length === 1 && figures.nextUpPosts === 0,
  );
  return {
    id: "native-vs-dynamic",
    title: "8. Native beside dynamic",
    command: "npm run bench -- --only native-vs-dynamic",
    columns: [
      "measure",
      PROVIDER_LABELS.native,
      PROVIDER_LABELS.dynamic,
      "baseline, same run",
      "every run / detail",
    ],
    rows,
    goals: [
      {
        goal: "native state per ServerBackup smaller than dynamic",
        measured: `${state.native.resourceBytes} bytes against ${state.dynamic.resourceBytes}`,
        met: state.native.resourceBytes < state.dynamic.resourceBytes,
      },
      {
        goal: "after a signal, the backup is in the state and the next up makes no new POST (both)",
        measured: recorded ? "both providers, every signal" : "**not for every case** (see rows)",
        met: recorded,
      },
    ],
    notes: notesOf(measured),
    details: {
      upSeconds: Object.fromEntries(seconds),
      state,
      startupSeconds: Object.fromEntries(startupSeconds),
      interrupts: Object.fromEntries(interrupts),
    },
  };
}

function notesOf(measured: Measured): string[] {
  const { repetitions, startups, many, createTimeout } = measured;
  return [
    `Both providers run the same TypeScript program (one \`ServerBackup\` per backup, count from config): the dynamic one imports \`pulumi-vps-backups\`; the native one imports the generated Node SDK (sdks/nodejs, compiled once per run) and the engine starts \`bin/pulumi-resource-vps\`, found through \`plugins.providers\` in Pulumi.yaml.`,
    `State: \`pulumi stack export\` after the ${many}-backup up, each resource as compact JSON (UTF-8 bytes), averaged. The dynamic provider stores its serialized \`__provider\` in inputs and outputs (twice); the native resource stores none. The last state row leaves out \`stackTrace\`/\`sourcePosition\` (where in the program the resource was declared), which both carry alike. The token check (no API token in clear in the state) passed for both.`,
    `pulumi up: \`pulumi up --skip-preview\` of a fresh stack on a local file backend, timed to exit; median of ${repetitions} run(s), the five programs alternating within each round; emulator at time scale 0 (a backup completes by its first poll). The empty program is the baseline of both; the difference is what each provider adds (loading its module, starting its process, creates, polls, state writes).`,
    `Start-up: each process spawned as the engine starts it (an engine address as argument), timed to the port line on stdout (what the engine waits for); median of ${startups}. The dynamic provider's command is the engine's \`pulumi-resource-pulumi-nodejs\` script, which resolves \`@pulumi/pulumi\` with one \`node -e\` and then starts \`cmd/dynamic-provider\`: two Node starts. Bare \`node -e 0\` (to exit) is the floor of any Node process.`,
    `Ctrl-C: \`pulumi up\` of one backup that stays in progress (the emulator's "stuck" outcome); the SIGINT is sent once the emulator has answered the create POST (its request log, no fixed sleep); time from the signal to the CLI's exit. The program sets createTimeout ${createTimeout} for both. The engine answers Ctrl-C by sending Cancel to its plugins: the native plugin stops its wait at once; the dynamic provider never receives Cancel, so its wait runs to createTimeout (the time shown is what was left of it). A SIGINT to every process of the run (full mode) reaches the dynamic provider process itself, which then stops at once. Either way the backup is recorded; the next up (after the backup is finished in the emulator) makes no new create.`,
    "The machine's 2 cores were shared with other jobs (another benchmark ran at the same time): timings are noisy, differences under a few tenths of a second are within the noise; the state bytes are exact.",
  ];
}
