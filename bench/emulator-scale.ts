/**
 * Benchmark 6 — the emulator at scale. Creates (`POST /backups/` over loopback) on an emulator
 * holding 100, 1 000 and 10 000 backups, with persistence on (a data file) beside persistence
 * off (memory only), all in one run. Latency: creates one after the other, each followed by an
 * untimed delete of what it made, so the store keeps its size. Throughput: a burst of creates
 * from several clients at once, on servers of their own. The conditions alternate round by
 * round so that drift on the shared machine hits them alike.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { type RunningEmulator, type SeedDocument, startEmulator } from "../emulator";
import { type BenchmarkResult, type Cell, round } from "./report";

/** Sizes of the store measured. */
export const STORED_BACKUP_COUNTS = [100, 1_000, 10_000] as const;
/** Goal: p99 create latency at 10 000 stored backups at most this multiple of the p99 at 100. */
export const SCALE_P99_GOAL_RATIO = 2;

const TOKEN = "bench-emulator-scale-token";
const SERVERS = 20;
const FIRST_SERVER_ID = 70_000;
/** Clients of the throughput burst, each on its own server (one running backup per server). */
const BURST_CLIENTS = 8;

function scaleSeed(backups: number): SeedDocument {
  const perServer = Math.ceil(backups / SERVERS);
  let nextId = 1_000_000;
  let left = backups;
  return {
    accounts: [
      {
        id: "bench-emulator-scale",
        token: TOKEN,
        servers: Array.from({ length: SERVERS }, (_, serverIndex) => {
          const count = Math.min(perServer, left);
          left -= count;
          return {
            id: FIRST_SERVER_ID + serverIndex,
            name: `bench-scale-${serverIndex}`,
            disk_gb: 80,
            backups: Array.from({ length: count }, (_, index) => ({
              id: nextId++,
              backup_type: index % 3 === 0 ? ("manual" as const) : ("automatic" as const),
              status: "completed",
              created_ago: `${index % 28}d${index % 24}h`,
              expires_at: null,
              description:
                index % 3 === 0 ? `Pre-deploy backup ${index}` : "Automatic daily backup",
            })),
          };
        }),
      },
    ],
  };
}

