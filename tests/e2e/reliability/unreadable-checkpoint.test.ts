/**
 * A `pulumi up` killed while the file backend saves the stack: the engine's file backend
 * renames each new state file over the old one (atomic), but first rewrites its `.attrs`
 * metadata sidecar in place, so a kill between the truncate and the write leaves that sidecar
 * empty. Reliability test 2 met it once in about a hundred random kills: every pulumi command
 * on the stack then failed with `failed to load checkpoint: EOF`. A random kill lands there
 * too rarely to test on purpose, so this test leaves the sidecars exactly as such a kill does
 * (empty) and checks, with the real engine, that pulumi fails on them and that
 * `vps-backups recover` gives the stack back, with its state as last saved.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { runRecover, serverBackupIds } from "./interrupted-up-recovery";

const PROGRAM = `
import * as vps from "pulumi-vps-backups";
const backup = new vps.ServerBackup("kept", { serverId: 12345, description: "unreadable-checkpoint" });
export const backupId = backup.backupId;
`;

/** The stack's sidecars under the backend's folder whose path matches `pattern`. */
function sidecars(stack: PulumiStack, pattern: RegExp): string[] {
  const root = path.join(stack.workDir, "state", ".pulumi");
  return fs
    .readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((relative) => path.join(root, relative))
    .filter((file) => file.endsWith(".attrs") && pattern.test(file));
}

describe("a stack whose metadata a kill left empty", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 0.01, autoBackupIntervalMs: 0 });
  });

  afterAll(async () => {
    if (stack) await stack.dispose();
    await emulator.stop();
  });

  it("cannot be read by pulumi, and recover gives it back as last saved", async () => {
    stack = await PulumiStack.create({
      program: PROGRAM,
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    const up = await stack.up();
    expect(up.code).toBe(0);
    const saved = serverBackupIds((await stack.exportState()).resources);
    expect(saved).toHaveLength(1);

    // What a kill between the sidecar's truncate and its write leaves: the state file's
    // sidecar, and one of the history's.
    const stateSidecar = sidecars(
      stack,
      new RegExp(`stacks/.*/${stack.stackName}\\.json\\.attrs$`),
    );
    const historySidecar = sidecars(stack, /history\/.*\.history\.json\.attrs$/).slice(0, 1);
    expect(stateSidecar).toHaveLength(1);
    expect(historySidecar).toHaveLength(1);
    const broken = [...stateSidecar, ...historySidecar].sort();
    for (const file of broken) fs.writeFileSync(file, "");

    const unreadable = await stack.run(["stack", "export"]);
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.output).toContain("failed to load checkpoint: EOF");

    const api = { url: emulator.url, token: emulator.demoToken };
    const { report: plan } = await runRecover(stack, api, { plan: true });
    expect(plan).toMatchObject({ brokenMetadata: broken, brokenMetadataRemoved: false });
    for (const file of broken) expect(fs.readFileSync(file, "utf8")).toBe("");

    const { report } = await runRecover(stack, api);
    expect(report).toMatchObject({
      brokenMetadata: broken,
      brokenMetadataRemoved: true,
      recorded: saved,
      deleted: [],
    });
    for (const file of broken) expect(fs.existsSync(file)).toBe(false);
    expect(serverBackupIds((await stack.exportState()).resources)).toEqual(saved);
    const history = await stack.run(["stack", "history", "--json"]);
    expect(history.code).toBe(0);
    const again = await stack.up(["--expect-no-changes"]);
    expect(again.code).toBe(0);
  });
});
