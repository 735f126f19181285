/**
 * The real Pulumi engine drives the provider against the real emulator: serialization,
 * secrets, diffs, refresh, partial failures and destroy, as users meet them in `pulumi up`.
 * After each scenario the emulator's inventory is compared with the stack's state: the API
 * must hold no backup the state does not know (hcloud's CheckDestroy habit).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator, type SeedDocument } from "../../emulator";
import { VpsClient } from "../../sdk";
import { PulumiStack, type StateResource } from "../../tools/pulumi-engine/stack";
import { manualBackupIds } from "../support/emulator";

jest.setTimeout(240_000);

const SERVER = 12345;
const OTHER_SERVER = 12346;

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** A program with one ServerBackup whose inputs come from stack config. */
const BACKUP_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";
const config = new pulumi.Config();
const backup = new vps.ServerBackup("backup", {
  serverId: config.requireNumber("serverId"),
  description: config.get("description"),
  triggers: [config.get("trigger") ?? "t1"],
  createTimeout: config.get("createTimeout"),
  adoptBackupId: config.getNumber("adoptBackupId"),
}, { retainOnDelete: config.getBoolean("retain") ?? false });
export const backupId = backup.backupId;
export const status = backup.status;
export const sizeMb = backup.sizeMb;
`;

function backupIdsInState(resources: StateResource[]): number[] {
  return resources
    .filter((resource) => resource.type.endsWith(":ServerBackup") && resource.id)
    .map((resource) => Number(resource.id))
    .sort((a, b) => a - b);
}

function mutatingRequests(emulator: RunningEmulator): number {
  return (
    emulator.requests.count({ method: "POST" }) + emulator.requests.count({ method: "DELETE" })
  );
}

describe("ServerBackup under the real Pulumi engine", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack;
  const log: string[] = [];

  beforeEach(async () => {
    log.length = 0;
    emulator = await startEmulator({
      timeScale: 0.05,
      autoBackupIntervalMs: 0,
      log: (line) => log.push(line),
    });
  });

  // The stack (and any run of it still going) and the emulator end whatever failed. A stack
  // left from an earlier test is already disposed: disposing it again does nothing.
  afterEach(async () => {
    try {
      await stack?.dispose();
    } finally {
      await emulator.stop();
    }
  });

  async function backupStack(
    config: Record<string, string>,
    options: { copyPackage?: boolean } = {},
  ) {
    stack = await PulumiStack.create({
      program: BACKUP_PROGRAM,
      config: { "vps:apiUrl": emulator.url, ...config },
      secretConfig: { "vps:apiToken": emulator.demoToken },
      copyPackage: options.copyPackage,
    });
    return stack;
  }

  it("creates and waits for the backup; a second up changes nothing", async () => {
    const seeded = manualBackupIds(emulator);
    await backupStack({ serverId: String(SERVER), description: `e2e ${randomSuffix()}` });
    const up = await stack.up();
    expect(up.code).toBe(0);
    const outputs = await stack.outputs();
    expect(outputs.status).toBe("completed");
    expect(outputs.sizeMb).toEqual(expect.any(Number));
    expect(manualBackupIds(emulator)).toEqual(
      [...seeded, outputs.backupId].sort((a, b) => Number(a) - Number(b)),
    );

    const before = mutatingRequests(emulator);
    const again = await stack.up(["--expect-no-changes"]);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/2 unchanged/);
    expect(mutatingRequests(emulator)).toBe(before);

    const destroy = await stack.destroy();
    expect(destroy.code).toBe(0);
    expect(manualBackupIds(emulator)).toEqual(seeded);
  });

  it.each([
    ["description", { description: "second description" }],
    ["triggers", { trigger: "t2" }],
    ["serverId", { serverId: String(OTHER_SERVER) }],
  ])(
    "replaces the backup when %s changes, creating the new one before deleting the old",
    async (_name, change) => {
      await backupStack({ serverId: String(SERVER), description: "first description" });
      expect((await stack.up()).code).toBe(0);
      const first = Number((await stack.outputs()).backupId);

      for (const [key, value] of Object.entries(change)) await stack.setConfig(key, value);
      log.length = 0;
      const up = await stack.up();
      expect(up.code).toBe(0);
      expect(up.output).toMatch(/replaced/);
      const second = Number((await stack.outputs()).backupId);
      expect(second).not.toBe(first);

      const creates = log.findIndex((line) => line.startsWith("POST /api/v1/backups/ 201"));
      const deletes = log.findIndex((line) =>
        line.startsWith(`DELETE /api/v1/backups/${first}/ 204`),
      );
      expect(creates).toBeGreaterThanOrEqual(0);
      expect(deletes).toBeGreaterThan(creates);
      expect(manualBackupIds(emulator)).not.toContain(first);
      expect(manualBackupIds(emulator)).toContain(second);
    },
  );

  it("adopts an existing backup instead of creating one, replaces when adoptBackupId changes, and retainOnDelete keeps it", async () => {
    await backupStack({ serverId: String(SERVER), adoptBackupId: "499", retain: "true" });
    const posts = emulator.requests.count({ method: "POST" });
    expect((await stack.up()).code).toBe(0);
    const outputs = await stack.outputs();
    expect(outputs.backupId).toBe(499);
    expect(outputs.status).toBe("completed");
    expect(emulator.requests.count({ method: "POST" })).toBe(posts);

    // Another existing backup, made outside Pulumi, then adopted instead of 499.
    const client = new VpsClient({ baseUrl: emulator.url, apiToken: emulator.demoToken });
    const made = await client.createBackup({ serverId: SERVER, description: "made outside" });
    await client.waitForBackup(made.id, { serverId: SERVER, timeoutMs: 60_000 });
    await stack.setConfig("adoptBackupId", String(made.id));
    const up = await stack.up();
    expect(up.code).toBe(0);
    expect(up.output).toMatch(/replaced/);
    expect((await stack.outputs()).backupId).toBe(made.id);
    // retainOnDelete: the replaced (adopted) 499 stays on the platform.
    expect(manualBackupIds(emulator)).toContain(499);

    expect((await stack.destroy()).code).toBe(0);
    expect(manualBackupIds(emulator)).toEqual(expect.arrayContaining([499, made.id]));
  });

  it("updates createTimeout and apiUrl in place without an API call", async () => {
    await backupStack({ serverId: String(SERVER), createTimeout: "30m" });
    expect((await stack.up()).code).toBe(0);
    const id = (await stack.outputs()).backupId;

    const before = emulator.requests.count();
    await stack.setConfig("createTimeout", "45m");
    // Same emulator, another spelling of its URL: an in-place change of apiUrl.
    await stack.setConfig("vps:apiUrl", emulator.url.replace("127.0.0.1", "localhost"));
    const up = await stack.up();
    expect(up.code).toBe(0);
    expect(up.output).not.toMatch(/replaced/);
    expect((await stack.outputs()).backupId).toBe(id);
    expect(emulator.requests.count()).toBe(before);
  });

  it("changes nothing when only the provider's code changes", async () => {
    await backupStack({ serverId: String(SERVER) }, { copyPackage: true });
    expect((await stack.up()).code).toBe(0);
    const stateBefore = await stack.resourcesOfType("ServerBackup");

    const serialized = path.join(stack.packageDir, "dist", "provider", "serialized-providers.js");
    const source = fs.readFileSync(serialized, "utf8");
    const edited = source.replace(
      "create: (inputs) => providerRuntime().serverBackup.create(inputs)",
      "create: (inputs) => /* provider code v2 */ providerRuntime().serverBackup.create(inputs)",
    );
    expect(edited).not.toBe(source);
    fs.writeFileSync(serialized, edited);

    const before = mutatingRequests(emulator);
    const preview = await stack.preview(["--expect-no-changes"]);
    expect(preview.code).toBe(0);
    const up = await stack.up(["--expect-no-changes"]);
    expect(up.code).toBe(0);
    expect(mutatingRequests(emulator)).toBe(before);
    const stateAfter = await stack.resourcesOfType("ServerBackup");
    expect(stateAfter[0]?.id).toBe(stateBefore[0]?.id);
  });

  it("previews with known and unknown inputs without a single mutating API call", async () => {
    stack = await PulumiStack.create({
      program: `
