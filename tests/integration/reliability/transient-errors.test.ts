/**
 * Reliability 4 — 500/502/503 on 30 % of all calls.
 *
 * Inject: the emulator answers 30 % of every API request with 500, 502 or 503 (before doing
 * anything), over 1 000 mixed operations. Must hold: ≥ 99 % succeed within the retry budget
 * (default 4 retries), and a create is never POSTed again without first looking for the backup
 * the failed attempt may have made. Figures: success rate, attempts histogram.
 */
import type { RunningEmulator } from "../../../emulator";
import { VpsError } from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import {
  freshAccount,
  inventoryBackups,
  randomSuffix,
  startFastEmulator,
} from "../../support/emulator";
import { type RecordedRequest, fastClient, recordingTransport } from "../../support/client";

const OPERATIONS = 1_000;
const WORKERS = 4;
const OPERATION_KINDS = [
  "listBackups",
  "listServers",
  "getServer",
  "createBackup",
  "deleteBackup",
] as const;
type OperationKind = (typeof OPERATION_KINDS)[number];

describe("reliability 4: 5xx on 30 % of all calls", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    resetFigures("04-transient-errors");
    emulator = await startFastEmulator({ randomSeed: 404 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("1 000 operations: ≥ 99 % succeed, and no create is repeated without the adoption check", async () => {
    const account = freshAccount(emulator, { servers: WORKERS });
    emulator.faults.replace({ errorRate: 0.3, errorStatuses: [500, 502, 503] });
    emulator.requests.clear();

    const attemptsHistogram: Record<number, number> = {};
    const failures: { kind: OperationKind; error: string }[] = [];
    const successes: Record<OperationKind, number> = {
      listBackups: 0,
      listServers: 0,
      getServer: 0,
      createBackup: 0,
      deleteBackup: 0,
    };
    const createSequences: RecordedRequest[][] = [];
    const createdIds = new Set<number>();
    const deletedIds = new Set<number>();
    const uncertainCreates: string[] = [];

    await Promise.all(
      account.serverIds.map(async (serverId, worker) => {
        // One client per worker, operations one after another: each call's requests are its own.
        const { transport, requests } = recordingTransport();
        const client = fastClient(emulator.url, account.token, { transport });
        const mine: number[] = [];
        for (let index = 0; index < OPERATIONS / WORKERS; index += 1) {
          const kind = OPERATION_KINDS[
            (index * 7 + worker) % OPERATION_KINDS.length
          ] as OperationKind;
          const firstRequest = requests.length;
          const description = `transient-${randomSuffix()}`;
          try {
            if (kind === "listBackups") await client.listBackups({ serverId });
            else if (kind === "listServers") await client.listServers();
            else if (kind === "getServer") await client.getServer(serverId);
            else if (kind === "createBackup") {
              const created = await client.createBackup({ serverId, description });
              createdIds.add(created.id);
              mine.push(created.id);
            } else {
              const victim = mine.shift();
              if (victim === undefined) await client.listBackups({ serverId });
              else {
                await client.deleteBackup(victim);
                deletedIds.add(victim);
              }
            }
            successes[kind] += 1;
          } catch (error) {
            failures.push({
              kind,
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            });
            if (!(error instanceof VpsError)) throw error;
            if (kind === "createBackup") uncertainCreates.push(description);
          }
          const attempts = requests.slice(firstRequest);
          if (kind === "createBackup") createSequences.push(attempts);
          // Attempts = requests of the call (a list of several pages would count each page).
          attemptsHistogram[attempts.length] = (attemptsHistogram[attempts.length] ?? 0) + 1;
        }
      }),
    );
    emulator.faults.replace({});

    // Between two POSTs of one create there is always a look at the server's backups.
    const blindRepeats = createSequences.filter((sequence) => {
      let postedSinceLastLook = false;
      for (const request of sequence) {
        const isPost = request.method === "POST";
        const isLook =
          request.method === "GET" &&
          request.url.pathname.endsWith("/backups/") &&
          request.url.searchParams.has("server_id") &&
          request.outcome === 200;
        if (isPost && postedSinceLastLook) return true;
        if (isPost) postedSinceLastLook = true;
        if (isLook) postedSinceLastLook = false;
      }
      return false;
    }).length;
    const repeatedCreates = createSequences.filter(
      (sequence) => sequence.filter((request) => request.method === "POST").length > 1,
    ).length;

    // The platform holds exactly what succeeded: created minus deleted (faults come before any
    // work, so a failed create made nothing).
    const onPlatform = new Set(
      inventoryBackups(emulator, account.accountId).map((backup) => backup.id),
    );
    const expected = new Set([...createdIds].filter((id) => !deletedIds.has(id)));

    const succeeded = OPERATIONS - failures.length;
    const injected = emulator.requests
      .rows()
      .filter((row) => typeof row.status === "number" && row.status >= 500)
      .reduce((sum, row) => sum + row.count, 0);
    recordFigure("04-transient-errors", "30 % 5xx", {
      operations: OPERATIONS,
      succeeded,
      successRate: succeeded / OPERATIONS,
      successesByKind: successes,
      failures: failures.slice(0, 5),
      attemptsHistogram,
      requests: emulator.requests.count(),
      injected5xx: injected,
      createsRepostedAfterCheck: repeatedCreates,
      blindRepeats,
    });

    expect(succeeded / OPERATIONS).toBeGreaterThanOrEqual(0.99);
    expect(failures.every((failure) => /^Vps/.test(failure.error))).toBe(true);
    expect(blindRepeats).toBe(0);
    expect([...onPlatform].sort()).toEqual([...expected].sort());
    expect(
      uncertainCreates.every(
        (description) =>
          !inventoryBackups(emulator, account.accountId).some(
            (backup) => backup.description === description,
          ),
      ),
    ).toBe(true);
    // The faults really hit: about 30 % of the requests.
    expect(injected / emulator.requests.count()).toBeGreaterThan(0.2);
  }, 120_000);
});
