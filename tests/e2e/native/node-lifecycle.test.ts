/**
 * The native plugin from a TypeScript program (tests/fixtures/native-node) under the real
 * engine: up creates and waits, a preview shows no changes, a new trigger replaces the backup
 * create-before-delete, and refresh drops a backup deleted out of band. The emulator's request
 * log and inventory are the evidence.
 */
import type { RunningEmulator } from "../../../emulator";
import { VpsClient } from "../../../sdk";
import type { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { freshAccount, inventoryBackups, type FreshAccount } from "../../support/emulator";
import {
  expectSuccess,
  mutatingCalls,
  nativeNodeStack,
  startLoggedEmulator,
} from "../../support/native-node";

jest.setTimeout(300_000);

const DESCRIPTION = "native from TypeScript";

describe("pulumi-resource-vps from a TypeScript program: lifecycle", () => {
  let emulator: RunningEmulator;
  let requestLog: string[];
  let account: FreshAccount;
  let stack: PulumiStack | undefined;

  beforeEach(async () => {
    ({ emulator, requestLog } = await startLoggedEmulator());
    account = freshAccount(emulator);
  });

  afterEach(async () => {
    if (stack) await stack.dispose();
    stack = undefined;
    await emulator.stop();
  });

  async function singleBackupStack(config: Record<string, string> = {}): Promise<PulumiStack> {
    stack = await nativeNodeStack({
      config: { "vps:apiUrl": emulator.url, serverId: String(account.serverId), ...config },
      secretConfig: { "vps:apiToken": account.token },
    });
    return stack;
  }

  it("up creates and waits; a preview shows no changes; a new trigger replaces create-before-delete", async () => {
    const current = await singleBackupStack({ trigger: "v1" });
    expectSuccess("pulumi up", await current.up());
    const first = await current.outputs();
    expect(first.status).toBe("completed");
    expect(inventoryBackups(emulator, account.accountId)).toEqual([
      {
        id: first.backupId,
        serverId: account.serverId,
        description: DESCRIPTION,
        status: "completed",
      },
    ]);
    const [recorded] = await current.resourcesOfType("ServerBackup");
    expect(recorded?.type).toBe("vps:index:ServerBackup");
    expect(recorded?.id).toBe(String(first.backupId));

    const writes = mutatingCalls(requestLog).length;
    expectSuccess(
      "pulumi preview --expect-no-changes",
      await current.preview(["--expect-no-changes"]),
    );
    expect(mutatingCalls(requestLog).length).toBe(writes);

    await current.setConfig("trigger", "v2");
    const replaceFrom = requestLog.length;
    expectSuccess("pulumi up (new trigger)", await current.up());
    const second = await current.outputs();
    expect(second.backupId).not.toBe(first.backupId);
    expect(second.status).toBe("completed");
    // The new backup is asked for and waited for (polled) before the old one is deleted.
    const replacing = requestLog.slice(replaceFrom);
    expect(mutatingCalls(replacing)).toEqual([
      "POST /api/v1/backups/ 201",
      `DELETE /api/v1/backups/${first.backupId}/ 204`,
    ]);
    const post = replacing.findIndex((line) => line.startsWith("POST "));
    const deleteOld = replacing.findIndex((line) => line.startsWith("DELETE "));
    expect(replacing.slice(post, deleteOld).some((line) => line.startsWith("GET "))).toBe(true);
    expect(inventoryBackups(emulator, account.accountId).map((backup) => backup.id)).toEqual([
      second.backupId,
    ]);
  });

  it("refresh drops a backup deleted out of band; destroy leaves the inventory as before up", async () => {
    const client = new VpsClient({ baseUrl: emulator.url, apiToken: account.token });
    const kept = await client.createBackup({ serverId: account.serverId, description: "kept" });
    await client.waitForBackup(kept.id, { serverId: account.serverId });
    const before = inventoryBackups(emulator, account.accountId);

    const current = await singleBackupStack();
    expectSuccess("pulumi up", await current.up());
    const { backupId } = await current.outputs();
    expect(inventoryBackups(emulator, account.accountId)).toHaveLength(2);

    await client.deleteBackup(Number(backupId));
    const refreshFrom = requestLog.length;
    expectSuccess("pulumi refresh", await current.refresh());
    expect(mutatingCalls(requestLog.slice(refreshFrom))).toEqual([]);
    expect(await current.resourcesOfType("ServerBackup")).toEqual([]);

    const destroyFrom = requestLog.length;
    expectSuccess("pulumi destroy", await current.destroy());
    expect(mutatingCalls(requestLog.slice(destroyFrom))).toEqual([]);
    expect(inventoryBackups(emulator, account.accountId)).toEqual(before);
  });
});