async function create(emulator: RunningEmulator, serverId: number): Promise<number> {
  const response = await fetch(`${emulator.url}/backups/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ server_id: serverId, description: "bench" }),
  });
  const body = (await response.json()) as { id?: number };
  if (response.status !== 201 || typeof body.id !== "number") {
    throw new Error(`create answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.id;
}

async function remove(emulator: RunningEmulator, backupId: number): Promise<void> {
  const response = await fetch(`${emulator.url}/backups/${backupId}/`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  if (response.status !== 204) throw new Error(`delete answered ${response.status}`);
}

interface ConditionSamples {
  latenciesMs: number[];
  /** Creates per second of each burst. */
  throughputs: number[];
}

async function measureCondition(
  stored: number,
  persistence: boolean,
  creates: number,
  burst: number,
  into: ConditionSamples,
): Promise<void> {
  const folder = persistence ? mkdtempSync(path.join(tmpdir(), "vps-bench-scale-")) : undefined;
  const emulator = await startEmulator({
    seed: scaleSeed(stored),
    // Backups settle on the next request, so one server takes a create after every other.
    timeScale: 0,
    autoBackupIntervalMs: 0,
    dataFile: folder ? path.join(folder, "state.db") : undefined,
  });
  try {
    for (let index = 0; index < 10; index += 1) {
      await remove(emulator, await create(emulator, FIRST_SERVER_ID));
    }
    for (let index = 0; index < creates; index += 1) {
      const startedAt = performance.now();
      const id = await create(emulator, FIRST_SERVER_ID + (index % SERVERS));
      into.latenciesMs.push(performance.now() - startedAt);
      await remove(emulator, id);
    }
    const perClient = Math.ceil(burst / BURST_CLIENTS);
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: BURST_CLIENTS }, async (_, client) => {
        for (let index = 0; index < perClient; index += 1) {
          await create(emulator, FIRST_SERVER_ID + client);
        }
      }),
    );
    into.throughputs.push((perClient * BURST_CLIENTS) / ((performance.now() - startedAt) / 1000));
  } finally {
    await emulator.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

function label(stored: number, persistence: boolean): string {
  return `${stored} stored, persistence ${persistence ? "on" : "off"}`;
}

/** Runs benchmark 6. */
export async function runEmulatorScale(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchmarkResult> {
  const rounds = options.quick ? 1 : 3;
  const creates = options.quick ? 100 : 200;
  const burst = options.quick ? 80 : 160;
  const loadBefore = loadavg();
  const samples = new Map<string, ConditionSamples>();
  for (let round_ = 0; round_ < rounds; round_ += 1) {
    for (const stored of STORED_BACKUP_COUNTS) {
      for (const persistence of [true, false]) {
        const key = label(stored, persistence);
        const into = samples.get(key) ?? { latenciesMs: [], throughputs: [] };
        samples.set(key, into);
        await measureCondition(stored, persistence, creates, burst, into);
      }
    }
    options.log(`emulator-scale: round ${round_ + 1}/${rounds} done`);
  }
  const loadAfter = loadavg();

  const figures = (stored: number, persistence: boolean) => {
    const { latenciesMs, throughputs } = samples.get(label(stored, persistence)) ?? {
      latenciesMs: [],
      throughputs: [],
    };
    return {
      p50: percentile(latenciesMs, 0.5),
      p99: percentile(latenciesMs, 0.99),
      throughput: throughputs.reduce((sum, value) => sum + value, 0) / throughputs.length,
    };
  };
  const rows: Cell[][] = STORED_BACKUP_COUNTS.flatMap((stored) =>
    [true, false].map((persistence) => {
      const f = figures(stored, persistence);
      return [
        stored,
        persistence ? "on" : "off",
        round(f.p50, 2),
        round(f.p99, 2),
        round(f.throughput, 0),
      ];
    }),
  );
  const smallest = figures(STORED_BACKUP_COUNTS[0], true);
  const largest = figures(STORED_BACKUP_COUNTS[STORED_BACKUP_COUNTS.length - 1] as number, true);
  const ratio = largest.p99 / smallest.p99;
  return {
    id: "emulator-scale",
    title: "6. The emulator at scale (create latency by stored backups)",
    command: "npm run bench -- --only emulator-scale",
    columns: [
      "stored backups",
      "persistence",
      "create p50 (ms)",
      "create p99 (ms)",
      `throughput, ${BURST_CLIENTS} clients (creates/s)`,
    ],
    rows,
    goals: [
      {
        goal: `persistence on: create p99 at 10 000 stored ≤ ${SCALE_P99_GOAL_RATIO} × the p99 at 100`,
        measured: `${round(ratio, 2)}× (${round(largest.p99, 2)} vs ${round(smallest.p99, 2)} ms)`,
        met: ratio <= SCALE_P99_GOAL_RATIO,
      },
    ],
    notes: [
      `Per condition: ${rounds} round(s) of ${creates} creates one after the other (each followed by an untimed delete, so the store keeps its size; latencies pooled across rounds), then a burst of ${burst} creates from ${BURST_CLIENTS} concurrent clients (throughput: the mean over rounds). ${SERVERS} servers; time scale 0, so a backup settles on the next request.`,
      "The emulator runs in the benchmark's process and the creates come over loopback HTTP (fetch), so every figure includes the HTTP round trip; persistence off is the same emulator without a data file, measured in the same run.",
      `Load average (1, 5, 15 min) before: ${loadBefore.map((v) => round(v, 2)).join(", ")}; after: ${loadAfter.map((v) => round(v, 2)).join(", ")}. The 2 cores were shared with other work: read the on/off ratio and the scaling within this run, not the absolute times.`,
    ],
    details: Object.fromEntries(samples),
  };
}
