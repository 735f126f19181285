/**
 * What an interrupted `pulumi up` leaves behind while a backup is being waited for. Pulumi
 * never passes Cancel or customTimeouts to a dynamic provider, so the provider keeps its own
 * deadline (createTimeout) and stops its waits on SIGINT, throwing errors that carry the
 * backup's id: the engine then records the backup instead of forgetting it.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PulumiStack, type RunningPulumi } from "../../tools/pulumi-engine/stack";

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

/**
 * Resolves once the provider is waiting for the backup: the engine reported the create, the
 * emulator answered its POST, and a status poll followed. (The test's budget bounds the wait.)
 */
async function untilWaiting(output: () => string, requestLog: string[]): Promise<void> {
  const waiting = () => {
    const created = requestLog.findIndex((line) => line.startsWith("POST /api/v1/backups/ 201"));
    return (
      /ServerBackup interrupted creating/.test(output()) &&
      created >= 0 &&
      requestLog.slice(created + 1).some((line) => line.startsWith("GET "))
    );
  };
  while (!waiting()) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("an interrupted pulumi up", () => {
  let emulator: RunningEmulator | undefined;
  let stack: PulumiStack | undefined;
  let run: RunningPulumi | undefined;
  const requestLog: string[] = [];
  const suffix = Math.random().toString(36).slice(2, 8);
  const description = `interrupted ${suffix}`;

  beforeEach(async () => {
    requestLog.length = 0;
    emulator = await startEmulator({
      timeScale: 0.05,
      autoBackupIntervalMs: 0,
      log: (line) => requestLog.push(line),
    });
    emulator.state.queueNextBackup(SERVER, { outcome: "stuck" });
  });
  // Everything the test started ends, whatever failed: the run, the stack's lock, the emulator.
  afterEach(async () => {
    try {
      await run?.killSession();
      await stack?.run(["cancel", "--yes"]);
      await stack?.dispose();
    } finally {
      run = undefined;
      stack = undefined;
      await emulator?.stop();
      emulator = undefined;
    }
  });

  async function startStack(config: Record<string, string>) {
    const api = emulator!;
    stack = await PulumiStack.create({
      program: PROGRAM,
      config: { "vps:apiUrl": api.url, suffix, ...config },
      secretConfig: { "vps:apiToken": api.demoToken },
    });
    let output = "";
    run = stack.startUp([], { onOutput: (chunk) => (output += chunk) });
    await untilWaiting(() => output, requestLog);
    return { emulator: api, stack, run };
  }

  it("SIGINT to every process of the run (a cancelled CI job): the backup is recorded at once, nothing pending, nothing orphaned", async () => {
    const { emulator, stack, run } = await startStack({});
    expect(run.signalSession("SIGINT")).toBeGreaterThanOrEqual(2);
    const result = await run.exited;
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
    const { emulator, stack, run } = await startStack({ createTimeout: "8s" });
    process.kill(run.pid, "SIGINT");
    const result = await run.exited;
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
