/**
 * Schemathesis, a fuzzer nobody here wrote, against the emulator with the OpenAPI document the
 * emulator serves (generated from sdk/schemas.ts): every check it has (responses match the
 * document, statuses, headers, content types, no 5xx, bad input refused, good input accepted,
 * undeclared methods 405, auth not ignored, stateful create/delete sequences), a fixed number of
 * examples per operation and a fixed seed, so a run is repeatable and fits CI.
 *
 * Then nothing stored may be lost: every seeded backup and every backup the fuzzer created is
 * still there unless a DELETE of it answered 204 (from the emulator's request log), and the
 * second account, whose token the fuzzer never has, is untouched.
 *
 * It runs a Python process, so it belongs to the slow tier; without Python 3 it skips and says so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { startFastEmulator } from "../../support/emulator";
import { SCHEMATHESIS_VERSION, ensureSchemathesis, findPython, run } from "./schemathesis-venv";

/** Examples per operation and phase: ~600 requests, a minute or two on a loaded machine. */
const MAX_EXAMPLES = 30;
/** Hypothesis' seed: the same document and emulator give the same requests. */
const SEED = 20261202;

const python = findPython();
const fuzzTest = python ? it : it.skip;
const skipNote = python ? "" : " (skipped: python3 is not on PATH, Schemathesis needs it)";

/** Backup ids per account, as the emulator holds them now. */
function backupIds(emulator: RunningEmulator): Map<string, number[]> {
  emulator.state.tick();
  return new Map(
    emulator.state.accounts().map((account) => [
      account.id,
      emulator.state
        .backupsOf(account.id)
        .map((backup) => backup.id)
        .sort((a, b) => a - b),
    ]),
  );
}

/** Ids whose `DELETE /api/v1/backups/{id}/` answered 204, from the request log. */
function deletedIds(log: string[]): Set<number> {
  const ids = new Set<number>();
  for (const line of log) {
    const [method, path, status] = line.split(" ");
    if (method !== "DELETE" || status !== "204" || !path) continue;
    const match = /^\/api\/v1\/backups\/(\d+)\/$/.exec(decodeURIComponent(path));
    if (match) ids.add(Number(match[1]));
  }
  return ids;
}

let emulator: RunningEmulator | undefined;
let workDir: string | undefined;
let fuzzerPid: number | undefined;

afterAll(async () => {
  // A run cut short by the budget must not leave the fuzzer behind.
  if (fuzzerPid !== undefined) {
    try {
      process.kill(fuzzerPid);
    } catch {
      // already ended
    }
  }
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe(`Schemathesis ${SCHEMATHESIS_VERSION} against the emulator`, () => {
  fuzzTest(
    `finds nothing: responses match docs/openapi.json, no 5xx, nothing stored is lost${skipNote}`,
    async () => {
      const st = await ensureSchemathesis(python ?? "python3");
      const log: string[] = [];
      emulator = await startFastEmulator({ log: (line) => log.push(line) });
      workDir = mkdtempSync(join(tmpdir(), "vps-fuzz-"));
      const before = backupIds(emulator);
      const firstNewId = Math.max(...[...before.values()].flat()) + 1;

      const { code, output } = await run(
        st,
        [
          "run",
          `${emulator.origin}/openapi.json`,
          "--url",
          emulator.url,
          "--header",
          `Authorization: Bearer ${emulator.demoToken}`,
          "--checks",
          "all",
          "--max-examples",
          String(MAX_EXAMPLES),
          "--seed",
          String(SEED),
          // No example database: a past run's failures must not change this run's requests.
          "--generation-database",
          "none",
          "--workers",
          "1",
          "--no-color",
        ],
        { cwd: workDir, onSpawn: (pid) => (fuzzerPid = pid) },
      );
      fuzzerPid = undefined;
      const summary = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1] ?? "(no summary)";
      process.stdout.write(`Schemathesis: ${summary}; ${log.length} requests answered\n`);
      if (code !== 0) throw new Error(`Schemathesis found problems (exit ${code}):\n${output}`);

      const serverErrors = log.filter((line) => /^\S+ \S+ 5\d\d /.test(line));
      expect(serverErrors).toEqual([]);

      // Nothing stored is lost: what is there now is what was there, plus what the fuzzer
      // created (ids from firstNewId on, one per 201), minus what a 204 DELETE removed.
      const deleted = deletedIds(log);
      const created = log.filter((line) => line.startsWith("POST /api/v1/backups/ 201 ")).length;
      const after = backupIds(emulator);
      for (const [accountId, ids] of before) {
        const expected =
          accountId === "demo-account"
            ? [...ids, ...Array.from({ length: created }, (_, i) => firstNewId + i)]
            : ids;
        expect([accountId, after.get(accountId)]).toEqual([
          accountId,
          expected.filter((id) => !deleted.has(id)),
        ]);
      }
      expect(created).toBeGreaterThan(0);
    },
    900_000,
  );
});
