/**
 * With a data file the state survives a restart, including a kill -9 right after a 2xx; the
 * CLI starts the emulator and prints its base URL and tokens.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type SeedDocument, startEmulator } from "../../../emulator";
import { openDataFile } from "../../../emulator/persistence";
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

/** The ids of the backups in a data file, read the way the emulator reads it on start. */
function storedBackupIds(dataFile: string): number[] {
  const { store, initial } = openDataFile(dataFile);
  store.close();
  return (initial?.backups ?? []).map((backup) => backup.id);
}

async function listIds(url: string, token = "YOUR_API_TOKEN"): Promise<number[]> {
  const response = await fetch(`${url}/backups/?page_size=500`, {
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
    // Only the data file: its write-ahead log is folded back in and removed on stop.
    expect(readdirSync(folder)).toEqual(["state.json"]);
  });

  test("a restart keeps everything, at a thousand backups and after every kind of change", async () => {
    const dataFile = join(folder, "state.db");
    const options = { dataFile, autoBackupIntervalMs: 0, seed: manyBackupsSeed(1_000) };
    const first = await startEmulator(options);
    let before: ReturnType<typeof first.state.snapshot>;
    try {
      const { servers } = first.state.createAccount({
        token: `other-${randomSuffix()}`,
        servers: [{ name: "added", diskGb: 40 }],
      });
      const api = (path: string, method: string, body?: unknown) =>
        fetch(`${first.url}${path}`, {
          method,
          headers: { Authorization: "Bearer many-token", "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      expect(
        (await api("/backups/", "POST", { server_id: 90_000, description: "new" })).status,
      ).toBe(201);
      expect((await api("/backups/100010/", "DELETE")).status).toBe(204);
      first.state.patchBackup(100_020, { status: "mystery", description: "patched" });
      first.state.makeStuck(100_030);
      first.state.finishBackup(100_040, "failed");
      first.state.queueNextBackup(servers[0]!.id, { outcome: "stuck" });
      first.state.makeAutomaticBackup(servers[0]!.id);
      first.state.expireBackup(100_050);
      first.advanceClock(60_000);
      before = first.state.snapshot();
    } finally {
      await first.stop();
    }
    const second = await startEmulator(options);
    try {
      expect(second.state.snapshot()).toEqual(before);
      // 1 000 seeded, one created and one automatic made, one deleted and one expired.
      expect(second.state.snapshot().backups).toHaveLength(1_000);
    } finally {
      await second.stop();
    }
  });

  test("a data file that is not emulator state is refused with its path named", async () => {
    const dataFile = join(folder, "broken.json");
    writeFileSync(dataFile, "{ half");
    await expect(startEmulator({ dataFile })).rejects.toThrow(dataFile);
    writeFileSync(dataFile, JSON.stringify({ hello: "world" }));
    await expect(startEmulator({ dataFile })).rejects.toThrow(/not a version 1 emulator state/);
  });
});

/** One account ("many-token") with `count` completed backups, ids from 100 000, on 10 servers. */
function manyBackupsSeed(count: number): SeedDocument {
  return {
    accounts: [
      {
        id: "many",
        token: "many-token",
        servers: Array.from({ length: 10 }, (_, server) => ({
          id: 90_000 + server,
          name: `many-${server}`,
          backups: Array.from({ length: count / 10 }, (_, index) => ({
            id: 100_000 + server * (count / 10) + index,
            backup_type: index % 2 === 0 ? ("manual" as const) : ("automatic" as const),
            status: "completed",
            created_ago: `${index % 28}d${index % 24}h`,
            expires_at: null,
          })),
        })),
      },
    ],
  };
}

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

    expect(storedBackupIds(dataFile)).toContain(created.id);

    const second = await startCli(args);
    try {
      expect(await listIds(second.url)).toContain(created.id);
    } finally {
      await killed(second.child, "SIGTERM");
    }
  });

  test("killed mid-burst of concurrent creates, it loses none that a 201 reported", async () => {
    const dataFile = join(folder, "burst.db");
    const args = ["--port", "0", "--data", dataFile, "--time-scale", "0.001"];
    args.push("--auto-backup-interval-ms", "0");
    const first = await startCli(args);
    const acknowledged: number[] = [];
    let stopped = false;
    // Four clients, two per demo server, create until the kill (a 409 while the server's last
    // backup runs is simply retried); every 201's id is remembered.
    const clients = [12345, 12346, 12345, 12346].map(async (serverId) => {
      while (!stopped) {
        try {
          const response = await fetch(`${first.url}/backups/`, {
            method: "POST",
            headers: { Authorization: "Bearer YOUR_API_TOKEN", "Content-Type": "application/json" },
            body: JSON.stringify({ server_id: serverId, description: "burst" }),
          });
          const body = (await response.json()) as { id?: number };
          if (response.status === 201 && typeof body.id === "number") acknowledged.push(body.id);
        } catch {
          return; // the connection died with the process
        }
      }
    });
    const enough = new Promise<void>((resolvePromise, reject) => {
      const check = () => {
        if (acknowledged.length >= 30) resolvePromise();
        else if (first.child.exitCode !== null) reject(new Error("the CLI exited before the kill"));
        else setImmediate(check);
      };
      check();
    });
    try {
      await enough;
    } finally {
      await killed(first.child, "SIGKILL");
      stopped = true;
    }
    await Promise.all(clients);

    const stored = storedBackupIds(dataFile);
    expect(acknowledged.filter((id) => !stored.includes(id))).toEqual([]);
    expect(stored.length).toBe(new Set(stored).size);
    const second = await startCli(args);
    try {
      const listed = await listIds(second.url);
      expect(acknowledged.filter((id) => !listed.includes(id))).toEqual([]);
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
