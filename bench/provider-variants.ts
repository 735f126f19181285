/**
 * The two ways the project serves `ServerBackup`, as stacks of the same TypeScript program:
 * the dynamic provider (`import * as vps from "pulumi-vps-backups"`) and the native plugin
 * `pulumi-resource-vps` through the generated Node SDK (sdks/nodejs, compiled once per run,
 * found by the engine through `plugins.providers` in Pulumi.yaml). Also the start-up of each
 * provider process on its own, as the engine starts it, to its port line on stdout.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as engine from "../tools/pulumi-engine/engine.cjs";
import { EMPTY_PROGRAM } from "./engine-overhead";
import {
  type PulumiStack,
  createStack,
  disposeStack,
  requireSuccess,
  timedUp,
} from "./engine-stacks";

export type ProviderKind = "native" | "dynamic";

export const PROVIDER_LABELS: Record<ProviderKind, string> = {
  native: "native plugin (pulumi-resource-vps, sdks/nodejs)",
  dynamic: "dynamic provider (pulumi-vps-backups)",
};

/** Where the program finds `ServerBackup`: the package itself, or the SDK copied beside it. */
const MODULE_OF: Record<ProviderKind, string> = {
  native: "./vps-sdk",
  dynamic: "pulumi-vps-backups",
};

/**
 * `count` backups of `serverId` (one resource each), an optional `createTimeout`, and an output
 * that is 42 only when every backup completed: the same text for both providers but the import.
 */
export function backupsProgram(kind: ProviderKind): string {
  return `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "${MODULE_OF[kind]}";
const config = new pulumi.Config();
const statuses: pulumi.Output<string>[] = [];
for (let index = 0; index < config.requireNumber("count"); index += 1) {
  const backup = new vps.ServerBackup("backup-" + index, {
    serverId: config.requireNumber("serverId"),
    description: "bench " + index,
    createTimeout: config.get("createTimeout"),
  });
  statuses.push(backup.status);
}
export const answer = pulumi
  .all(statuses)
  .apply((all) => (all.every((status) => status === "completed") ? 42 : 0));
`;
}

/** The generated Node SDK compiled once into a temporary folder (a user installs it compiled). */
export interface CompiledSdk {
  dir: string;
  remove(): void;
}

