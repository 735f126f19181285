/**
 * One measurement of benchmark 4, in a fresh process so that neither the emulator nor the other
 * strategy shares its heap: lists every backup once to warm up, then once measured, and prints
 * one JSON line. Run by `listing.ts` as
 * `node --expose-gc -r ts-node/register/transpile-only bench/listing-worker.ts <strategy> <pageSize>`
 * with `BENCH_API_URL` and `BENCH_API_TOKEN` set; for the memory figures also with
 * `--max-semi-space-size=1`, so that short-lived garbage is collected within a MiB instead of
 * piling up to the young generation's default size and the peak approaches the live data.
 */
import { getBackups } from "../provider";
import { VpsClient } from "../sdk";

/** How the backups are fetched. */
export type ListingStrategy = "get-backups" | "client-list" | "raw-fetch";

/** What the worker prints. */
export interface ListingMeasurement {
  strategy: ListingStrategy;
  pageSize: number;
  backups: number;
  elapsedMs: number;
  /** Highest heap use (V8 heap + array buffers) seen during the listing, above the baseline, bytes. */
  peakHeapBytes: number;
  /** Heap still used by the result after a full GC, above the baseline, bytes. */
  retainedBytes: number;
  /** Growth of the process's peak resident set during the measured listing, bytes. */
  maxRssGrowthBytes: number;
}

const SAMPLE_INTERVAL_MS = 1;

function heapInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the listing worker with node --expose-gc");
  gc();
  gc();
}

async function rawFetchAll(url: string, token: string, pageSize: number): Promise<unknown[]> {
  const all: unknown[] = [];
  let next: string | null = `${url}/backups/?page_size=${pageSize}`;
  while (next) {
    const response = await fetch(next, {
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`GET ${next} answered ${response.status}`);
    const page = JSON.parse(await response.text()) as { next: string | null; results: unknown[] };
    for (const backup of page.results) all.push(backup);
    next = page.next;
  }
  return all;
}

async function listOnce(
  strategy: ListingStrategy,
  url: string,
  token: string,
  pageSize: number,
): Promise<unknown[]> {
  switch (strategy) {
    case "get-backups":
      return (await getBackups({ apiUrl: url, apiToken: token })).backups;
    case "client-list":
      return new VpsClient({ baseUrl: url, apiToken: token, pageSize }).listBackups();
    case "raw-fetch":
      return rawFetchAll(url, token, pageSize);
  }
}

// The measured result lives here, not in a local: a local of an async function can stay in its
// suspended frame's registers after its last use, which made an earlier version count the
// warm-up's result in the baseline and free it during the measurement.
let measuredResult: unknown[] = [];

async function warmUp(
  strategy: ListingStrategy,
  url: string,
  token: string,
  pageSize: number,
): Promise<number> {
  return (await listOnce(strategy, url, token, pageSize)).length;
}

async function main(): Promise<void> {
  const [strategy, pageSizeText] = process.argv.slice(2) as [ListingStrategy, string];
  const url = process.env.BENCH_API_URL;
  const token = process.env.BENCH_API_TOKEN;
  if (!url || !token) throw new Error("BENCH_API_URL and BENCH_API_TOKEN must be set");
  const pageSize = Number(pageSizeText);

  await warmUp(strategy, url, token, pageSize);
  collectGarbage();
  const baseline = heapInUse();
  const rssBefore = process.resourceUsage().maxRSS;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, heapInUse());
  }, SAMPLE_INTERVAL_MS);
  const startedAt = performance.now();
  measuredResult = await listOnce(strategy, url, token, pageSize);
  const elapsedMs = performance.now() - startedAt;
  clearInterval(sampler);
  peak = Math.max(peak, heapInUse());
  const maxRssGrowthBytes = (process.resourceUsage().maxRSS - rssBefore) * 1024;
  collectGarbage();
  const retainedBytes = heapInUse() - baseline;
  const measurement: ListingMeasurement = {
    strategy,
    pageSize,
    backups: measuredResult.length,
    elapsedMs,
    peakHeapBytes: peak - baseline,
    retainedBytes,
    maxRssGrowthBytes,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
