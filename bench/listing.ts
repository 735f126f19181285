/**
 * Benchmark 4 — listing at scale. 10 000 backups on the emulator; `getBackups` (the provider
 * function, called outside a Pulumi run with explicit credentials) and `client.listBackups`
 * beside plain `fetch` + `JSON.parse` of the same pages. Each measurement runs in its own
 * process (see listing-worker.ts); the strategies alternate so drift on the shared machine
 * hits them alike.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../sdk";
import { type SeedDocument, startEmulator } from "../emulator";
import type { ListingMeasurement, ListingStrategy } from "./listing-worker";
import { type BenchmarkResult, type Cell, median, round } from "./report";

/** Backups seeded for the benchmark. */
export const SEEDED_BACKUPS = 10_000;
const SERVERS = 20;
/** Time goal: the listing takes at most this multiple of the raw fetch. */
export const LISTING_TIME_GOAL_RATIO = 1.2;
/** Memory goal: peak heap at most this multiple of the parsed result's size. */
export const LISTING_MEMORY_GOAL_RATIO = 2;

const WORKER = path.join(__dirname, "listing-worker.ts");

function listingSeed(token: string): SeedDocument {
  const perServer = SEEDED_BACKUPS / SERVERS;
  let nextId = 100_000;
  return {
    accounts: [
      {
        id: `bench-listing-${token.slice(-6)}`,
        token,
        servers: Array.from({ length: SERVERS }, (_, serverIndex) => ({
          id: 60_000 + serverIndex,
          name: `bench-listing-${serverIndex}`,
          disk_gb: 80,
          backups: Array.from({ length: perServer }, (_, index) => ({
            id: nextId++,
            backup_type: index % 3 === 0 ? ("manual" as const) : ("automatic" as const),
            status: "completed",
            created_ago: `${index % 28}d${index % 24}h`,
            expires_at: null,
            description: index % 3 === 0 ? `Pre-deploy backup ${index}` : "Automatic daily backup",
          })),
        })),
      },
    ],
  };
}

/** Young-generation semi-space of the memory runs, MiB (see listing-worker.ts). */
const MEMORY_RUN_SEMI_SPACE_MIB = 1;

