/**
 * Schemathesis (a fuzzer for OpenAPI documents, from PyPI) in a virtualenv of its own under the
 * repository (`.fuzz-venv/`, gitignored), made on first use with a pinned version, so the fuzz
 * test needs nothing but Python 3 and reaching PyPI once.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The Schemathesis release the fuzz test runs: pinned, so a run is repeatable. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const VENV_DIR = resolve(__dirname, "../../../.fuzz-venv");
/** Written last, when the install succeeded: a half-made virtualenv is made again. */
const MARKER = join(VENV_DIR, "schemathesis-version");

/** `python3` when it runs here, else undefined (the fuzz test then skips and says why). */
export function findPython(): string | undefined {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? "python3" : undefined;
}

/** Runs a command to its end without blocking the event loop (the emulator runs in process). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; onSpawn?: (pid: number | undefined) => void } = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    options.onSpawn?.(child.pid);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, output }));
  });
}

/** The `st` command of the pinned Schemathesis, installing it first when needed. */
export async function ensureSchemathesis(python: string): Promise<string> {
  const st = join(VENV_DIR, "bin", "st");
  if (existsSync(MARKER) && readFileSync(MARKER, "utf8").trim() === SCHEMATHESIS_VERSION) {
    return st;
  }
  rmSync(VENV_DIR, { recursive: true, force: true });
  const steps: [string, string[]][] = [
    [python, ["-m", "venv", VENV_DIR]],
    [
      join(VENV_DIR, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        `schemathesis==${SCHEMATHESIS_VERSION}`,
      ],
    ],
  ];
  for (const [command, args] of steps) {
    const { code, output } = await run(command, args);
    if (code !== 0) {
      throw new Error(`Could not install Schemathesis (${command} ${args.join(" ")}):\n${output}`);
    }
  }
  writeFileSync(MARKER, `${SCHEMATHESIS_VERSION}\n`);
  return st;
}
