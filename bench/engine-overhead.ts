/**
 * Benchmark 5 — engine overhead. `pulumi up` (fresh stack, no preview) of one `ServerBackup`
 * whose backup completes instantly, beside `pulumi up` of an empty program and of a program
 * that only imports the package, with the same engine. The differences are what the provider
 * adds: loading the package, starting the dynamic provider process, one create and one poll.
 */
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
import { type BenchmarkResult, type Cell, median, round } from "./report";

/** A program with no resource: the baseline of what `pulumi up` costs by itself. */
export const EMPTY_PROGRAM = `
export const answer = 42;
`;

const IMPORT_ONLY_PROGRAM = `
import * as vps from "pulumi-vps-backups";
export const answer = typeof vps.ServerBackup === "function" ? 42 : 0;
`;

const ONE_BACKUP_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";
const config = new pulumi.Config();
const backup = new vps.ServerBackup("instant", { serverId: config.requireNumber("serverId") });
export const answer = backup.status.apply((status) => (status === "completed" ? 42 : 0));
`;

interface Variant {
  label: string;
  program: string;
}

const VARIANTS: readonly Variant[] = [
  { label: "empty program", program: EMPTY_PROGRAM },
  { label: "program importing pulumi-vps-backups, no resource", program: IMPORT_ONLY_PROGRAM },
  { label: "one ServerBackup (backup completes instantly)", program: ONE_BACKUP_PROGRAM },
];

/** Runs benchmark 5. */
export async function runEngineOverhead(options: {
  quick: boolean;
  log: (line: string) => void;
  engineVersion: { value: string | null };
}): Promise<BenchmarkResult> {
  options.engineVersion.value ??= await engineVersion();
  const repetitions = options.quick ? 2 : 5;
  const token = benchToken();
  const serverId = 90_000 + Math.floor(Math.random() * 1000);
  // timeScale 0: every backup is completed by the first poll after its create.
  const emulator = await startEmulator({
    seed: seedWithServers(token, [serverId]),
    timeScale: 0,
    autoBackupIntervalMs: 0,
  });
  const seconds = new Map<string, number[]>(VARIANTS.map((variant) => [variant.label, []]));
  try {
    for (let round_ = 0; round_ < repetitions; round_ += 1) {
      // Variants alternate within a round, so drift on the shared machine hits them alike.
      for (const variant of VARIANTS) {
        let stack: PulumiStack | undefined;
        try {
          stack = await createStack({
            program: variant.program,
            config: { "vps:apiUrl": emulator.url, serverId: String(serverId) },
            secretConfig: { "vps:apiToken": token },
          });
          const up = await timedUp(stack);
          requireSuccess(`pulumi up (${variant.label})`, up.result);
          const outputs = await stack.outputs();
          if (outputs.answer !== 42)
            throw new Error(`${variant.label}: unexpected output ${JSON.stringify(outputs)}`);
          seconds.get(variant.label)?.push(up.seconds);
        } finally {
          await disposeStack(stack);
        }
      }
      options.log(`engine-overhead: round ${round_ + 1}/${repetitions} done`);
    }
  } finally {
    await emulator.stop();
  }
  const medianOf = (label: string) => median(seconds.get(label) ?? []);
  const empty = medianOf(VARIANTS[0]!.label);
  const rows: Cell[][] = VARIANTS.map((variant) => [
    variant.label,
    round(medianOf(variant.label), 2),
    (seconds.get(variant.label) ?? []).map((value) => round(value, 2)).join(", "),
    round(medianOf(variant.label) - empty, 2),
  ]);
  const added = medianOf(VARIANTS[2]!.label) - empty;
  const importOnly = medianOf(VARIANTS[1]!.label) - empty;
  return {
    id: "engine-overhead",
    title: "5. Engine overhead of one instant backup",
    command: "npm run bench -- --only engine-overhead",
    columns: [
      "program",
      "pulumi up (s, median)",
      "every run (s)",
      "added to the empty program (s)",
    ],
    rows,
    goals: [],
    notes: [
      `No numeric goal: the figure is the provider's added seconds. This run: ${round(added, 2)} s for one instant backup over the empty program (${round(importOnly, 2)} s for a program that only imports the package).`,
      `Each run is \`pulumi up --skip-preview\` of a fresh stack on a local file backend (TypeScript program, compiled by the engine's ts-node), timed from start to exit; median of ${repetitions} run(s), the three programs alternating.`,
      "The one-backup program's extra time holds: loading the package in the program, the engine starting the dynamic provider process and registering one resource, one create and one status list (the emulator completes the backup at once), and writing the state.",
      "The machine's 2 cores were shared with other jobs; differences under a few tenths of a second are within the noise.",
    ],
    details: Object.fromEntries(seconds),
  };
}
