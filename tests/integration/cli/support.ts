/**
 * Runs the real `vps-backups` command (cli/main.ts, compiled on the fly by register-ts.cjs)
 * in a child process, against an emulator the test started, and collects everything it
 * printed so a test can check that no token ever appears.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const REGISTER_TS = path.join(__dirname, "register-ts.cjs");
export const CLI_MAIN = path.join(REPO_ROOT, "cli", "main.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every output of every run of this test file (the token check reads them). */
export const allOutputs: string[] = [];

/** The environment of a run: no inherited VPS_* or NO_COLOR, only what the test gives. */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("VPS_") && key !== "NO_COLOR" && key !== "CI") env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Runs `vps-backups <args>` and resolves when it exits. stdin is a pipe (not a terminal)
 * holding `input`. The child is killed if the budget runs out, so a hung command fails the
 * test instead of outliving it.
 */
export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; budgetMs?: number; cwd?: string },
): Promise<CliResult> {
  const child = spawn(process.execPath, ["-r", REGISTER_TS, CLI_MAIN, ...args], {
    env: options.env,
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(options.input ?? "");
  const budget = setTimeout(() => child.kill("SIGKILL"), options.budgetMs ?? 45_000);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(budget);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(budget);
      allOutputs.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