export async function compileNodeSdk(): Promise<CompiledSdk> {
  const sdk = path.join(engine.REPO_ROOT, "sdks", "nodejs");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-node-sdk-"));
  const tsc = path.join(engine.REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  await promisify(execFile)(process.execPath, [tsc, "-p", sdk, "--outDir", dir]);
  // The SDK reads its version from a package.json beside its compiled code.
  fs.copyFileSync(path.join(sdk, "package.json"), path.join(dir, "package.json"));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh stack of `program` for one provider: for the native plugin, with the compiled SDK
 * beside the program and the plugin's folder in Pulumi.yaml (as tests/fixtures/native-node).
 */
export async function providerStack(
  kind: ProviderKind,
  sdk: CompiledSdk,
  program: string,
  config: Record<string, string>,
  secretConfig: Record<string, string>,
): Promise<PulumiStack> {
  const stack = await createStack({ program, config, secretConfig });
  if (kind === "native") {
    fs.cpSync(sdk.dir, path.join(stack.projectDir, "vps-sdk"), { recursive: true });
    fs.appendFileSync(
      path.join(stack.projectDir, "Pulumi.yaml"),
      `plugins:\n  providers:\n    - name: vps\n      path: ${path.join(engine.REPO_ROOT, "bin")}\n`,
    );
  }
  return stack;
}

/**
 * Seconds of `pulumi up` (no preview, `--parallel count`) of a fresh stack of `count` backups
 * over `kind`, or of the empty program; checks the program's answer, lets `inspect` read the
 * stack, then removes it.
 */
export async function timedFreshUp(
  kind: ProviderKind | "empty",
  sdk: CompiledSdk,
  config: Record<string, string>,
  secretConfig: Record<string, string>,
  inspect: (stack: PulumiStack) => Promise<void> = async () => undefined,
): Promise<number> {
  let stack: PulumiStack | undefined;
  try {
    stack =
      kind === "empty"
        ? await createStack({ program: EMPTY_PROGRAM, config, secretConfig })
        : await providerStack(kind, sdk, backupsProgram(kind), config, secretConfig);
    const count = Number(config.count ?? "0");
    const up = await timedUp(stack, count > 1 ? ["--parallel", String(count)] : []);
    requireSuccess(`pulumi up (${kind}, ${count} backups)`, up.result);
    const outputs = await stack.outputs();
    if (outputs.answer !== 42)
      throw new Error(`${kind}: unexpected outputs ${JSON.stringify(outputs)}`);
    await inspect(stack);
    return up.seconds;
  } finally {
    await disposeStack(stack);
  }
}

/** A command whose start-up is timed, and what ends the timing. */
export interface StartupCommand {
  label: string;
  command: string;
  args: string[];
  /** "port": the first line on stdout (the engine waits for it); "exit": the process ends. */
  until: "port" | "exit";
}

/**
 * The provider processes as the engine starts them (the engine's address as the argument; no
 * engine listens there, and neither process dials it before serving), and bare Node.
 */
export function startupCommands(engineDir: string): Record<ProviderKind | "node", StartupCommand> {
  const engineAddress = "127.0.0.1:1";
  return {
    native: {
      label: "bin/pulumi-resource-vps",
      command: path.join(engine.REPO_ROOT, "bin", "pulumi-resource-vps"),
      args: [engineAddress],
      until: "port",
    },
    dynamic: {
      label: "pulumi-resource-pulumi-nodejs (runs @pulumi/pulumi/cmd/dynamic-provider)",
      command: path.join(engineDir, "pulumi-resource-pulumi-nodejs"),
      args: [engineAddress],
      until: "port",
    },
    node: { label: "node -e 0", command: "node", args: ["-e", "0"], until: "exit" },
  };
}

/**
 * How the engine ends a plugin when it is done with it: SIGINT to the plugin's process group,
 * then SIGKILL if it has not exited within 5 s (sdk/go/common/resource/plugin/plugin.go).
 */
export const ENGINE_PLUGIN_GRACE_SECONDS = 5;

export interface StartupTiming {
  /** Spawn to the port line, or to the exit of a command timed to its exit. */
  startSeconds: number;
  /**
   * With `shutdown`: SIGINT to the group (as the engine sends it) to the exit; null when the
   * process was still running after the engine's grace and had to be killed.
   */
  shutdownSeconds?: number | null;
}

/** Starts `command` in its own process group (as the engine does) and times it. */
export async function timeStartup(
  command: StartupCommand,
  options: { shutdown?: boolean } = {},
): Promise<StartupTiming> {
  const startedAt = performance.now();
  // From the repository, as from a project: the dynamic one resolves @pulumi/pulumi from cwd.
  const child = spawn(command.command, command.args, {
    cwd: engine.REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const group = child.pid;
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (group !== undefined) process.kill(-group, signal);
    } catch {
      // already gone
    }
  };
  try {
    if (command.until === "exit") {
      const code = await closed;
      if (code !== 0) throw new Error(`${command.label} exited ${code}:\n${stderr}`);
      return { startSeconds: (performance.now() - startedAt) / 1000 };
    }
    let stdout = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        stdout += String(chunk);
        if (/^\d+\s*\n/.test(stdout)) resolve();
      });
      void closed.then(
        (code) =>
          reject(new Error(`${command.label} exited ${code} before its port line:\n${stderr}`)),
        reject,
      );
    });
    const startSeconds = (performance.now() - startedAt) / 1000;
    if (!options.shutdown) return { startSeconds };
    const interruptedAt = performance.now();
    signalGroup("SIGINT");
    let grace: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      closed.then(() => true),
      new Promise<false>((resolve) => {
        grace = setTimeout(() => resolve(false), ENGINE_PLUGIN_GRACE_SECONDS * 1000);
      }),
    ]);
    clearTimeout(grace);
    return {
      startSeconds,
      shutdownSeconds: exited ? (performance.now() - interruptedAt) / 1000 : null,
    };
  } finally {
    // The wrapper scripts exec or fork node: end whatever of the group is left.
    if (child.exitCode === null && child.signalCode === null) signalGroup("SIGKILL");
  }
}
