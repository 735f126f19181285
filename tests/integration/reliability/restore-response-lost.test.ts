/**
 * Reliability 11 — a restore's response is lost.
 *
 * Inject: the emulator starts the restore, then drops the connection (every restore, and 50 %
 * of restores over many rounds). Must hold: the client reports the restore as accepted and the
 * server is restored exactly once (one restore POST reached the platform per call). Figures:
 * restore calls, drops, restore POSTs, repeated restores.
 */
import type { RunningEmulator } from "../../../emulator";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { freshAccount, startFastEmulator } from "../../support/emulator";
import { fastClient } from "../../support/client";

const ROUNDS = 30;

describe("reliability 11: a restore whose response is lost", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    resetFigures("11-restore-response-lost");
    // Restores of ten minutes, as on the platform: a restore is still running when the client
    // checks the server after losing the answer (see RELIABILITY.md for a restore shorter
    // than that check).
    emulator = await startFastEmulator({
      randomSeed: 1111,
      timeScale: 1,
      backupBaseMs: 1,
      backupPerGbMs: 0,
      restoreBaseMs: 600_000,
    });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it.each([{ dropRate: 1 }, { dropRate: 0.5 }])(
    "drop rate $dropRate: every restore is applied exactly once",
    async ({ dropRate }) => {
      const account = freshAccount(emulator, { servers: ROUNDS });
      const client = fastClient(emulator.url, account.token);
      // One completed backup per server (a restore needs a completed backup).
      const backups = await Promise.all(
        account.serverIds.map((serverId) =>
          client.createBackup({ serverId, description: "restore point" }),
        ),
      );
      for (const backup of backups) emulator.state.finishBackup(backup.id, "completed");

      emulator.faults.replace({
        dropAfterCommitRate: dropRate,
        scope: { methods: ["POST"], pathPrefixes: ["/servers/"] },
      });
      emulator.requests.clear();
      const results = await Promise.all(
        backups.map((backup) => client.restoreServer(backup.serverId, backup.id)),
      );
      emulator.faults.replace({});

      const restorePosts = emulator.requests.count({
        method: "POST",
        route: "/servers/{serverId}/restore/",
      });
      const dropped = emulator.requests.count({
        method: "POST",
        route: "/servers/{serverId}/restore/",
        status: "dropped",
      });
      const conflicts = emulator.requests.count({
        method: "POST",
        route: "/servers/{serverId}/restore/",
        status: 409,
      });
      recordFigure("11-restore-response-lost", `drop ${dropRate * 100}%`, {
        restores: ROUNDS,
        dropped,
        restorePosts,
        repeatedRestores: restorePosts - ROUNDS,
        conflicts,
      });

      expect(results.map((result) => result.status)).toEqual(backups.map(() => "restoring"));
      expect(results.map((result) => [result.serverId, result.backupId])).toEqual(
        backups.map((backup) => [backup.serverId, backup.id]),
      );
      for (const serverId of account.serverIds)
        expect((await client.getServer(serverId)).status).toBe("restoring");
      // One POST per restore: a lost answer was resolved by reading the server, not by re-posting.
      expect(restorePosts).toBe(ROUNDS);
      expect(conflicts).toBe(0);
      if (dropRate === 1) expect(dropped).toBe(ROUNDS);
    },
  );
});
