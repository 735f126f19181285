/**
 * The shape every benchmark returns, and how a result becomes a markdown table. One run writes
 * all results into `bench/results/<mode>.json` and the tables into `bench/results/<mode>.md`,
 * from which BENCHMARKS.md quotes its figures.
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

/** A table cell: text, a number (printed as is), or null (printed as "–"). */
export type Cell = string | number | null;

/** One goal of a benchmark, checked against the run's figures. */
export interface GoalCheck {
  /** The goal as stated, e.g. "overhead ≤ 15 % of the duration". */
  goal: string;
  /** The figure that decides it, in words, e.g. "worst measured: 31 %". */
  measured: string;
  met: boolean;
}

/** What one benchmark reports. */
export interface BenchmarkResult {
  /** Short id, e.g. `wait-efficiency`. */
  id: string;
  title: string;
  /** `npm run bench -- --only <id>` reproduces it; the quick flag is added in quick mode. */
  command: string;
  columns: string[];
  rows: Cell[][];
  goals: GoalCheck[];
  /** Sentences that say what the figures mean (conditions, scaling, why a goal is missed). */
  notes: string[];
  /** Everything else worth keeping (raw samples), for the JSON file. */
  details?: unknown;
  /** Wall time of the benchmark itself, in seconds. */
  elapsedSeconds?: number;
}

/** The machine and versions a run used (figures only compare within one run). */
export interface MachineDescription {
  date: string;
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  platform: string;
  node: string;
  pulumiEngine: string | null;
  pulumiNodejsSdk: string;
  /** The checkout measured: HEAD, and the measured code's files that differ from it. */
  gitCommit?: string | null;
  uncommittedChanges?: string[];
}

// The code under measurement; changes elsewhere (docs, tests, the results themselves) do not
// alter the figures.
const MEASURED_PATHS = [
  "sdk",
  "provider",
  "emulator",
  "bench",
  "index.ts",
  ":(exclude)bench/results",
];

function describeCheckout(): { gitCommit: string | null; uncommittedChanges: string[] } {
  const root = path.join(__dirname, "..");
  try {
    const gitCommit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: root,
      encoding: "utf8",
    }).trim();
    const status = execFileSync(
      "git",
      ["status", "--porcelain", "--untracked-files=no", "--", ...MEASURED_PATHS],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    const uncommittedChanges = status
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.slice(3));
    return { gitCommit, uncommittedChanges };
  } catch {
    return { gitCommit: null, uncommittedChanges: [] };
  }
}

/** Describes this machine; `pulumiEngine` is filled by whoever ran the engine. */
export function describeMachine(pulumiEngine: string | null): MachineDescription {
  const cpus = os.cpus();
  const pulumiPackage = require("@pulumi/pulumi/package.json") as { version: string };
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pulumiEngine,
    pulumiNodejsSdk: pulumiPackage.version,
    ...describeCheckout(),
  };
}

/** Rounds to `digits` decimals (a number, so JSON keeps it numeric). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `0.153` → `"15.3 %"`. */
export function percent(ratio: number, digits = 1): string {
  return `${round(ratio * 100, digits)} %`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) throw new RangeError("median of an empty list");
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function formatCell(cell: Cell): string {
  if (cell === null) return "–";
  return String(cell).replace(/\|/g, "\\|");
}

/** A markdown table. */
export function markdownTable(columns: readonly string[], rows: readonly Cell[][]): string {
  const lines = [
    `| ${columns.map(formatCell).join(" | ")} |`,
    `|${columns.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map(formatCell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** One benchmark as markdown: table, goals (met or missed), notes, command. */
export function renderResult(result: BenchmarkResult, quick: boolean): string {
  const goalRows = result.goals.map((goal) => [
    goal.goal,
    goal.measured,
    goal.met ? "met" : "**missed**",
  ]);
  const command = quick ? `${result.command} --quick` : result.command;
  return [
    `### ${result.title}`,
    "",
    markdownTable(result.columns, result.rows),
    "",
    ...(goalRows.length > 0 ? [markdownTable(["goal", "this run", "verdict"], goalRows), ""] : []),
    ...result.notes.map((note) => `- ${note}`),
    "",
    `Reproduce: \`${command}\``,
    "",
  ].join("\n");
}

/** The machine as one markdown paragraph. */
export function renderMachine(machine: MachineDescription, quick: boolean): string {
  return [
    `Run of ${machine.date} (${quick ? "quick" : "full"} mode) on ${machine.cores} × ${machine.cpuModel}, ` +
      `${machine.totalMemoryGiB} GiB, ${machine.platform}; Node ${machine.node}; ` +
      `Pulumi engine ${machine.pulumiEngine ?? "not used"}, @pulumi/pulumi ${machine.pulumiNodejsSdk}; ` +
      `commit ${machine.gitCommit?.slice(0, 7) ?? "unknown"}` +
      ((machine.uncommittedChanges ?? []).length > 0
        ? ` with uncommitted changes in ${(machine.uncommittedChanges ?? []).join(", ")}.`
        : "."),
  ].join("\n");
}
