/**
 * `npm run bench [-- --quick] [-- --only <id>[,<id>…]]`: runs the benchmarks in one process,
 * one after the other (they would disturb each other's timings if run at once), then writes
 * `bench/results/<mode>.json`, `bench/results/<mode>.md` (the tables) and the wait plot
 * `bench/results/wait-overhead[-quick].svg`. With `--only`, the other benchmarks' results from
 * the previous run of the same mode are kept in the files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type BenchmarkResult,
  type MachineDescription,
  describeMachine,
  renderMachine,
  renderResult,
} from "./report";
import { renderWaitPlot } from "./plot";
import type { WaitPlotData } from "./wait-efficiency";

/** Every benchmark, in the order they run and appear. */
export const BENCHMARK_IDS = [
  "wait-efficiency",
  "fleet",
  "state-footprint",
  "listing",
  "engine-overhead",
  "emulator-scale",
  "pipelines",
  "native-vs-dynamic",
] as const;
type BenchmarkId = (typeof BENCHMARK_IDS)[number];

interface RunOptions {
  quick: boolean;
  only: BenchmarkId[];
  resultsDir: string;
}

/** What a results file holds. */
export interface ResultsFile {
  mode: "full" | "quick";
  machine: MachineDescription;
  /** Per benchmark, the machine of the run that produced it (they differ after `--only`). */
  results: (BenchmarkResult & { machine: MachineDescription })[];
}

function parseArguments(argv: readonly string[]): RunOptions {
  let quick = false;
  let only: BenchmarkId[] = [...BENCHMARK_IDS];
  let resultsDir = path.join(__dirname, "results");
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === "--quick") quick = true;
    else if (argument === "--only" || argument.startsWith("--only=")) {
      const value = argument.includes("=") ? argument.slice("--only=".length) : argv[++index];
      if (!value) throw new Error("--only needs a benchmark id, e.g. --only wait-efficiency");
      only = value.split(",").map((id) => {
        if (!(BENCHMARK_IDS as readonly string[]).includes(id)) {
          throw new Error(
            `unknown benchmark "${id}"; the benchmarks are ${BENCHMARK_IDS.join(", ")}`,
          );
        }
        return id as BenchmarkId;
      });
    } else if (argument === "--results-dir") {
      const value = argv[++index];
      if (!value) throw new Error("--results-dir needs a folder");
      resultsDir = path.resolve(value);
    } else if (argument === "--help" || argument === "-h") {
      process.stdout.write(
        `npm run bench [-- --quick] [-- --only ${BENCHMARK_IDS.join(",")}] [-- --results-dir <folder>]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument "${argument}" (try --help)`);
    }
  }
  return { quick, only, resultsDir };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

// Each benchmark is loaded when it runs, so the client-only ones work without the engine.
async function runOne(
  id: BenchmarkId,
  quick: boolean,
  engineVersion: { value: string | null },
): Promise<BenchmarkResult> {
  const options = { quick, log };
  switch (id) {
    case "wait-efficiency":
      return (await import("./wait-efficiency")).runWaitEfficiency(options);
    case "listing":
      return (await import("./listing")).runListing(options);
    case "fleet":
      return (await import("./fleet")).runFleet({ ...options, engineVersion });
    case "state-footprint":
      return (await import("./state-footprint")).runStateFootprint({ ...options, engineVersion });
    case "engine-overhead":
      return (await import("./engine-overhead")).runEngineOverhead({ ...options, engineVersion });
    case "emulator-scale":
      return (await import("./emulator-scale")).runEmulatorScale(options);
    case "pipelines":
      return (await import("./pipelines")).runPipelines({ ...options, engineVersion });
    case "native-vs-dynamic":
      return (await import("./native-vs-dynamic")).runNativeVsDynamic({
        ...options,
        engineVersion,
      });
  }
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const mode = options.quick ? "quick" : "full";
  fs.mkdirSync(options.resultsDir, { recursive: true });
  const jsonPath = path.join(options.resultsDir, `${mode}.json`);
  const previous: ResultsFile | undefined = fs.existsSync(jsonPath)
    ? (JSON.parse(fs.readFileSync(jsonPath, "utf8")) as ResultsFile)
    : undefined;
  const engineVersion = { value: null as string | null };
  const fresh: (BenchmarkResult & { machine: MachineDescription })[] = [];
  let failed = false;
  for (const id of BENCHMARK_IDS.filter((candidate) => options.only.includes(candidate))) {
    log(`${id}: starting (${mode} mode)`);
    const startedAt = Date.now();
    try {
      const result = await runOne(id, options.quick, engineVersion);
      result.elapsedSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
      fresh.push({ ...result, machine: describeMachine(engineVersion.value) });
      process.stdout.write(`\n${renderResult(result, options.quick)}\n`);
      log(`${id}: done in ${result.elapsedSeconds} s`);
      if (id === "wait-efficiency") {
        const plot = (result as BenchmarkResult & { plot?: WaitPlotData }).plot;
        if (plot) {
          const svgPath = path.join(
            options.resultsDir,
            options.quick ? "wait-overhead-quick.svg" : "wait-overhead.svg",
          );
          fs.writeFileSync(
            svgPath,
            renderWaitPlot(plot, "Wait overhead against backup duration, by poll schedule"),
          );
          delete (result as { plot?: unknown }).plot;
          log(`wrote ${path.relative(process.cwd(), svgPath)}`);
        }
      }
    } catch (error) {
      failed = true;
      log(
        `${id}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  const kept = (previous?.results ?? []).filter(
    (result) => !fresh.some((candidate) => candidate.id === result.id),
  );
  const results = [...kept, ...fresh].sort(
    (a, b) =>
      BENCHMARK_IDS.indexOf(a.id as BenchmarkId) - BENCHMARK_IDS.indexOf(b.id as BenchmarkId),
  );
  const machine = describeMachine(engineVersion.value ?? previous?.machine.pulumiEngine ?? null);
  const file: ResultsFile = { mode, machine, results };
  // Formatted as Prettier would, so `npm run format:check` passes on the committed results.
  const prettier = await import("prettier");
  fs.writeFileSync(jsonPath, await prettier.format(JSON.stringify(file), { parser: "json" }));
  const markdown = [
    `# Benchmark tables (${mode} mode)`,
    "",
    "Generated by `npm run bench`; BENCHMARKS.md explains them.",
    "",
    ...results.flatMap((result) => [
      renderMachine(result.machine, options.quick),
      "",
      renderResult(result, options.quick),
    ]),
  ].join("\n");
  fs.writeFileSync(path.join(options.resultsDir, `${mode}.md`), markdown);
  log(`wrote ${path.relative(process.cwd(), jsonPath)} and ${mode}.md`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
