/**
 * Moving a stack from the dynamic `ServerBackup` to the native plugin's `vps:index:ServerBackup`,
 * step by step as docs/migrating-to-native.md says (its programs are tests/fixtures/migration/):
 * list the backups, declare native twins that adopt them while the dynamic ones are retained,
 * `up`, drop the dynamic declarations, `up`. Nothing may be written to the API: the emulator's
 * inventory is the same before and after, with no POST and no DELETE in between.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { expectSuccess } from "../../support/pulumi-run";

jest.setTimeout(1_200_000);

const FIXTURES = path.join(engine.REPO_ROOT, "tests", "fixtures", "migration");
const NAMES = ["pre-deploy", "weekly", "staging"];
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/vps:ServerBackup";
const NATIVE_TYPE = "vps:index:ServerBackup";

/** What step 0 of the guide adds to Pulumi.yaml: where the engine finds pulumi-resource-vps. */
const PLUGIN_ENTRY =
  "plugins:\n  providers:\n    - name: vps\n      path: node_modules/pulumi-vps-backups/bin\n";

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), "utf8");
}

/** A fixture program with each `adoptBackupId: 0 /* name *\/` set to the listed backup id. */
function withIds(source: string, ids: Map<string, string>): string {
  return source.replace(/\badoptBackupId: 0 \/\* ([a-z-]+) \*\//g, (_match, name: string) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`the listing printed no backup for ${name}`);
    return `adoptBackupId: ${id}`;
  });
}

/** The emulator's accounts, servers and backups (without the clock, which moves on its own). */
function inventory(emulator: RunningEmulator): unknown {
  const { accounts, nextBackupId } = emulator.state.inventory();
  return { accounts, nextBackupId };
}

function writes(emulator: RunningEmulator): number {
  return (
    emulator.requests.count({ method: "POST" }) + emulator.requests.count({ method: "DELETE" })
  );
}

describe("moving a stack from the dynamic to the native ServerBackup", () => {
  let emulator: RunningEmulator | undefined;
  let stack: PulumiStack | undefined;

  afterEach(async () => {
    try {
      if (stack) await stack.dispose();
    } finally {
      stack = undefined;
      await emulator?.stop();
      emulator = undefined;
    }
  });

  it("keeps every backup: same ids, no API write, then no changes", async () => {
    const api = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
    emulator = api;
    const current = await PulumiStack.create({
      program: fixture("1-dynamic.ts"),
      config: { "vps:apiUrl": api.url },
      secretConfig: { "vps:apiToken": api.demoToken },
    });
    stack = current;
    expectSuccess("pulumi up (dynamic)", await current.up());
    const dynamic = await current.resourcesOfType("ServerBackup");
    expect(dynamic.map((r) => r.type)).toEqual([DYNAMIC_TYPE, DYNAMIC_TYPE, DYNAMIC_TYPE]);

    const inventoryBefore = inventory(api);
    api.requests.clear();

    // Step 0: the plugin is declared in Pulumi.yaml.
    fs.appendFileSync(path.join(current.projectDir, "Pulumi.yaml"), PLUGIN_ENTRY);

    // Step 1: list the dynamic backups, name and id.
    const exported = await current.mustRun(["stack", "export"]);
    const listing = spawnSync(process.execPath, [path.join(FIXTURES, "list-dynamic-backups.js")], {
      input: exported.stdout,
      encoding: "utf8",
    });
    expect(listing.status).toBe(0);
    const ids = new Map(
      listing.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(" ") as [string, string]),
    );
    expect([...ids.keys()].sort()).toEqual([...NAMES].sort());
    for (const resource of dynamic) {
      expect(ids.get(resource.urn.split("::").pop() ?? "")).toBe(resource.id);
    }

    // Step 2: native twins adopt the backups; the dynamic ones are retained on delete.
    current.writeProgram(withIds(fixture("2-both.ts"), ids));
    expectSuccess("pulumi up (both)", await current.up());

    // Step 3: the dynamic declarations go; the next up forgets them without deleting.
    current.writeProgram(withIds(fixture("3-native.ts"), ids));
    const preview = await current.preview();
    expectSuccess("pulumi preview (native only)", preview);
    expect(preview.output).toMatch(/delete\[retain\]|retain/);
    expectSuccess("pulumi up (native only)", await current.up());

    // Step 4: nothing left to do.
    expectSuccess(
      "pulumi preview --expect-no-changes",
      await current.preview(["--expect-no-changes"]),
    );

    expect(writes(api)).toBe(0);
    expect(inventory(api)).toEqual(inventoryBefore);
    const after = await current.resourcesOfType("ServerBackup");
    expect(after.map((r) => r.type)).toEqual([NATIVE_TYPE, NATIVE_TYPE, NATIVE_TYPE]);
    expect(new Map(after.map((r) => [r.urn.split("::").pop(), r.id]))).toEqual(ids);
    for (const resource of after) {
      expect(resource.outputs).toMatchObject({
        backupId: Number(resource.id),
        status: "completed",
      });
    }
    expect((await current.exportState()).text).not.toContain(api.demoToken);
  });
});