function runWorker(
  strategy: ListingStrategy,
  pageSize: number,
  url: string,
  token: string,
  flavour: "timing" | "memory",
): Promise<ListingMeasurement> {
  const flags = flavour === "memory" ? [`--max-semi-space-size=${MEMORY_RUN_SEMI_SPACE_MIB}`] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        ...flags,
        "-r",
        "ts-node/register/transpile-only",
        WORKER,
        strategy,
        String(pageSize),
      ],
      {
        cwd: path.join(__dirname, ".."),
        env: {
          ...process.env,
          BENCH_API_URL: url,
          BENCH_API_TOKEN: token,
          TS_NODE_TRANSPILE_ONLY: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`listing worker ${strategy} exited ${code}: ${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as ListingMeasurement);
    });
  });
}

const MIB = 1024 * 1024;

/** Runs benchmark 4. */
export async function runListing(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchmarkResult> {
  const repetitions = options.quick ? 2 : 5;
  const token = `bench-${randomBytes(8).toString("hex")}`;
  const emulator = await startEmulator({ seed: listingSeed(token), autoBackupIntervalMs: 0 });
  const cases: { strategy: ListingStrategy; pageSize: number; label: string }[] = [
    {
      strategy: "get-backups",
      pageSize: DEFAULT_PAGE_SIZE,
      label: `getBackups (page size ${DEFAULT_PAGE_SIZE}, the platform default)`,
    },
    {
      strategy: "raw-fetch",
      pageSize: DEFAULT_PAGE_SIZE,
      label: `fetch + JSON.parse (page size ${DEFAULT_PAGE_SIZE})`,
    },
    {
      strategy: "client-list",
      pageSize: MAX_PAGE_SIZE,
      label: `client.listBackups, pageSize ${MAX_PAGE_SIZE}`,
    },
    {
      strategy: "raw-fetch",
      pageSize: MAX_PAGE_SIZE,
      label: `fetch + JSON.parse (page size ${MAX_PAGE_SIZE})`,
    },
  ];
  const measurements = new Map<string, ListingMeasurement[]>();
  const memoryMeasurements = new Map<string, ListingMeasurement[]>();
  try {
    for (let round_ = 0; round_ < repetitions; round_ += 1) {
      for (const entry of cases) {
        for (const [flavour, into] of [
          ["timing", measurements],
          ["memory", memoryMeasurements],
        ] as const) {
          const measurement = await runWorker(
            entry.strategy,
            entry.pageSize,
            emulator.url,
            token,
            flavour,
          );
          if (measurement.backups !== SEEDED_BACKUPS) {
            throw new Error(
              `${entry.label} returned ${measurement.backups} backups, expected ${SEEDED_BACKUPS}`,
            );
          }
          into.set(entry.label, [...(into.get(entry.label) ?? []), measurement]);
        }
      }
      options.log(`listing: round ${round_ + 1}/${repetitions} done`);
    }
  } finally {
    await emulator.stop();
  }

  const summary = (label: string) => {
    const timing = measurements.get(label) ?? [];
    const memory = memoryMeasurements.get(label) ?? [];
    return {
      elapsedMs: median(timing.map((m) => m.elapsedMs)),
      peakHeapDefaultGcBytes: median(timing.map((m) => m.peakHeapBytes)),
      peakHeapBytes: median(memory.map((m) => m.peakHeapBytes)),
      retainedBytes: median(memory.map((m) => m.retainedBytes)),
    };
  };
  const [getBackupsCase, rawDefaultCase, clientCase, rawMaxCase] = cases as [
    (typeof cases)[0],
    (typeof cases)[0],
    (typeof cases)[0],
    (typeof cases)[0],
  ];
  const rawDefault = summary(rawDefaultCase.label);
  const rawMax = summary(rawMaxCase.label);
  const rows: Cell[][] = cases.map((entry) => {
    const figures = summary(entry.label);
    const raw = entry.pageSize === DEFAULT_PAGE_SIZE ? rawDefault : rawMax;
    return [
      entry.label,
      round(figures.elapsedMs, 0),
      `${round(figures.elapsedMs / raw.elapsedMs, 2)}×`,
      round(figures.retainedBytes / MIB, 2),
      round(figures.peakHeapBytes / MIB, 2),
      `${round(figures.peakHeapBytes / figures.retainedBytes, 2)}×`,
      round(figures.peakHeapDefaultGcBytes / MIB, 1),
    ];
  });
  const ours = summary(getBackupsCase.label);
  const client = summary(clientCase.label);
  const timeRatio = ours.elapsedMs / rawDefault.elapsedMs;
  const memoryRatio = ours.peakHeapBytes / ours.retainedBytes;
  return {
    id: "listing",
    title: "4. Listing at scale (10 000 backups)",
    command: "npm run bench -- --only listing",
    columns: [
      "strategy",
      "time (ms, median)",
      "÷ raw fetch, same page size",
      "parsed result retained (MiB)",
      "peak heap, 1 MiB semi-space (MiB)",
      "peak ÷ result",
      "peak heap, default GC (MiB)",
    ],
    rows,
    goals: [
      {
        goal: `getBackups time ≤ ${LISTING_TIME_GOAL_RATIO} × raw fetch of the same pages`,
        measured: `${round(timeRatio, 2)}× (${round(ours.elapsedMs, 0)} vs ${round(rawDefault.elapsedMs, 0)} ms); client.listBackups at page size ${MAX_PAGE_SIZE}: ${round(client.elapsedMs / rawMax.elapsedMs, 2)}×`,
        met: timeRatio <= LISTING_TIME_GOAL_RATIO,
      },
      {
        goal: `getBackups peak memory ≤ ${LISTING_MEMORY_GOAL_RATIO} × the parsed result`,
        measured: `${round(memoryRatio, 2)}× (${round(ours.peakHeapBytes / MIB, 1)} vs ${round(ours.retainedBytes / MIB, 1)} MiB)`,
        met: memoryRatio <= LISTING_MEMORY_GOAL_RATIO,
      },
    ],
    notes: [
      `${String(SEEDED_BACKUPS).replace(/\B(?=(\d{3})+$)/g, " ")} backups on ${SERVERS} servers of one account, listed without filters. Every figure is the median of ${repetitions} runs, each in a fresh Node process (after one warm-up listing in that process), the strategies alternating.`,
      `Times are medians of the timing runs (Node's default GC). Memory: the highest V8 heap + array-buffer use sampled every millisecond during the listing, above the level after a full GC just before it; "parsed result retained" is what is still held after a full GC with the result alive. The goal is judged on runs with a ${MEMORY_RUN_SEMI_SPACE_MIB} MiB young-generation semi-space (\`--max-semi-space-size=${MEMORY_RUN_SEMI_SPACE_MIB}\`), where garbage is collected every MiB so the peak approaches the live data; with the default GC the peak is mostly uncollected garbage, up to the young generation's size (last column), whatever the strategy.`,
      "The raw fetch keeps the API's snake_case objects as parsed; the client validates every page with zod and maps it to camelCase `Backup`s, and getBackups also sorts the result newest first.",
      "The emulator runs in the benchmark's own process and answers every page (its time is in every figure alike); the machine's 2 cores were shared with other jobs.",
    ],
    details: {
      timing: Object.fromEntries(measurements),
      memory: Object.fromEntries(memoryMeasurements),
    },
  };
}
