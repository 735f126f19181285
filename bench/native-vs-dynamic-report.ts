/**
 * Benchmark 8's table: the figures of bench/native-vs-dynamic.ts as rows a user can choose a
 * provider from (native and dynamic side by side, each beside its baseline of the same run),
 * with goals and notes.
 */
import type { InterruptFigures, InterruptTarget } from "./provider-interrupt";
import {
  ENGINE_PLUGIN_GRACE_SECONDS,
  PROVIDER_LABELS,
  type ProviderKind,
} from "./provider-variants";
import { type BenchmarkResult, type Cell, median, round } from "./report";

/** Per ServerBackup resource in `pulumi stack export`, averaged over a stack's resources. */
export interface StateFigures {
  resources: number;
  resourceBytes: number;
  /** Every copy of `__provider` in the resource (inputs and outputs). */
  providerBytes: number;
  providerCopies: number;
  /** The resource without the fields that say where in the program it was declared. */
  withoutSourceBytes: number;
}

/** Everything one run of benchmark 8 measured. */
export interface Measured {
  quick: boolean;
  repetitions: number;
  startups: number;
  many: number;
  createTimeout: string;
  targets: InterruptTarget[];
  seconds: Map<string, number[]>;
  state: Record<ProviderKind, StateFigures>;
  startupSeconds: Map<string, number[]>;
  shutdownSeconds: Map<string, number | null>;
  interrupts: Map<string, InterruptFigures>;
}

const TARGET_LABELS: Record<InterruptTarget, string> = {
  cli: "Ctrl-C: SIGINT to the CLI (a terminal)",
  session: "SIGINT to every process of the run (a CI cancel)",
};

/** The result of benchmark 8. */
export function nativeVsDynamicResult(measured: Measured): BenchmarkResult {
  const { seconds, state, startupSeconds, shutdownSeconds, interrupts, many } = measured;
  const shutdown = (key: ProviderKind): Cell => {
    const value = shutdownSeconds.get(key);
    return value === null || value === undefined
      ? `not within ${ENGINE_PLUGIN_GRACE_SECONDS} s (the engine kills it then)`
      : round(value, 2);
  };
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
    [
      "provider process exit after the engine's SIGINT (s)",
      shutdown("native"),
      shutdown("dynamic"),
      `${ENGINE_PLUGIN_GRACE_SECONDS} (the engine's grace before SIGKILL)`,
      "one sample each",
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
      shutdownSeconds: Object.fromEntries(shutdownSeconds),
      interrupts: Object.fromEntries(interrupts),
    },
  };
}

function notesOf(measured: Measured): string[] {
  const { repetitions, startups, many, createTimeout } = measured;
  const nativeStays = measured.shutdownSeconds.get("native") === null;
  return [
    `Both providers run the same TypeScript program (one \`ServerBackup\` per backup, count from config): the dynamic one imports \`pulumi-vps-backups\`; the native one imports the generated Node SDK (sdks/nodejs, compiled once per run) and the engine starts \`bin/pulumi-resource-vps\`, found through \`plugins.providers\` in Pulumi.yaml.`,
    `State: \`pulumi stack export\` after the ${many}-backup up, each resource as compact JSON (UTF-8 bytes), averaged. The dynamic provider stores its serialized \`__provider\` in inputs and outputs (twice); the native resource stores none. The last state row leaves out \`stackTrace\`/\`sourcePosition\` (where in the program the resource was declared), which both carry alike. The token check (no API token in clear in the state) passed for both.`,
    `pulumi up: \`pulumi up --skip-preview\` of a fresh stack on a local file backend, timed to exit; median of ${repetitions} run(s), the five programs alternating within each round; emulator at time scale 0 (a backup completes by its first poll). The empty program is the baseline of both; the difference is what each provider adds (loading its module, starting its process, creates, polls, state writes).`,
    `Start-up: each process spawned as the engine starts it (in its own process group, an engine address as argument), timed to the port line on stdout (what the engine waits for); median of ${startups}. The dynamic provider's command is the engine's \`pulumi-resource-pulumi-nodejs\` script, which resolves \`@pulumi/pulumi\` with one \`node -e\` and then starts \`cmd/dynamic-provider\`: two Node starts. Bare \`node -e 0\` (to exit) is the floor of any Node process.`,
    `Shutdown: when the engine is done with a plugin it sends SIGINT to the plugin's process group and kills it ${ENGINE_PLUGIN_GRACE_SECONDS} s later if it is still running; the row times that SIGINT to the exit. ${nativeStays ? `The native plugin ignores SIGINT (so that a terminal's Ctrl-C, which reaches every process of the run, cannot end it in the middle of an operation), so the engine waits the whole ${ENGINE_PLUGIN_GRACE_SECONDS} s at the end of every run that used it: that wait is most of the native plugin's added seconds in both \`pulumi up\` rows and in its Ctrl-C time.` : "Both providers exit on that SIGINT."}`,
    `Ctrl-C: \`pulumi up\` of one backup that stays in progress (the emulator's "stuck" outcome); the SIGINT is sent once the emulator has answered the create POST (its request log, no fixed sleep); time from the signal to the CLI's exit. The program sets createTimeout ${createTimeout} for both. The engine answers Ctrl-C by sending Cancel to its plugins: the native plugin stops its wait at once (then the engine ends it as above); the dynamic provider never receives Cancel, so its wait runs to createTimeout (the time shown is what was left of it).${measured.targets.includes("session") ? " A SIGINT to every process of the run (a CI runner cancelling a job) reaches the dynamic provider process itself, which then stops its wait at once." : ""} Either way the backup is recorded; the next up (after the backup is finished in the emulator) makes no new create.`,
    "Timings are noisy on a shared machine (other jobs, or another benchmark, on the same cores): single runs differ by seconds (see every run), so only figures from the same run are compared; the state bytes are exact.",
  ];
}
