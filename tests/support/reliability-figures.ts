/**
 * Figures of the reliability tests: each test records what it measured (duplicates,
 * orphans, attempts histogram, measured deadline, …) as one JSON file, so RELIABILITY.md can
 * report the last run's numbers and anyone can read their own run's.
 *
 * Files go to `VPS_RELIABILITY_FIGURES_DIR`, default `<os tmpdir>/vps-reliability-figures/`,
 * one `<test id>.json` per test group (overwritten by each run).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Folder the figures are written to (created on first use). */
export function figuresDir(): string {
  return (
    process.env.VPS_RELIABILITY_FIGURES_DIR ?? path.join(os.tmpdir(), "vps-reliability-figures")
  );
}

/**
 * Records the figures of one test group, merged into `<figuresDir>/<testId>.json` under `key`
 * (one file per group, one key per case), with the time of the run.
 */
export function recordFigure(testId: string, key: string, figures: Record<string, unknown>): void {
  const dir = figuresDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${testId}.json`);
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    // First figure of this group in this folder.
  }
  existing[key] = { ...figures, recordedAt: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(existing, null, 2)}\n`);
}

/** Forgets the figures of a test group (called before the group runs, so none are stale). */
export function resetFigures(testId: string): void {
  fs.rmSync(path.join(figuresDir(), `${testId}.json`), { force: true });
}

/**
 * The seed of a property or model-based test: `VPS_RELIABILITY_SEED` when set (to replay a
 * failure), else a fresh one. Always logged with the figures, so a failing run can be replayed.
 */
export function propertySeed(): number {
  const fromEnv = process.env.VPS_RELIABILITY_SEED;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return Number(fromEnv);
  return Math.floor(Math.random() * 2 ** 31);
}
