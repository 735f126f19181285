/**
 * With a data file the state survives a restart, including a kill -9 right after a 2xx; the
 * CLI starts the emulator and prints its base URL and tokens.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator } from "../../../emulator";
import { ApiBackupPageSchema, ApiCreatedBackupSchema } from "../../../sdk/schemas";
import { randomSuffix } from "../../support/emulator";

const ROOT = resolve(__dirname, "../../..");
const DAY_MS = 24 * 60 * 60 * 1000;

const REGISTER_TS = join(ROOT, "tests/support/register-ts.cjs");

let folder: string;
/** Every CLI a test started: none may outlive it, even when it fails. */
const children: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), `vps-emulator-data-${randomSuffix()}-`));
});
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  rmSync(folder, { recursive: true, force: true });
});

/** Starts the CLI from the TypeScript sources (compiled on the fly, as jest does). */
function spawnCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(
    process.execPath,
    ["-r", REGISTER_TS, join(ROOT, "emulator/cli.ts"), ...args],
    {
      cwd: ROOT,
    },
  );
  children.push(child);
  return child;
}

async function listIds(url: string, token = "YOUR_API_TOKEN"): Promise<number[]> {
  const response = await fetch(`${url}/backups/`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ApiBackupPageSchema.parse(await response.json()).results.map((b) => b.id);
}

describe("emulator persistence", () => {
  test("creates, deletes, the clock and the next id survive a restart", async () => {
    const dataFile = join(folder, "state.json");
    const first = await startEmulator({ dataFile, timeScale: 0, autoBackupIntervalMs: 0 });
    let created: { id: number };
    let clockBefore: number;
    try {
      created = ApiCreatedBackupSchema.parse(
        await (
          await fetch(`${first.url}/backups/`, {
            method: "POST",
            headers: { Authorization: "Bearer YOUR_API_TOKEN", "Content-Type": "application/json" },
            body: JSON.stringify({ server_id: 12345, description: "survives" }),
          })
        ).json(),
      );
      expect(
        (
          await fetch(`${first.url}/backups/495/`, {
            method: "DELETE",
            headers: { Authorization: "Bearer YOUR_API_TOKEN" },
          })
        ).status,
      ).toBe(204);
      first.advanceClock(2 * DAY_MS);
      clockBefore = first.state.now();
    } finally {
      await first.stop();
    }

    const second = await startEmulator({ dataFile, timeScale: 0, autoBackupIntervalMs: 0 });
    try {
      expect(await listIds(second.url)).toEqual([created.id, 501, 499]);
      expect(second.state.now()).toBeGreaterThanOrEqual(clockBefore);
      expect(second.state.backupById(created.id)?.status).toBe("completed");
      expect(second.state.createManualBackup(second.state.serverById(12345)!, null).id).toBe(
        created.id + 1,
      );
    } finally {
      await second.stop();
    }
    // Only the data file: the temporary file of the atomic write is renamed away every time.
    expect(readdirSync(folder)).toEqual(["state.json"]);
  });

  test("a data file that is not emulator state is refused with its path named", async () => {
    const dataFile = join(folder, "broken.json");
    writeFileSync(dataFile, "{ half");
    await expect(startEmulator({ dataFile })).rejects.toThrow(dataFile);
    writeFileSync(dataFile, JSON.stringify({ hello: "world" }));
    await expect(startEmulator({ dataFile })).rejects.toThrow(/not a version 1 emulator state/);
  });
});

/** Starts the CLI from the TypeScript sources; resolves with its printed base URL. */
function startCli(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawnCli(args);
  let output = "";
  return new Promise((resolvePromise, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1] && output.includes("admin token"))
        resolvePromise({ child, url: match[1], output: () => output });
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`CLI exited with ${code}: ${output}`)));
  });
}

function killed(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolvePromise) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolvePromise());
    child.kill(signal);
  });
}

describe("emulator CLI", () => {
  test("prints its base URL and tokens; a kill -9 right after a 201 loses nothing", async () => {
    const dataFile = join(folder, "cli-state.json");
    const args = [
      "--port",
      "0",
      "--data",
      dataFile,
      "--time-scale",
      "0.001",
      "--admin-token",
      "cli-admin",
      "--log",
    ];
    const first = await startCli(args);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(first.output()).toContain("demo token:   YOUR_API_TOKEN");
    expect(first.output()).toContain("admin token:  cli-admin");
    const servers = await fetch(`${first.url}/servers/`, {
      headers: { Authorization: "Bearer YOUR_API_TOKEN" },
    });
    expect(servers.status).toBe(200);
    const response = await fetch(`${first.url}/backups/`, {
      method: "POST",
      headers: { Authorization: "Bearer YOUR_API_TOKEN", "Content-Type": "application/json" },
      body: JSON.stringify({ server_id: 12346, description: "kill me" }),
    });
    expect(response.status).toBe(201);
    const created = ApiCreatedBackupSchema.parse(await response.json());
    await killed(first.child, "SIGKILL");
    // The request log printed the earlier request (method, path, status), never the token.
    expect(first.output()).toMatch(/vps-emulator: GET \/api\/v1\/servers\/ 200 [\d.]+ms/);
    const logPart = first
      .output()
      .split("\n")
      .filter((line) => line.startsWith("vps-emulator:"));
    expect(logPart.join("\n")).not.toContain("YOUR_API_TOKEN");

    const stored = JSON.parse(readFileSync(dataFile, "utf8")) as { backups: { id: number }[] };
    expect(stored.backups.map((b) => b.id)).toContain(created.id);

    const second = await startCli(args);
    try {
      expect(await listIds(second.url)).toContain(created.id);
    } finally {
      await killed(second.child, "SIGTERM");
    }
  });

  test("bad flags exit with a message and the usage", async () => {
    const child = spawnCli(["--time-scale", "fast"]);
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolvePromise) =>
      child.on("exit", resolvePromise),
    );
    expect(code).toBe(2);
    expect(output).toContain('--time-scale must be a number, got "fast"');
    expect(output).toContain("Usage: vps-emulator");
  });
});
