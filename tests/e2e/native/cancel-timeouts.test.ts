/**
 * What the engine gives a native provider and not a dynamic one: `customTimeouts` reach the
 * wait, and Ctrl-C reaches it as Cancel. Both leave the backup recorded (partially created),
 * and the next `pulumi up` waits for the same backup instead of making another.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PulumiStack, type RunningPulumi } from "../../../tools/pulumi-engine/stack";

jest.setTimeout(300_000);

const SERVER = 12345;

function program(options: string): string {
  return [
    "name: vps-backups-yaml-quickstart", // the project the stack was created for
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: vps",
    "      path: node_modules/pulumi-vps-backups/bin",
    "resources:",
    "  backup:",
    "    type: vps:index:ServerBackup",
    "    properties:",
    `      serverId: ${SERVER}`,
    "      description: native wait",
    options,
    "outputs:",
    "  backupId: ${backup.backupId}",
    "  status: ${backup.status}",
    "",
  ].join("\n");
}

function backupPosts(emulator: RunningEmulator): number {
  return emulator.requests.count({ method: "POST", route: "/backups/" });
}

describe("pulumi-resource-vps: customTimeouts and Cancel", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack | undefined;
  let run: RunningPulumi | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
    // About 2 min of real time at this scale: far longer than the waits below allow.
    emulator.state.queueNextBackup(SERVER, { outcome: "completed", durationMs: 40 * 60_000 });
  });

  afterEach(async () => {
    if (run) await run.killSession();
    run = undefined;
    if (stack) {
      await stack.run(["cancel", "--yes"]);
      await stack.dispose();
    }
    stack = undefined;
    await emulator.stop();
  });

  async function yamlStack(options: string): Promise<PulumiStack> {
    stack = await PulumiStack.create({
      example: "yaml-quickstart",
      config: { "vps:apiUrl": emulator.url },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    fs.writeFileSync(path.join(stack.projectDir, "Pulumi.yaml"), program(options));
    return stack;
  }

  async function recordedBackup(current: PulumiStack) {
    const [backup] = await current.resourcesOfType("ServerBackup");
    return backup;
  }

  it("customTimeouts.create bounds the wait; the backup is recorded; the next up waits for it", async () => {
    const current = await yamlStack("    options:\n      customTimeouts:\n        create: 3s");
    const up = await current.up();
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/createTimeout \(3s\) ran out/);
    const partial = await recordedBackup(current);
    expect(partial?.id).toEqual(expect.any(String));
    expect(backupPosts(emulator)).toBe(1);
    // The user's input is recorded, not the engine's timeout.
    expect(partial?.outputs?.createTimeout).toBeUndefined();

    fs.writeFileSync(path.join(current.projectDir, "Pulumi.yaml"), program(""));
    emulator.advanceClock(45 * 60_000);
    const again = await current.up();
    if (again.code !== 0) throw new Error(`the second up failed:\n${again.output}`);
    expect(backupPosts(emulator)).toBe(1);
    expect((await current.outputs()).backupId).toBe(Number(partial?.id));
    expect((await current.outputs()).status).toBe("completed");
    expect((await current.destroy()).code).toBe(0);
  });

  /** Starts `pulumi up` and resolves once the backup was accepted and the provider polls it. */
  async function upUntilWaiting(current: PulumiStack): Promise<RunningPulumi> {
    let output = "";
    const started = current.spawn(["up", "--yes", "--non-interactive", "--skip-preview"], {
      onOutput: (chunk) => (output += chunk),
    });
    run = started;
    // Wait for the event: the backup was accepted and the provider polls it.
    const deadline = Date.now() + 120_000;
    while (backupPosts(emulator) === 0 || emulator.requests.count({ method: "GET" }) === 0) {
      if (Date.now() > deadline || /\berror:/.test(output))
        throw new Error(`the create never started:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return started;
  }

  it("SIGINT to every process of the run (a cancelled CI job): the plugin answers with the backup, which is recorded; the next up makes no new one", async () => {
    const current = await yamlStack("");
    const started = await upUntilWaiting(current);
    // The CLI, the YAML host and the plugin at the least.
    expect(started.signalSession("SIGINT")).toBeGreaterThanOrEqual(3);
    const result = await started.exited;
    run = undefined;
    expect(result.code).not.toBe(0);
    const recorded = await recordedBackup(current);
    const posted = emulator.requests.count({ method: "POST", route: "/backups/", status: 201 });
    expect(posted).toBe(1);
    expect(recorded?.outputs?.status).toBe("in_progress");

    emulator.state.finishBackup(Number(recorded?.id), "completed");
    const again = await current.up();
    if (again.code !== 0) throw new Error(`the second up failed:\n${again.output}`);
    expect(backupPosts(emulator)).toBe(1);
    expect((await current.outputs()).backupId).toBe(Number(recorded?.id));
  });

  it("Ctrl-C (SIGINT to the CLI) cancels the wait at once; the backup is recorded, not orphaned", async () => {
    const current = await yamlStack("");
    const started = await upUntilWaiting(current);
    process.kill(started.pid, "SIGINT");
    const result = await started.exited;
    run = undefined;
    expect(result.code).not.toBe(0);
    // The run ended because the wait was cancelled, not because the backup finished: the
    // state records it as it was at the cancel, still in progress.
    const recorded = await recordedBackup(current);
    const inventory = emulator.state
      .inventory()
      .accounts.flatMap((account) => account.servers)
      .flatMap((server) => server.backups)
      .filter((backup) => backup.description === "native wait");
    expect(inventory).toHaveLength(1);
    expect(recorded?.id).toBe(String(inventory[0]?.id));
    expect(recorded?.outputs?.status).toBe("in_progress");
  });
});
