/**
 * Benchmark 8 — the native plugin beside the dynamic provider. The same TypeScript program
 * (one `ServerBackup` per backup) over each, against the same emulator, in one run: the state
 * each resource takes, what `pulumi up` of one and of many instant backups adds to the empty
 * program, how long each provider process takes to start, and how Ctrl-C ends a run that is
 * waiting for a backup.
 */
import { startEmulator } from "../emulator";
import {
  type EngineBenchmarkOptions,
  type PulumiStack,
  benchToken,
  engineVersion,
  seedWithServers,
} from "./engine-stacks";
import * as engine from "../tools/pulumi-engine/engine.cjs";
import { type InterruptFigures, type InterruptTarget, interruptedUp } from "./provider-interrupt";
import {
  type ProviderKind,
  compileNodeSdk,
  startupCommands,
  timeStartup,
  timedFreshUp,
} from "./provider-variants";
import { type StateFigures, nativeVsDynamicResult } from "./native-vs-dynamic-report";
import type { BenchmarkResult } from "./report";
import type { StateResource } from "../tools/pulumi-engine/stack";

const KINDS: readonly ProviderKind[] = ["native", "dynamic"];

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
export async function runNativeVsDynamic(
  options: EngineBenchmarkOptions,
): Promise<BenchmarkResult> {
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
  const shutdownSeconds = new Map<string, number | null>();
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
        // One shutdown each is enough: a process either exits on the engine's SIGINT or not.
        const timing = await timeStartup(command, { shutdown: index === 0 });
        startupSeconds.set(key, [...(startupSeconds.get(key) ?? []), timing.startSeconds]);
        if (timing.shutdownSeconds !== undefined) shutdownSeconds.set(key, timing.shutdownSeconds);
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

  return nativeVsDynamicResult({
    quick: options.quick,
    repetitions,
    startups,
    many,
    createTimeout,
    targets,
    seconds,
    state: state as Record<ProviderKind, StateFigures>,
    startupSeconds,
    shutdownSeconds,
    interrupts,
  });
}
