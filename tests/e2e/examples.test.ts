/**
 * Every example under examples/ is a complete Pulumi project: each runs `pulumi up` and
 * `pulumi destroy` cleanly against the emulator, and leaves the platform as it found it. Only
 * the restore drill restores, and only when its opt-in is set: the quick start (the
 * repository's own program, which `npm run demo` runs) never does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import * as engine from "../../tools/pulumi-engine/engine.cjs";
import { PulumiStack } from "../../tools/pulumi-engine/stack";

jest.setTimeout(240_000);

/** The one route that overwrites a server. */
const RESTORE_ROUTE = "/servers/{serverId}/restore/";

/** Config each example needs beyond credentials: the restore drill's explicit opt-in. */
const EXAMPLE_CONFIG: Record<string, Record<string, string>> = {
  restore: { restoreServerId: "12345" },
};

function restoresRequested(emulator: RunningEmulator): number {
  return emulator.requests.count({ method: "POST", route: RESTORE_ROUTE });
}

const ALL_EXAMPLES = fs
  .readdirSync(path.join(engine.REPO_ROOT, "examples"))
  .filter((name) => fs.existsSync(path.join(engine.REPO_ROOT, "examples", name, "Pulumi.yaml")));
/** The TypeScript programs on the dynamic provider; the YAML one has tests/e2e/native/yaml.test.ts. */
const EXAMPLES = ALL_EXAMPLES.filter((name) =>
  fs.existsSync(path.join(engine.REPO_ROOT, "examples", name, "index.ts")),
);

/** Manual backups and server statuses: what a stack may change, and must put back. */
function platformSnapshot(emulator: RunningEmulator): string {
  const inventory = emulator.state.inventory();
  return JSON.stringify(
    inventory.accounts.flatMap((account) =>
      account.servers.map((server) => ({
        server: server.id,
        manual: server.backups.filter((b) => b.backup_type === "manual").map((b) => b.id),
      })),
    ),
  );
}

describe("examples", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ timeScale: 0.02, autoBackupIntervalMs: 0 });
  });
  afterEach(async () => {
    if (stack) await stack.dispose();
    stack = undefined;
    await emulator.stop();
  });

  it("lists the documented examples: five TypeScript programs and the YAML, Go and Python quick starts", () => {
    expect(EXAMPLES.sort()).toEqual(["fleet", "lookup", "pre-deploy", "quickstart", "restore"]);
    expect(ALL_EXAMPLES.filter((name) => !EXAMPLES.includes(name))).toEqual([
      "go-quickstart", // tests/e2e/native/go-program.test.ts
      "python-quickstart", // tests/e2e/native/python-program.test.ts
      "yaml-quickstart",
    ]);
  });

  it.each(EXAMPLES)("%s runs up and destroy cleanly", async (example) => {
    const before = platformSnapshot(emulator);
    stack = await PulumiStack.create({
      example,
      config: { "vps:apiUrl": emulator.url, ...EXAMPLE_CONFIG[example] },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    const up = await stack.up();
    if (up.code !== 0) throw new Error(`pulumi up of ${example} failed:\n${up.output}`);
    const outputs = await stack.outputs();
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
    // Only the opted-in restore drill restores, and once.
    expect(restoresRequested(emulator)).toBe(example === "restore" ? 1 : 0);
    const restores = await stack.resourcesOfType("ServerRestore");
    expect(restores).toHaveLength(example === "restore" ? 1 : 0);

    const again = await stack.preview(["--expect-no-changes"]);
    if (again.code !== 0) throw new Error(`${example} is not stable after up:\n${again.output}`);

    const destroy = await stack.destroy();
    if (destroy.code !== 0)
      throw new Error(`pulumi destroy of ${example} failed:\n${destroy.output}`);
    expect(platformSnapshot(emulator)).toBe(before);
  });

  it("the repository's own program (the demo's stack) is the quick start", () => {
    const rootProject = fs.readFileSync(path.join(engine.REPO_ROOT, "Pulumi.yaml"), "utf8");
    expect(rootProject).toMatch(/^main: examples\/quickstart\/index\.ts$/m);
  });

  it("the quick start never restores, across up, a new app version, refresh and destroy", async () => {
    stack = await PulumiStack.create({
      example: "quickstart",
      config: { "vps:apiUrl": emulator.url, appVersion: "1.0.0" },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    expect((await stack.up()).code).toBe(0);
    await stack.setConfig("appVersion", "1.1.0");
    expect((await stack.up()).code).toBe(0);
    expect((await stack.refresh()).code).toBe(0);
    expect(await stack.resourcesOfType("ServerRestore")).toEqual([]);
    expect((await stack.destroy()).code).toBe(0);
    expect(restoresRequested(emulator)).toBe(0);
  });

  it("the restore drill without its opt-in restores nothing and says how to opt in", async () => {
    const before = platformSnapshot(emulator);
    stack = await PulumiStack.create({
      example: "restore",
      config: { "vps:apiUrl": emulator.url, backupId: "499" },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    const up = await stack.up();
    if (up.code !== 0) throw new Error(`pulumi up of restore failed:\n${up.output}`);
    expect(up.output).toContain("pulumi config set restoreServerId");
    const outputs = await stack.outputs();
    expect(outputs.restoreDrill).toBe("off (set restoreServerId to opt in)");
    expect(outputs.restoredServerId).toBeUndefined();
    const { resources } = await stack.exportState();
    expect(resources.filter((resource) => resource.custom)).toEqual([]);
    expect(restoresRequested(emulator)).toBe(0);
    expect((await stack.destroy()).code).toBe(0);
    expect(platformSnapshot(emulator)).toBe(before);
  });

  it("pre-deploy takes a new backup when the app version changes, before the deploy", async () => {
    stack = await PulumiStack.create({
      example: "pre-deploy",
      config: { "vps:apiUrl": emulator.url, appVersion: "1.0.0" },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    expect((await stack.up()).code).toBe(0);
    const first = await stack.outputs();
    await stack.setConfig("appVersion", "1.1.0");
    const up = await stack.up();
    expect(up.code).toBe(0);
    const second = await stack.outputs();
    expect(second.deployedVersion).toBe("1.1.0");
    expect(second.safetyBackupId).not.toBe(first.safetyBackupId);
  });
});
