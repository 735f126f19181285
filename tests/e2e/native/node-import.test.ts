/**
 * `pulumi import` of the native ServerBackup from a TypeScript program (the Node language host
 * cannot generate code here, hence `--generate-code=false`): the matching program then shows
 * no changes; destroy deletes the backup unless the program says retainOnDelete. Importing an
 * id the account does not have names the id and the account.
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

const DESCRIPTION = "made outside Pulumi";

describe("pulumi-resource-vps from a TypeScript program: import", () => {
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

  /** A stack whose program declares the backup as `pulumi import` will record it. */
  async function adoptingStack(config: Record<string, string> = {}): Promise<PulumiStack> {
    stack = await nativeNodeStack({
      config: {
        "vps:apiUrl": emulator.url,
        serverId: String(account.serverId),
        backupName: "adopted",
        description: DESCRIPTION,
        ...config,
      },
      secretConfig: { "vps:apiToken": account.token },
    });
    return stack;
  }

  async function existingBackup(): Promise<number> {
    const client = new VpsClient({ baseUrl: emulator.url, apiToken: account.token });
    const created = await client.createBackup({
      serverId: account.serverId,
      description: DESCRIPTION,
    });
    await client.waitForBackup(created.id, { serverId: account.serverId });
    return created.id;
  }

  function importBackup(current: PulumiStack, name: string, id: string) {
    return current.run([
      "import",
      "vps:index:ServerBackup",
      name,
      id,
      "--yes",
      "--non-interactive",
      "--protect=false",
      "--generate-code=false",
    ]);
  }

  it("records an existing backup; the matching program shows no changes; destroy deletes it", async () => {
    const backupId = await existingBackup();
    const current = await adoptingStack();
    expectSuccess("pulumi import", await importBackup(current, "adopted", String(backupId)));
    const [recorded] = await current.resourcesOfType("ServerBackup");
    expect(recorded?.urn).toMatch(/::adopted$/);
    expect(recorded?.id).toBe(String(backupId));
    expect(recorded?.inputs).toMatchObject({
      serverId: account.serverId,
      description: DESCRIPTION,
    });
    expect(recorded?.outputs).toMatchObject({ backupId, status: "completed" });

    const writes = mutatingCalls(requestLog).length;
    expectSuccess(
      "pulumi preview --expect-no-changes",
      await current.preview(["--expect-no-changes"]),
    );
    expect(mutatingCalls(requestLog).length).toBe(writes);

    const destroyFrom = requestLog.length;
    expectSuccess("pulumi destroy", await current.destroy());
    expect(mutatingCalls(requestLog.slice(destroyFrom))).toEqual([
      `DELETE /api/v1/backups/${backupId}/ 204`,
    ]);
    expect(inventoryBackups(emulator, account.accountId)).toEqual([]);
  });

  it("with retainOnDelete, destroy keeps the imported backup", async () => {
    const backupId = await existingBackup();
    const current = await adoptingStack({ retainOnDelete: "true" });
    expectSuccess("pulumi import", await importBackup(current, "adopted", String(backupId)));
    // The up records the option; it changes nothing on the platform.
    const upFrom = requestLog.length;
    expectSuccess("pulumi up", await current.up());
    expect(mutatingCalls(requestLog.slice(upFrom))).toEqual([]);

    const destroyFrom = requestLog.length;
    expectSuccess("pulumi destroy", await current.destroy());
    expect(mutatingCalls(requestLog.slice(destroyFrom))).toEqual([]);
    expect(await current.resourcesOfType("ServerBackup")).toEqual([]);
    expect(inventoryBackups(emulator, account.accountId).map((backup) => backup.id)).toEqual([
      backupId,
    ]);
  });

  it("importing an id the account does not have names the id and the account", async () => {
    const current = await adoptingStack();
    const missing = await importBackup(current, "ghost", "999999");
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('"999999"');
    expect(missing.output).toContain(emulator.url);
    expect(missing.output).not.toMatch(/does not support importing/);
    expect(await current.resourcesOfType("ServerBackup")).toEqual([]);
  });
});
