/**
 * Reliability 3 — a backup stuck `in_progress` past `createTimeout`.
 *
 * Inject: the emulator keeps the next backup in progress forever (optionally with the create's
 * answer lost too). Must hold: `create` fails with an error naming the backup, carrying its id
 * and outputs (what the engine records as a partially created resource); the following
 * `pulumi up`s (diff → update, as the engine calls them) never POST again. Figure: extra POSTs.
 */
import type { RunningEmulator } from "../../../emulator";
import { ResourceInitializationError } from "../../../provider/core/errors";
import { serverBackup, setSharedClientOptions } from "../../../provider/runtime";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import {
  freshAccount,
  inventoryBackups,
  randomSuffix,
  startFastEmulator,
} from "../../support/emulator";

const UPS_WHILE_STUCK = 3;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the operation to fail");
}

describe("reliability 3: a backup stuck in progress past createTimeout", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    resetFigures("03-stuck-backup");
    emulator = await startFastEmulator({ randomSeed: 303 });
    setSharedClientOptions({ pollSchedule: () => 5, retryBaseDelayMs: 2, retryMaxDelayMs: 20 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it.each([
    { answerLost: false, label: "answered create" },
    { answerLost: true, label: "create whose answer was lost" },
  ])(
    "$label: the error names the backup, the state keeps it, later ups never POST",
    async ({ answerLost, label }) => {
      const account = freshAccount(emulator);
      const serverId = account.serverIds[0] ?? 0;
      emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
      emulator.faults.replace(
        answerLost ? { dropAfterCommitRate: 1, scope: { methods: ["POST"] } } : {},
      );
      const inputs = {
        serverId,
        description: `stuck-${randomSuffix()}`,
        createTimeout: "200ms",
        apiUrl: emulator.url,
        apiToken: account.token,
      };
      const postsBefore = emulator.requests.count({ method: "POST", route: "/backups/" });

      // pulumi up #1: check, then create.
      const checked = await serverBackup.check({}, inputs);
      expect(checked.failures).toEqual([]);
      const failure = await rejectionOf(
        serverBackup.create(checked.inputs as Record<string, unknown>),
      );
      emulator.faults.replace({});

      const onPlatform = inventoryBackups(emulator, account.accountId);
      expect(onPlatform).toHaveLength(1);
      const backupId = onPlatform[0]?.id ?? 0;
      expect(failure).toBeInstanceOf(ResourceInitializationError);
      const partial = failure as ResourceInitializationError;
      // What the dynamic provider host turns into a partially created resource: id + outputs.
      expect(partial.id).toBe(String(backupId));
      expect(partial.message).toContain(`backup ${backupId} of server ${serverId}`);
      expect(partial.message).toContain("createTimeout (200ms)");
      expect(partial.properties).toMatchObject({ backupId, serverId, status: "in_progress" });

      // pulumi up #2..#4 while it is still stuck: the engine diffs the recorded outputs, then
      // updates (never creates: the id is in the state). Each fails again with the same id.
      let recorded = partial.properties;
      for (let up = 0; up < UPS_WHILE_STUCK; up += 1) {
        const diff = await serverBackup.diff(partial.id, recorded, inputs);
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        const again = await rejectionOf(serverBackup.update!(partial.id, recorded, inputs));
        expect(again).toBeInstanceOf(ResourceInitializationError);
        expect((again as ResourceInitializationError).id).toBe(String(backupId));
        recorded = (again as ResourceInitializationError).properties;
      }

      // The platform finally finishes it: the next up records it completed, still without a POST.
      emulator.state.finishBackup(backupId, "completed");
      const diff = await serverBackup.diff(partial.id, recorded, inputs);
      expect(diff.replaces).toEqual([]);
      const updated = await serverBackup.update!(partial.id, recorded, inputs);
      expect(updated.outs).toMatchObject({ backupId, status: "completed" });

      const posts = emulator.requests.count({ method: "POST", route: "/backups/" }) - postsBefore;
      recordFigure("03-stuck-backup", label, {
        ups: UPS_WHILE_STUCK + 2,
        posts,
        extraPosts: posts - 1,
        backupsOnPlatform: inventoryBackups(emulator, account.accountId).length,
      });
      expect(posts).toBe(1);
      expect(inventoryBackups(emulator, account.accountId)).toHaveLength(1);
    },
  );
});
