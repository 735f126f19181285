/**
 * getBackups / getBackup (and their Output forms) against the real emulator.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  getBackup,
  getBackupOutput,
  getBackups,
  getBackupsOutput,
} from "../../../../provider/dynamic/get-backups";
import { BackupMatchError } from "../../../../provider/core/errors";
import { sharedClient } from "../../../../provider/runtime";
import { type ProviderFixture, startProviderFixture } from "../provider-fixtures";

// Real work (an emulator, waits for backups): a budget that fits a loaded machine.
jest.setTimeout(60_000);

let fixture: ProviderFixture;
let serverId: number;
/** The longest a wait for a seeded backup may take, within the hook's budget. */
const WAIT_TIMEOUT_MS = 30_000;
const madeIds: number[] = [];

beforeAll(async () => {
  fixture = await startProviderFixture();
  serverId = fixture.serverIds[0]!;
  const client = sharedClient({ apiUrl: fixture.emulator.url, apiToken: fixture.token });
  for (const description of ["release 1.0 backup", "release 1.1 backup", "nightly"]) {
    const made = await client.createBackup({ serverId, description });
    await client.waitForBackup(made.id, { serverId, timeoutMs: WAIT_TIMEOUT_MS });
    madeIds.push(made.id);
  }
  fixture.emulator.state.queueNextBackup(serverId, { outcome: "failed" });
  const failed = await client.createBackup({ serverId, description: "release 1.2 backup" });
  await client
    .waitForBackup(failed.id, { serverId, timeoutMs: WAIT_TIMEOUT_MS })
    .catch(() => undefined);
  madeIds.push(failed.id);
});

afterAll(async () => {
  await fixture?.stop();
});

function credentials() {
  return { apiUrl: fixture.emulator.url, apiToken: fixture.token };
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

describe("getBackups", () => {
  it.each([
    [
      "no filter but the server",
      {},
      () => [...madeIds].reverse().concat(fixture.seededAutomaticBackupId),
    ],
    ["backupType in any case", { backupType: "MANUAL" }, () => [...madeIds].reverse()],
    ["backupType automatic", { backupType: "automatic" }, () => [fixture.seededAutomaticBackupId]],
    ["status", { status: "failed" }, () => [madeIds[3]]],
    [
      "descriptionRegex",
      { descriptionRegex: "^release 1\\.[01] " },
      () => [madeIds[1], madeIds[0]],
    ],
    [
      "status and descriptionRegex together",
      { status: "completed", descriptionRegex: "release" },
      () => [madeIds[1], madeIds[0]],
    ],
  ])("filters by %s, newest first", async (_name, filters, expectedIds) => {
    const result = await getBackups({ serverId, ...filters, ...credentials() });
    expect(result.backups.map((backup) => backup.id)).toEqual(expectedIds());
    expect(result.count).toBe(expectedIds().length);
  });

  it("sees only the account's own servers", async () => {
    const result = await getBackups({ serverId: fixture.foreignServerId, ...credentials() });
    expect(result).toEqual({ backups: [], count: 0 });
  });

  it("has an Output form that carries the secretness of its inputs", async () => {
    const output = getBackupsOutput({
      serverId: pulumi.output(serverId),
      status: "failed",
      ...credentials(),
      apiToken: pulumi.secret(fixture.token),
    });
    expect((await valueOf(output)).count).toBe(1);
    expect(await pulumi.isSecret(output)).toBe(true);
  });
});

describe("getBackup", () => {
  it("returns the one matching backup", async () => {
    const backup = await getBackup({ serverId, descriptionRegex: "nightly", ...credentials() });
    expect(backup).toMatchObject({ id: madeIds[2], description: "nightly", status: "completed" });
  });

  it("fails saying how many matched when several do, unless mostRecent is set", async () => {
    const filters = {
      serverId,
      descriptionRegex: "release",
      status: "completed",
      ...credentials(),
    };
    const error = await getBackup(filters).then(
      () => undefined,
      (rejected: unknown) => rejected,
    );
    expect(error).toBeInstanceOf(BackupMatchError);
    expect((error as BackupMatchError).matchCount).toBe(2);
    expect((error as Error).message).toContain("2 backups matched");
    expect((error as Error).message).toContain("mostRecent: true");

    await expect(getBackup({ ...filters, mostRecent: true })).resolves.toMatchObject({
      id: madeIds[1],
    });
  });

  it("fails saying none matched", async () => {
    await expect(
      getBackup({ serverId, descriptionRegex: "no such backup", ...credentials() }),
    ).rejects.toThrow(/no backup matched \(serverId=\d+, descriptionRegex="no such backup"\)/);
  });

  it("has an Output form", async () => {
    const backup = await valueOf(getBackupOutput({ serverId, mostRecent: true, ...credentials() }));
    expect(backup.id).toBe(madeIds[3]);
  });
});
