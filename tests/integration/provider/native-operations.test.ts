/**
 * The native plugin's provider object (provider/native/plugin.ts) over the families, against
 * the real emulator on a loopback port, without the engine: each call's context (the provider's
 * account, the resource's own), progress of a slow backup on the resource's line, Cancel
 * stopping a wait and recording the backup, `customTimeouts` as the time limit with the user's
 * `createTimeout` recorded, and import of a missing backup.
 */
import type { RunningEmulator } from "../../../emulator";
import { setSharedClientOptions } from "../../../provider/core/clients";
import type { CredentialSource } from "../../../provider/core/credentials";
import { ResourceInitializationError } from "../../../provider/core/errors";
import { RESOURCES } from "../../../provider/native/bindings";
import { NativeOperations } from "../../../provider/native/operation-context";
import { vpsProvider } from "../../../provider/native/plugin";
import {
  type FreshAccount,
  eventually,
  freshAccount,
  inventoryBackups,
  startFastEmulator,
} from "../../support/emulator";

const BACKUP_URN = "urn:pulumi:dev::proj::vps:index:ServerBackup::pre-deploy";

let emulator: RunningEmulator;
let account: FreshAccount;
let provider: CredentialSource;
let logged: { urn: string; message: string }[];
let operations: NativeOperations;

beforeAll(async () => {
  emulator = await startFastEmulator();
  setSharedClientOptions({ pollSchedule: () => 20, retryBaseDelayMs: 10 });
});

afterAll(async () => {
  await emulator.stop();
});

beforeEach(() => {
  account = freshAccount(emulator);
  provider = { apiUrl: emulator.url, apiToken: account.token };
  logged = [];
  operations = new NativeOperations(
    () => provider,
    (urn, message) => logged.push({ urn, message }),
  );
});

/** A backup of the account's server that stays in progress until the clock is moved. */
function queueSlowBackup(): void {
  emulator.state.queueNextBackup(account.serverId, {
    outcome: "completed",
    durationMs: 1_000 * 3_600_000,
  });
}

function messagesOn(urn: string): string[] {
  return logged.filter((entry) => entry.urn === urn).map((entry) => entry.message);
}

