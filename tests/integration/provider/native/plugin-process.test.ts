/**
 * The `pulumi-resource-vps` process and signals. The engine ends a plugin with SIGINT and kills
 * it 5 s later if it is still there, so a plugin that ignores SIGINT adds 5 s to the end of
 * every `pulumi up`. With no call running, the plugin must exit on SIGINT by itself. (A call
 * running at the SIGINT is cancelled and answered first: tests/e2e/native/cancel-timeouts.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

// A process start on a loaded machine: a budget, not a timing.
jest.setTimeout(60_000);

const REPO_ROOT = path.join(__dirname, "..", "..", "..", "..");
const REGISTER_TS = path.join(REPO_ROOT, "tests", "support", "register-ts.cjs");
const PLUGIN_MAIN = path.join(REPO_ROOT, "provider", "native", "main.ts");

let plugin: ChildProcess | undefined;

afterEach(() => {
  // Whatever failed, nothing outlives the test.
  if (plugin && plugin.exitCode === null && plugin.signalCode === null) plugin.kill("SIGKILL");
  plugin = undefined;
});

/** Starts the plugin as the engine does and resolves with the port it prints first. */
function startPlugin(): Promise<{ child: ChildProcess; port: number }> {
  // An engine address nobody listens on: the plugin needs it only to send logs.
  const child = spawn(process.execPath, ["-r", REGISTER_TS, PLUGIN_MAIN, "127.0.0.1:9"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  plugin = child;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line) resolve({ child, port: Number(line[1]) });
    });
    child.once("exit", (code) =>
      reject(new Error(`the plugin exited (${code}) before printing its port:\n${stderr}`)),
    );
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

it("prints its port first, then exits with 0 on SIGINT when no call is running", async () => {
  const { child, port } = await startPlugin();
  expect(port).toBeGreaterThan(0);
  const exited = exitOf(child);
  child.kill("SIGINT");
  await expect(exited).resolves.toEqual({ code: 0, signal: null });
});
