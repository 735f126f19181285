/**
 * The native plugin `pulumi-resource-vps` under the real Pulumi engine, from a Pulumi YAML
 * program (examples/yaml-quickstart), against the emulator: up creates and waits, a preview
 * shows no changes, destroy deletes; `pulumi import` records an existing backup.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { VpsClient } from "../../../sdk";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { manualBackupIds } from "../../support/emulator";

jest.setTimeout(300_000);

const SERVER = 12345;

function mutatingRequests(emulator: RunningEmulator): number {
  return (
    emulator.requests.count({ method: "POST" }) + emulator.requests.count({ method: "DELETE" })
  );
}

describe("pulumi-resource-vps from Pulumi YAML", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
  });

  afterEach(async () => {
    if (stack) await stack.dispose();
    stack = undefined;
    await emulator.stop();
  });

  async function yamlStack(): Promise<PulumiStack> {
    stack = await PulumiStack.create({
      example: "yaml-quickstart",
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    return stack;
  }

  it("up creates and waits, preview shows no changes, destroy deletes", async () => {
    const seeded = manualBackupIds(emulator);
    const current = await yamlStack();
    const up = await current.up();
    if (up.code !== 0) throw new Error(`pulumi up failed:\n${up.output}`);
    const outputs = await current.outputs();
    expect(outputs.status).toBe("completed");
    expect(outputs.sizeMb).toEqual(expect.any(Number));
    expect(outputs.completedBackupsBefore).toEqual(expect.any(Number));
    expect(manualBackupIds(emulator)).toEqual(
      [...seeded, Number(outputs.backupId)].sort((a, b) => a - b),
    );
    const [backup] = await current.resourcesOfType("ServerBackup");
    expect(backup?.type).toBe("vps:index:ServerBackup");
    expect(backup?.id).toBe(String(outputs.backupId));
    expect(JSON.stringify(await current.exportState())).not.toContain(emulator.demoToken);

    const writes = mutatingRequests(emulator);
    const preview = await current.preview(["--expect-no-changes"]);
    if (preview.code !== 0) throw new Error(`preview shows changes:\n${preview.output}`);
    expect(mutatingRequests(emulator)).toBe(writes);

    const destroy = await current.destroy();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed:\n${destroy.output}`);
    expect(manualBackupIds(emulator)).toEqual(seeded);
  });

  it("pulumi import records an existing backup; a missing id is a clear error", async () => {
    const current = await yamlStack();
    const client = new VpsClient({ baseUrl: emulator.url, apiToken: emulator.demoToken });
    const existing = await client.createBackup({
      serverId: SERVER,
      description: "made outside Pulumi",
    });
    await client.waitForBackup(existing.id, { serverId: SERVER });

    const missing = await current.run([
      "import",
      "vps:index:ServerBackup",
      "ghost",
      "999999",
      "--yes",
      "--non-interactive",
      "--protect=false",
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('cannot import ServerBackup "999999"');
    expect(missing.output).not.toMatch(/does not support importing/);

    const imported = await current.run([
      "import",
      "vps:index:ServerBackup",
      "adopted",
      String(existing.id),
      "--yes",
      "--non-interactive",
      "--protect=false",
    ]);
    if (imported.code !== 0) throw new Error(`pulumi import failed:\n${imported.output}`);
    const recorded = (await current.resourcesOfType("ServerBackup")).find((resource) =>
      resource.urn.endsWith("::adopted"),
    );
    expect(recorded?.id).toBe(String(existing.id));
    expect(recorded?.inputs).toMatchObject({
      serverId: SERVER,
      description: "made outside Pulumi",
    });
    expect(recorded?.outputs).toMatchObject({ backupId: existing.id, status: "completed" });

    // The program does not declare it: destroy deletes it from the platform.
    const destroy = await current.destroy();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed:\n${destroy.output}`);
    expect(manualBackupIds(emulator)).not.toContain(existing.id);
  });
});