describe("pulumi-resource-vps over the families", () => {
  it("reports a slow backup's progress on the resource's line until it completes", async () => {
    queueSlowBackup();
    const creating = vpsProvider(operations).create!(BACKUP_URN, {
      serverId: account.serverId,
      description: "progress",
    });
    const [first] = await eventually(
      () => (messagesOn(BACKUP_URN).length > 0 ? messagesOn(BACKUP_URN) : undefined),
      "the first progress message",
    );
    const [backup] = inventoryBackups(emulator, account.accountId);
    expect(first).toBe(`backup ${backup?.id} of server ${account.serverId}: in progress, 0 min`);

    emulator.advanceClock(1_001 * 3_600_000);
    const created = await creating;
    expect(created.outs?.status).toBe("completed");
    // Quiet while the status held (one message a minute at most), then the change.
    expect(messagesOn(BACKUP_URN)).toEqual([
      `backup ${backup?.id} of server ${account.serverId}: in progress, 0 min`,
      `backup ${backup?.id} of server ${account.serverId}: completed, 0 min`,
    ]);
  });

  it("reports a restore's wait on the ServerRestore's line", async () => {
    const restoreUrn = "urn:pulumi:dev::proj::vps:index:ServerRestore::rollback";
    const backup = await vpsProvider(operations).create!(BACKUP_URN, {
      serverId: account.serverId,
    });
    const restored = await vpsProvider(operations).create!(restoreUrn, {
      serverId: account.serverId,
      backupId: Number(backup.id),
    });
    expect(restored.outs?.status).toBe("active");
    const label = `restore of server ${account.serverId} from backup ${backup.id}`;
    expect(messagesOn(restoreUrn)[0]).toBe(`${label}: restoring, 0 min`);
    expect(messagesOn(restoreUrn).at(-1)).toBe(`${label}: active, 0 min`);
  });

  it("Cancel stops the wait and records the accepted backup as partially created", async () => {
    queueSlowBackup();
    const creating = vpsProvider(operations).create!(BACKUP_URN, {
      serverId: account.serverId,
      description: "cancelled",
      createTimeout: "2h",
    });
    // The event: the backup was accepted and its wait reported.
    await eventually(() => messagesOn(BACKUP_URN)[0], "the wait to start");
    expect(operations.inFlightCount()).toBe(1);

    await vpsProvider(operations).cancel!();
    const error: unknown = await creating.then(
      () => new Error("the create finished although it was cancelled"),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ResourceInitializationError);
    const partial = error as ResourceInitializationError;
    const [backup] = inventoryBackups(emulator, account.accountId);
    // Still in progress on the platform: the wait ended because of Cancel, not the backup.
    expect(backup?.status).toBe("in_progress");
    expect(partial.id).toBe(String(backup?.id));
    expect(partial.message).toMatch(/interrupted while it was in_progress/);
    expect(partial.properties).toMatchObject({
      serverId: account.serverId,
      status: "in_progress",
      createTimeout: "2h",
    });
    expect(operations.inFlightCount()).toBe(0);
  });

  it("customTimeouts bound the wait; the recorded createTimeout stays the user's", async () => {
    queueSlowBackup();
    const error: unknown = await operations
      .run({ urn: BACKUP_URN, timeoutSeconds: 1, timeoutKind: "create" }, (context) =>
        RESOURCES["vps:index:ServerBackup"]!.create(
          { serverId: account.serverId, description: "bounded", createTimeout: "2h" },
          context,
        ),
      )
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ResourceInitializationError);
    const partial = error as ResourceInitializationError;
    expect(partial.message).toMatch(
      /createTimeout \(1s\) ran out \(set by customTimeouts\.create, which wins over the createTimeout input\)/,
    );
    expect(partial.message).toMatch(/raise customTimeouts\.create/);
    expect(partial.properties.createTimeout).toBe("2h");
  });

  it("a resource's own token wins over the provider's account", async () => {
    const other = freshAccount(emulator);
    const created = await vpsProvider(operations).create!(BACKUP_URN, {
      serverId: other.serverId,
      description: "own token",
      apiToken: other.token,
    });
    expect(inventoryBackups(emulator, other.accountId).map((backup) => String(backup.id))).toEqual([
      created.id,
    ]);
    expect(inventoryBackups(emulator, account.accountId)).toEqual([]);
  });

  it("functions use the provider's account unless their arguments name another", async () => {
    const invoke = vpsProvider(operations).invoke!;
    const mine = await invoke("vps:index:getBackups", { serverId: account.serverId });
    expect(mine.outputs).toEqual({ backups: [], count: 0 });
    const other = freshAccount(emulator);
    await vpsProvider(operations).create!(BACKUP_URN, {
      serverId: other.serverId,
      apiToken: other.token,
    });
    const theirs = await invoke("vps:index:getBackups", { apiToken: other.token });
    expect(theirs.outputs?.count).toBe(1);
  });

  it("import of a missing backup fails naming the id and the account", async () => {
    await expect(vpsProvider(operations).read!("999999", BACKUP_URN, {})).rejects.toThrow(
      `cannot import ServerBackup "999999": the account at ${emulator.url} has no backup with that id`,
    );
  });

  it("import of an existing backup returns its inputs", async () => {
    const created = await vpsProvider(operations).create!(BACKUP_URN, {
      serverId: account.serverId,
      description: "to import",
    });
    const read = await vpsProvider(operations).read!(created.id, BACKUP_URN, {});
    expect(read.id).toBe(created.id);
    expect(read.inputs).toEqual({ serverId: account.serverId, description: "to import" });
    expect(read.props?.status).toBe("completed");
  });

  it("restoreServer is refused, saying what to use instead, and restores nothing", async () => {
    const restores = () =>
      emulator.requests.count({ method: "POST", route: "/servers/:serverId/restore/" });
    const before = restores();
    await expect(
      vpsProvider(operations).invoke!("vps:index:restoreServer", {
        serverId: account.serverId,
        backupId: 1,
      }),
    ).rejects.toThrow(/declare a vps:index:ServerRestore resource/);
    expect(restores()).toBe(before);
  });
});