import * as vps from "pulumi-vps-backups";
const first = new vps.ServerBackup("first", { serverId: ${SERVER}, description: "known" });
// Unknown during preview: the first backup's id does not exist yet.
const second = new vps.ServerBackup("second", {
  serverId: ${SERVER},
  description: first.backupId.apply((id) => "after " + id),
  triggers: [first.createdAt],
});
export const ids = [first.backupId, second.backupId];
`,
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    const before = mutatingRequests(emulator);
    const preview = await stack.preview();
    expect(preview.code).toBe(0);
    expect(preview.output).toMatch(/\+ 3 to create/);
    expect(mutatingRequests(emulator)).toBe(before);
  });

  it("refresh drops a backup deleted out of band and one that expired; the next preview plans only their re-creation", async () => {
    stack = await PulumiStack.create({
      program: `
import * as vps from "pulumi-vps-backups";
const a = new vps.ServerBackup("deleted", { serverId: ${SERVER}, description: "will be deleted" });
const b = new vps.ServerBackup("expired", { serverId: ${SERVER}, description: "will expire" });
const c = new vps.ServerBackup("kept", { serverId: ${SERVER}, description: "kept" });
export const ids = { deleted: a.backupId, expired: b.backupId, kept: c.backupId };
`,
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    expect((await stack.up()).code).toBe(0);
    const ids = (await stack.outputs()).ids as { deleted: number; expired: number; kept: number };
    emulator.state.deleteOutOfBand(ids.deleted);
    emulator.state.expireBackup(ids.expired);

    const refresh = await stack.refresh();
    expect(refresh.code).toBe(0);
    expect(backupIdsInState(await stack.resourcesOfType("ServerBackup"))).toEqual([ids.kept]);

    const preview = await stack.preview();
    expect(preview.code).toBe(0);
    expect(preview.output).toMatch(/\+ 2 to create/);
    expect(preview.output).not.toMatch(/to update|to replace|to delete/);
  });

  it("records a failed backup as partially created and replaces it on the next up", async () => {
    const seeded = manualBackupIds(emulator);
    await backupStack({ serverId: String(SERVER), description: "fails once" });
    emulator.state.queueNextBackup(SERVER, { outcome: "failed" });
    const up = await stack.up();
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/failed/i);
    const failed = emulator.state
      .inventory()
      .accounts.flatMap((a) => a.servers)
      .flatMap((s) => s.backups)
      .find((b) => b.status === "failed");
    expect(failed).toBeDefined();
    expect(up.output).toContain(String(failed?.id));
    expect(up.output).toContain(String(SERVER));
    // The engine kept the failed backup in state: nothing is orphaned. The record keeps the
    // provider's code, or the engine could never delete it.
    const [record] = await stack.resourcesOfType("ServerBackup");
    expect(backupIdsInState(record ? [record] : [])).toEqual([failed?.id]);
    expect(record?.outputs?.__provider).toEqual(expect.any(String));

    const retry = await stack.up();
    expect(retry.code).toBe(0);
    const state = backupIdsInState(await stack.resourcesOfType("ServerBackup"));
    expect(state).not.toContain(failed?.id);
    // The inventory holds exactly the seed plus what the state knows: the failed one is gone.
    expect(manualBackupIds(emulator)).toEqual([...seeded, ...state].sort((a, b) => a - b));
  });

  it("records a backup that outlasts createTimeout, and the next up waits for that same backup (no new POST)", async () => {
    await backupStack({ serverId: String(SERVER), description: "stuck", createTimeout: "3s" });
    emulator.state.queueNextBackup(SERVER, { outcome: "stuck" });
    const up = await stack.up();
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/createTimeout/);
    const [stuck] = backupIdsInState(await stack.resourcesOfType("ServerBackup"));
    expect(stuck).toBeDefined();
    expect(up.output).toContain(String(stuck));
    expect(manualBackupIds(emulator)).toContain(stuck);

    // It finishes later; the next up picks it up instead of posting another one.
    emulator.state.finishBackup(stuck as number, "completed");
    const posts = emulator.requests.count({ method: "POST", route: "/backups/" });
    const retry = await stack.up();
    expect(retry.code).toBe(0);
    expect(emulator.requests.count({ method: "POST", route: "/backups/" })).toBe(posts);
    expect(backupIdsInState(await stack.resourcesOfType("ServerBackup"))).toEqual([stuck]);
    expect((await stack.outputs()).status).toBe("completed");
  });

  it("destroy leaves the emulator's inventory as it was before the stack existed", async () => {
    const before = JSON.stringify(manualBackupIds(emulator));
    stack = await PulumiStack.create({
      example: "fleet",
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    expect((await stack.up()).code).toBe(0);
    expect(manualBackupIds(emulator).length).toBeGreaterThan(JSON.parse(before).length);
    expect((await stack.destroy()).code).toBe(0);
    expect(JSON.stringify(manualBackupIds(emulator))).toBe(before);
  });
});

describe("secrets and credentials under the real Pulumi engine", () => {
  const canary = `canary-${randomSuffix()}${randomSuffix()}`;
  let emulator: RunningEmulator;
  let stack: PulumiStack | undefined;

  const seed: SeedDocument = {
    accounts: [
      {
        id: "canary-account",
        token: canary,
        servers: [{ id: 777, name: "canary-server", disk_gb: 20, backups: [] }],
      },
    ],
  };

  beforeEach(async () => {
    emulator = await startEmulator({ seed, timeScale: 0.05, autoBackupIntervalMs: 0 });
  });
  afterEach(async () => {
    try {
      await stack?.dispose();
    } finally {
      stack = undefined;
      await emulator.stop();
    }
  });

  function forms(secret: string): string[] {
    return [
      secret,
      Buffer.from(secret).toString("base64"),
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
    ];
  }

  it("never writes the token to the state, the CLI output or the provider's logs, and marks it secret", async () => {
    stack = await PulumiStack.create({
      program: `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";
