/**
 * What an interrupted `pulumi up` leaves behind while a backup is being waited for. Pulumi
 * never passes Cancel or customTimeouts to a dynamic provider, so the provider keeps its own
 * deadline (createTimeout) and stops its waits on SIGINT, throwing errors that carry the
 * backup's id: the engine then records the backup instead of forgetting it.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PulumiStack, type RunningPulumi } from "../../tools/pulumi-engine/stack";

jest.setTimeout(180_000);

const SERVER = 12345;
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";
const config = new pulumi.Config();
const backup = new vps.ServerBackup("interrupted", {
  serverId: ${SERVER},
  description: "interrupted " + config.require("suffix"),
  createTimeout: config.get("createTimeout"),
});
export const backupId = backup.backupId;
export const status = backup.status;
`;

function manualBackups(emulator: RunningEmulator, description: string) {
  return emulator.state
    .inventory()
    .accounts.flatMap((account) => account.servers)
    .flatMap((server) => server.backups)
    .filter((backup) => backup.description === description);
}

async function untilCreating(output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!/ServerBackup interrupted creating/.test(output())) {
    if (Date.now() > deadline) throw new Error(`the create never started:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The POST is answered quickly; give the provider time to be waiting.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

describe("an interrupted pulumi up", () => {
  let emulator: RunningEmulator;
  let stack: PulumiStack;
  let run: RunningPulumi | undefined;
  const suffix = Math.random().toString(36).slice(2, 8);
  const description = `interrupted ${suffix}`;

  beforeEach(async () => {
    emulator = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
    emulator.state.queueNextBackup(SERVER, { outcome: "stuck" });
  });
  afterEach(async () => {
    if (run) await run.killSession();
    run = undefined;
    await stack.run(["cancel", "--yes"]);
    await stack.dispose();
    await emulator.stop();
  });

  async function startStack(config: Record<string, string>) {
    stack = await PulumiStack.create({
      program: PROGRAM,
      config: { "vps:apiUrl": emulator.url, suffix, ...config },
      secretConfig: { "vps:apiToken": emulator.demoToken },
    });
    let output = "";
    run = stack.startUp([], { onOutput: (chunk) => (output += chunk) });
    await untilCreating(() => output);
  }

  it("SIGINT to every process of the run (a cancelled CI job): the backup is recorded at once, nothing pending, nothing orphaned", async () => {
    await startStack({});
    expect(run?.signalSession("SIGINT")).toBeGreaterThanOrEqual(2);
    const result = await run!.exited;
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/interrupted while it was in_progress/);

    const [made] = manualBackups(emulator, description);
    expect(made).toBeDefined();
    const state = await stack.exportState();
    expect(state.pendingOperations).toEqual([]);
    const recorded = state.resources.filter((r) => r.type.endsWith(":ServerBackup"));
    expect(recorded.map((r) => Number(r.id))).toEqual([made?.id]);

    // The next up waits for the same backup instead of making another one.
    emulator.state.finishBackup(made!.id, "completed");
    const posts = emulator.requests.count({ method: "POST", route: "/backups/" });
    const retry = await stack.up();
    expect(retry.code).toBe(0);
    expect(emulator.requests.count({ method: "POST", route: "/backups/" })).toBe(posts);
    expect(await stack.outputs()).toMatchObject({ backupId: made?.id, status: "completed" });
  });

  it("Ctrl-C once (SIGINT to the CLI only): the engine waits for the running create, which ends at its createTimeout and is recorded", async () => {
    await startStack({ createTimeout: "8s" });
    process.kill(run!.pid, "SIGINT");
    const result = await run!.exited;
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/cancelling/);
    expect(result.output).toMatch(/createTimeout \(8s\) ran out/);

    const [made] = manualBackups(emulator, description);
    const state = await stack.exportState();
    expect(state.pendingOperations).toEqual([]);
    expect(
      state.resources.filter((r) => r.type.endsWith(":ServerBackup")).map((r) => Number(r.id)),
    ).toEqual([made?.id]);
  });
});
