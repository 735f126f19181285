/**
 * Benchmark 3 — state footprint. After `pulumi up` of a few backups, `pulumi stack export`:
 * the bytes of `__provider` and of the whole resource, per `ServerBackup`, beside a naive
 * dynamic provider that closes over a local client class (bench/naive-provider.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import {
  type PulumiStack,
  benchToken,
  createStack,
  disposeStack,
  engineVersion,
  requireSuccess,
  seedWithServers,
  timedUp,
} from "./engine-stacks";
import {
  NAIVE_CLIENT_SOURCE,
  NAIVE_PROGRAM_SOURCE,
  PACKAGE_PROGRAM_SOURCE,
} from "./naive-provider";
import { type BenchmarkResult, type Cell, round } from "./report";
import type { StateResource } from "../tools/pulumi-engine/stack";

/** Goal: at most this many bytes of `__provider` per resource. */
export const PROVIDER_FOOTPRINT_GOAL_BYTES = 4 * 1024;
const RESOURCES_PER_STACK = 3;

interface Footprint {
  variant: string;
  resources: number;
  providerBytes: number;
  resourceBytes: number;
  /** How many times the `__provider` text appears in one resource's state (inputs and outputs). */
  providerCopies: number;
  /** The share of the resource taken by the `__provider` copies. */
  providerShare: number;
}

function measure(variant: string, resources: StateResource[]): Footprint {
  if (resources.length === 0)
    throw new Error(`${variant}: no dynamic resource in the exported state`);
  const providerBytes: number[] = [];
  const resourceBytes: number[] = [];
  const copies: number[] = [];
  for (const resource of resources) {
    const provider = (resource.outputs?.__provider ?? resource.inputs?.__provider) as unknown;
    if (typeof provider !== "string")
      throw new Error(`${variant}: resource ${resource.urn} has no __provider`);
    providerBytes.push(Buffer.byteLength(provider));
    resourceBytes.push(Buffer.byteLength(JSON.stringify(resource)));
    copies.push(
      [resource.inputs?.__provider, resource.outputs?.__provider].filter(
        (value) => value === provider,
      ).length,
    );
  }
  const average = (values: number[]) =>
    values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    variant,
    resources: resources.length,
    providerBytes: Math.max(...providerBytes),
    resourceBytes: Math.round(average(resourceBytes)),
    providerCopies: Math.max(...copies),
    providerShare: (Math.max(...providerBytes) * Math.max(...copies)) / average(resourceBytes),
  };
}

async function footprintOf(
  variant: string,
  program: string,
  extraFiles: Record<string, string>,
  log: (line: string) => void,
): Promise<Footprint> {
  const token = benchToken();
  const serverId = 80_000 + Math.floor(Math.random() * 1000);
  // Backups take 60 ms: the figures are about the state, not the wait.
  const emulator = await startEmulator({
    seed: seedWithServers(token, [serverId]),
    timeScale: 0.01,
    autoBackupIntervalMs: 0,
  });
  let stack: PulumiStack | undefined;
  try {
    stack = await createStack({
      program,
      config: {
        "vps:apiUrl": emulator.url,
        serverId: String(serverId),
        count: String(RESOURCES_PER_STACK),
      },
      secretConfig: { "vps:apiToken": token },
    });
    for (const [name, source] of Object.entries(extraFiles))
      fs.writeFileSync(path.join(stack.projectDir, name), source);
    if (Object.keys(extraFiles).length > 0) {
      // The shared tsconfig lists index.ts only; let the program compile its local module too.
      const tsconfigPath = path.join(stack.projectDir, "tsconfig.json");
      const tsconfig = JSON.parse(fs.readFileSync(tsconfigPath, "utf8")) as { files: string[] };
      tsconfig.files.push(...Object.keys(extraFiles));
      fs.writeFileSync(tsconfigPath, JSON.stringify(tsconfig));
    }
    log(`state-footprint: pulumi up of ${RESOURCES_PER_STACK} resources (${variant})`);
    const up = await timedUp(stack);
    requireSuccess(`pulumi up (${variant})`, up.result);
    const exported = await stack.exportState();
    if (exported.text.includes(token))
      throw new Error(`${variant}: the API token appears in clear in the exported state`);
    const dynamic = exported.resources.filter(
      (resource) =>
        resource.type.includes("ServerBackup") ||
        resource.type === "pulumi-nodejs:dynamic:Resource",
    );
    return measure(variant, dynamic);
  } finally {
    await disposeStack(stack);
    await emulator.stop();
  }
}

/** Runs benchmark 3. */
export async function runStateFootprint(options: {
  quick: boolean;
  log: (line: string) => void;
  engineVersion: { value: string | null };
}): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const ours = await footprintOf(
    "ServerBackup (this package)",
    PACKAGE_PROGRAM_SOURCE,
    {},
    options.log,
  );
  const naive = await footprintOf(
    "naive dynamic provider closing over a local client class",
    NAIVE_PROGRAM_SOURCE,
    { "naive-client.ts": NAIVE_CLIENT_SOURCE },
    options.log,
  );
  const rows: Cell[][] = [ours, naive].map((footprint) => [
    footprint.variant,
    footprint.providerBytes,
    footprint.providerCopies,
    footprint.resourceBytes,
    `${round(footprint.providerShare * 100, 0)} %`,
  ]);
  return {
    id: "state-footprint",
    title: "3. State footprint per resource",
    command: "npm run bench -- --only state-footprint",
    columns: [
      "provider",
      "`__provider` (bytes)",
      "copies in the resource",
      "whole resource (bytes, compact JSON)",
      "share taken by `__provider`",
    ],
    rows,
    goals: [
      {
        goal: `\`__provider\` ≤ ${PROVIDER_FOOTPRINT_GOAL_BYTES} bytes per resource`,
        measured: `${ours.providerBytes} bytes (naive: ${naive.providerBytes}, ${round(naive.providerBytes / ours.providerBytes, 1)}× ours)`,
        met: ours.providerBytes <= PROVIDER_FOOTPRINT_GOAL_BYTES,
      },
    ],
    notes: [
      `${RESOURCES_PER_STACK} resources per stack, measured in \`pulumi stack export\` after one \`pulumi up\`; the largest \`__provider\` and the average resource (its JSON without whitespace) are shown. Bytes are UTF-8.`,
      "Pulumi stores `__provider` in both the inputs and the outputs of each resource, so each resource carries it twice; a stack of N backups carries 2N copies.",
      "The package's serialized provider only delegates each method to `require(\"pulumi-vps-backups/provider/runtime\")` at call time; the naive provider's closure carries its client class (≈70 lines of TypeScript, compiled) and everything it references. A larger client (validation, pagination, retries, typed errors) grows the naive figure in proportion; ours stays the same.",
      "Both programs pass the token as secret config; the check that no token appears in clear in the exported state passed for both.",
    ],
    details: { ours, naive },
  };
}