const config = new pulumi.Config();
// One backup with the token from stack config, one with a per-resource override.
const fromConfig = new vps.ServerBackup("from-config", { serverId: 777, description: "config token" });
const override = new vps.ServerBackup("override", {
  serverId: 777,
  description: "override token",
  apiToken: config.requireSecret("overrideToken"),
});
export const ids = [fromConfig.backupId, override.backupId];
`,
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": canary, overrideToken: canary },
    });
    const up = await stack.up(["--verbose=3", "--logtostderr"]);
    expect(up.code).toBe(0);
    const refresh = await stack.refresh();
    const exported = await stack.exportState();
    const destroyPreview = await stack.preview();
    const everything = [up.output, refresh.output, destroyPreview.output, exported.text].join("\n");
    for (const form of forms(canary)) expect(everything).not.toContain(form);

    const override = exported.resources.find((r) => r.urn.endsWith("::override"));
    const tokenInput = override?.inputs?.apiToken as Record<string, unknown> | undefined;
    // The engine's secret signature: stored encrypted, never as text.
    expect(tokenInput?.["4dabf18193072939515e22adb298388d"]).toBe(
      "1b47061264138c4ac30d75fd1eb44270",
    );
    for (const resource of exported.resources) {
      const provider = resource.inputs?.__provider;
      if (typeof provider === "string") expect(provider.length).toBeLessThan(4096);
    }
  });

  it("passes stack config to the provider; a wrong token fails with the client's clear 401 message", async () => {
    stack = await PulumiStack.create({
      program: `
import * as vps from "pulumi-vps-backups";
const backup = new vps.ServerBackup("b", { serverId: 777, description: "wrong token" });
export const id = backup.backupId;
`,
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": `wrong-${canary}` },
    });
    const up = await stack.up();
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/401/);
    expect(up.output).toMatch(/token/i);
    expect(up.output).not.toContain(`wrong-${canary}`);
    expect(emulator.state.inventory().accounts[0]?.servers[0]?.backups).toHaveLength(0);

    await stack.setConfig("vps:apiToken", canary, { secret: true });
    const retry = await stack.up();
    expect(retry.code).toBe(0);
    expect(emulator.state.inventory().accounts[0]?.servers[0]?.backups).toHaveLength(1);
  });
});
