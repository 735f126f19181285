/**
 * The `pulumi` on PATH, run for the recovery: export and import the stack's state, read its
 * history, and find where a file backend keeps its files (file-backend.ts reads them).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { StackExport } from "./plan";

export interface PulumiRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and on which stack `pulumi` runs. */
export interface PulumiTarget {
  cwd?: string;
  stack?: string;
  env?: NodeJS.ProcessEnv;
}

export class PulumiCommandError extends Error {
  override readonly name = "PulumiCommandError";
}

/** Commands that take no `--stack` flag (pulumi rejects it). */
const STACKLESS = new Set(["whoami"]);

/** Runs `pulumi <args>` (with `--stack` when given) and resolves with its output. */
export function runPulumi(target: PulumiTarget, args: string[]): Promise<PulumiRun> {
  const fullArgs =
    target.stack && !STACKLESS.has(args[0] ?? "") ? [...args, "--stack", target.stack] : args;
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", fullArgs, {
      cwd: target.cwd,
      env: target.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new PulumiCommandError("`pulumi` was not found on PATH: install the Pulumi CLI")
          : error,
      ),
    );
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `pulumi <args>` and throws with its output when it fails. */
export async function mustRunPulumi(target: PulumiTarget, args: string[]): Promise<PulumiRun> {
  const run = await runPulumi(target, args);
  if (run.code !== 0) {
    throw new PulumiCommandError(
      `pulumi ${args.join(" ")} exited ${run.code}:\n${(run.stderr || run.stdout).trim()}`,
    );
  }
  return run;
}

/** `pulumi stack export`, parsed. */
export async function exportStack(target: PulumiTarget): Promise<StackExport> {
  const run = await mustRunPulumi(target, ["stack", "export"]);
  const parsed = JSON.parse(run.stdout) as StackExport;
  if (!parsed || typeof parsed !== "object" || !parsed.deployment) {
    throw new PulumiCommandError("pulumi stack export printed no deployment");
  }
  return parsed;
}

/** `pulumi stack import` of a state (through a private temporary file). */
export async function importStack(target: PulumiTarget, state: StackExport): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-backups-recover-"));
  const file = path.join(dir, "state.json");
  try {
    fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    await mustRunPulumi(target, ["stack", "import", "--file", file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The backend URL (`pulumi whoami --json`), or undefined when it cannot be read. */
async function backendUrl(target: PulumiTarget): Promise<string | undefined> {
  const run = await runPulumi(target, ["whoami", "--json"]);
  if (run.code !== 0) return undefined;
  try {
    const url = (JSON.parse(run.stdout) as { url?: unknown }).url;
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder of the stack's backend when it is a file backend (`file://~` is the home
 * folder), or undefined for any other backend, whose files are not readable here.
 */
export async function fileBackendFolder(target: PulumiTarget): Promise<string | undefined> {
  const url = await backendUrl(target);
  if (!url?.startsWith("file://")) return undefined;
  const rest = url.slice("file://".length).split("?")[0] ?? "";
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  return fileURLToPath(`file://${rest}`);
}

/**
 * The newest update of `pulumi stack history`: an update in progress (a service backend
 * shows the killed run) gives its start, a finished one its end, the earliest the killed
 * run can have begun. Undefined when there is no history.
 */
export async function lastUpdateBoundary(
  target: PulumiTarget,
): Promise<{ atMs: number; inProgress: boolean } | undefined> {
  const run = await runPulumi(target, ["stack", "history", "--json", "--page-size", "1"]);
  if (run.code !== 0) return undefined;
  try {
    const entries = JSON.parse(run.stdout) as {
      result?: string;
      startTime?: string;
      endTime?: string;
    }[];
    const newest = entries[0];
    if (!newest) return undefined;
    const inProgress = newest.result === "in-progress";
    const atMs = Date.parse(
      (inProgress ? newest.startTime : newest.endTime) ?? newest.startTime ?? "",
    );
    return Number.isFinite(atMs) ? { atMs, inProgress } : undefined;
  } catch {
    return undefined;
  }
}

/** Project and stack names from the state's URNs (`urn:pulumi:<stack>::<project>::…`). */
export function namesFromState(state: StackExport): { project: string; stack: string } | undefined {
  const urn =
    state.deployment.resources?.[0]?.urn ?? state.deployment.pending_operations?.[0]?.resource?.urn;
  const match = urn ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
  return match ? { stack: match[1] as string, project: match[2] as string } : undefined;
}
