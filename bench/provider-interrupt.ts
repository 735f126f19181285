/**
 * Ctrl-C during `pulumi up` of one backup that never completes by itself (the emulator's
 * "stuck" outcome), for either provider: how long the CLI takes to return after SIGINT, its
 * exit code, whether the backup is in the state, and whether the next `pulumi up` (after the
 * backup is finished in the emulator) makes a new create POST.
 */
import { startEmulator } from "../emulator";
import { benchToken, disposeStack, requireSuccess, seedWithServers } from "./engine-stacks";
import {
  type CompiledSdk,
  type ProviderKind,
  backupsProgram,
  providerStack,
} from "./provider-variants";
import type { PulumiStack } from "../tools/pulumi-engine/stack";

/** Who gets the SIGINT: the CLI only (Ctrl-C in a terminal) or every process of the run (a CI cancel). */
export type InterruptTarget = "cli" | "session";

export interface InterruptFigures {
  /** From the SIGINT to the CLI's exit. */
  seconds: number;
  exitCode: number | null;
  /** The ids of the ServerBackup resources in the state after the interrupted run. */
  recordedIds: string[];
  pendingOperations: number;
  /** Create POSTs made by the next `pulumi up` (0 when the interrupted run recorded the backup). */
  nextUpPosts: number;
}

const CREATE_ANSWERED = /^POST \/api\/v1\/backups\/? 201/;

export async function interruptedUp(
  kind: ProviderKind,
  sdk: CompiledSdk,
  target: InterruptTarget,
  createTimeout: string,
): Promise<InterruptFigures> {
  const token = benchToken();
  const serverId = 70_000 + Math.floor(Math.random() * 1000);
  let createAnswered: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (createAnswered = resolve));
  const emulator = await startEmulator({
    seed: seedWithServers(token, [serverId]),
    timeScale: 0,
    autoBackupIntervalMs: 0,
    log: (line) => {
      if (CREATE_ANSWERED.test(line)) createAnswered();
    },
  });
  // The first backup stays in progress until finished below: the run is still waiting for it.
  emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
  let stack: PulumiStack | undefined;
  try {
    stack = await providerStack(
      kind,
      sdk,
      backupsProgram(kind),
      { "vps:apiUrl": emulator.url, serverId: String(serverId), count: "1", createTimeout },
      { "vps:apiToken": token },
    );
    const run = stack.startUp();
    const endedEarly = run.exited.then((result) => {
      throw new Error(`pulumi up (${kind}) ended before its create:\n${result.output}`);
    });
    await Promise.race([answered, endedEarly]);
    endedEarly.catch(() => undefined);
    const signalledAt = performance.now();
    if (target === "cli") process.kill(run.pid, "SIGINT");
    else run.signalSession("SIGINT");
    const result = await run.exited;
    const seconds = (performance.now() - signalledAt) / 1000;

    const state = await stack.exportState();
    const recordedIds = state.resources
      .filter((resource) => resource.type.includes("ServerBackup") && resource.id)
      .map((resource) => String(resource.id));
    for (const id of recordedIds) emulator.state.finishBackup(Number(id), "completed");
    const postsBefore = emulator.requests.count({ method: "POST", route: "/backups/" });
    requireSuccess(`pulumi up after the interrupted one (${kind})`, await stack.up());
    return {
      seconds,
      exitCode: result.code,
      recordedIds,
      pendingOperations: state.pendingOperations.length,
      nextUpPosts: emulator.requests.count({ method: "POST", route: "/backups/" }) - postsBefore,
    };
  } finally {
    await disposeStack(stack);
    await emulator.stop();
  }
}
