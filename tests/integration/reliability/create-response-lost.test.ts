/**
 * Reliability 1 — a create's response is lost after the backup was made.
 *
 * Inject: the emulator commits the backup, then drops the connection (`dropAfterCommitRate`
 * 0 %, 25 %, 50 %), 200 creates in all. Must hold: exactly one backup per logical create, and
 * the id the client returns is that backup's. Figures: duplicates, orphans, drops, adoptions.
 */
import type { RunningEmulator } from "../../../emulator";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import {
  freshAccount,
  inventoryBackups,
  randomSuffix,
  startFastEmulator,
} from "../../support/emulator";
import { fastClient } from "../../support/client";

const CASES = [
  // Concurrent creates, one server per worker, a distinct description each.
  {
    dropRate: 0,
    creates: 40,
    concurrency: 4,
    oneServer: false,
    sameDescription: false,
    slowResponseRate: 0,
  },
  {
    dropRate: 0.25,
    creates: 50,
    concurrency: 5,
    oneServer: false,
    sameDescription: false,
    slowResponseRate: 0,
  },
  {
    dropRate: 0.5,
    creates: 50,
    concurrency: 5,
    oneServer: false,
    sameDescription: false,
    slowResponseRate: 0,
  },
  // The same description every time, one create after another (a Pulumi program re-run).
  {
    dropRate: 0.5,
    creates: 30,
    concurrency: 1,
    oneServer: true,
    sameDescription: true,
    slowResponseRate: 0,
  },
  // Several resources of one stack backing up the same server with the same description at
  // once (the engine runs them concurrently in one provider process, sharing one client),
  // while some answers are slow: a lost answer must not be resolved by adopting a backup whose
  // own answer is still on its way.
  {
    dropRate: 0.5,
    creates: 30,
    concurrency: 6,
    oneServer: true,
    sameDescription: true,
    slowResponseRate: 0.5,
  },
];

describe("reliability 1: a create whose response is lost", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    resetFigures("01-create-response-lost");
    emulator = await startFastEmulator({ randomSeed: 101 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it.each(CASES)(
    "drop rate $dropRate, $creates creates ($concurrency at once, one server: $oneServer, same description: $sameDescription, slow answers: $slowResponseRate) → one backup each, no orphan",
    async ({ dropRate, creates, concurrency, oneServer, sameDescription, slowResponseRate }) => {
      const account = freshAccount(emulator, { servers: oneServer ? 1 : concurrency });
      emulator.faults.replace({
        dropAfterCommitRate: dropRate,
        // A slow answer is sent 16 bytes every 10 ms: the backup exists long before its id arrives.
        trickleRate: slowResponseRate,
        trickleBytes: 16,
        trickleIntervalMs: 10,
        scope: { methods: ["POST"], pathPrefixes: ["/backups/"] },
      });
      emulator.requests.clear();
      const client = fastClient(emulator.url, account.token);
      const sharedDescription = `lost-response-${randomSuffix()}`;

      const results: { description: string; serverId: number; id: number }[] = [];
      const perWorker = creates / concurrency;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          const serverId = account.serverIds[oneServer ? 0 : worker] ?? 0;
          for (let index = 0; index < perWorker; index += 1) {
            const description = sameDescription
              ? sharedDescription
              : `lost-response-${randomSuffix()}-${index}`;
            const created = await client.createBackup({ serverId, description });
            results.push({ description, serverId, id: created.id });
          }
        }),
      );
      emulator.faults.replace({});

      const inventory = inventoryBackups(emulator, account.accountId);
      const returnedIds = results.map((result) => result.id);
      const duplicatesInState = returnedIds.length - new Set(returnedIds).size;
      const orphans = inventory.filter((backup) => !returnedIds.includes(backup.id));
      const missing = results.filter(
        (result) => !inventory.some((backup) => backup.id === result.id),
      );
      const mismatched = results.filter((result) => {
        const backup = inventory.find((candidate) => candidate.id === result.id);
        return (
          !backup ||
          backup.serverId !== result.serverId ||
          backup.description !== result.description
        );
      });
      const dropped = emulator.requests.count({
        method: "POST",
        route: "/backups/",
        status: "dropped",
      });
      const posts = emulator.requests.count({ method: "POST", route: "/backups/" });

      recordFigure(
        "01-create-response-lost",
        `drop ${dropRate * 100}%, ${concurrency} at once${oneServer ? " on one server" : ""}${sameDescription ? ", same description" : ""}${slowResponseRate ? ", slow answers" : ""}`,
        {
          creates,
          dropped,
          posts,
          adopted: client.stats.adoptedBackups,
          backupsMade: inventory.length,
          duplicates: inventory.length - creates + duplicatesInState,
          orphans: orphans.length,
        },
      );

      expect(results).toHaveLength(creates);
      expect(inventory).toHaveLength(creates);
      expect(duplicatesInState).toBe(0);
      expect(orphans).toEqual([]);
      expect(missing).toEqual([]);
      expect(mismatched).toEqual([]);
      // Every lost response was resolved by adoption, never by a second POST.
      expect(client.stats.adoptedBackups).toBe(dropped);
      expect(posts).toBe(creates);
      if (dropRate > 0) expect(dropped).toBeGreaterThan(0);
    },
    60_000,
  );
});
