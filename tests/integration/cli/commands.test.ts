/**
 * Every command of `vps-backups`, run as a real process against the emulator, in table and
 * JSON form, with the exit codes of success (0) and of an API failure (1).
 */
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { allOutputs, cliEnv, runCli } from "./support";

jest.setTimeout(60_000);

let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01, autoBackupIntervalMs: 0 });
  env = cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: emulator.demoToken });
});

afterAll(async () => {
  await emulator.stop();
});

function lines(text: string): string[] {
  return text.trimEnd().split("\n");
}

describe("servers", () => {
  test("prints a table with a header, and the sdk's objects as JSON", async () => {
    const table = await runCli(["servers"], { env });
    expect(table.code).toBe(0);
    expect(lines(table.stdout)[0]).toMatch(/^ID\s+NAME\s+STATUS\s+DISK$/);
    expect(table.stdout).toMatch(/12345\s+web-server-01\s+active\s+80 GB/);
    expect(table.stderr).toBe("");

    const json = await runCli(["servers", "-o", "json"], { env });
    expect(json.code).toBe(0);
    const servers = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(servers[0]).toEqual({ id: 12345, name: "web-server-01", status: "active", diskGb: 80 });

    const bare = await runCli(["--no-header", "servers"], { env });
    expect(lines(bare.stdout)[0]).toMatch(/^12345\s+web-server-01/);
  });
});

describe("list", () => {
  test("newest first, filtered by server, type and status, as a table or JSON", async () => {
    const table = await runCli(["list"], { env });
    expect(table.code).toBe(0);
    expect(lines(table.stdout)[0]).toMatch(
      /^ID\s+SERVER\s+SERVER NAME\s+TYPE\s+STATUS\s+SIZE\s+CREATED\s+EXPIRES\s+DESCRIPTION$/,
    );

    const json = await runCli(["list", "--server", "12345", "--type", "MANUAL", "-o", "json"], {
      env,
    });
    expect(json.code).toBe(0);
    const backups = JSON.parse(json.stdout) as {
      serverId: number;
      backupType: string;
      createdAt: string;
    }[];
    expect(backups.length).toBeGreaterThan(0);
    expect(Object.keys(backups[0] as object).sort()).toEqual(
      [
        "backupType",
        "createdAt",
        "description",
        "expiresAt",
        "id",
        "serverId",
        "serverName",
        "sizeMb",
        "status",
      ].sort(),
    );
    expect(backups.every((b) => b.serverId === 12345 && b.backupType === "manual")).toBe(true);
    const times = backups.map((b) => Date.parse(b.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const failed = await runCli(["list", "--status", "failed", "-o", "json", "--server", "12346"], {
      env,
    });
    expect(failed.code).toBe(0);
    for (const backup of JSON.parse(failed.stdout) as { status: string }[]) {
      expect(backup.status).toBe("failed");
    }
    const bare = await runCli(["list", "--server", "12345", "--no-header"], { env });
    expect(lines(bare.stdout)[0]).toMatch(/^\d+\s+12345\s+web-server-01/);
  });
});

describe("create, wait and delete", () => {
  test("create prints the new backup; --wait shows progress on stderr and prints it completed", async () => {
    const created = await runCli(["create", "--server", "12345", "--description", "cli table"], {
      env,
    });
    expect(created.code).toBe(0);
    expect(lines(created.stdout)[0]).toMatch(/^ID\s+SERVER/);
    expect(created.stdout).toMatch(/\d+\s+12345\s+web-server-01\s+manual\s+\w+/);
    expect(created.stderr).toMatch(/Backup \d+ of server 12345 started/);

    const waited = await runCli(
      ["create", "--server", "12346", "--description", "cli json", "--wait", "-o", "json"],
      { env },
    );
    expect(waited.code).toBe(0);
    const backup = JSON.parse(waited.stdout) as { id: number; status: string; description: string };
    expect(backup).toMatchObject({ status: "completed", description: "cli json", serverId: 12346 });
    // Not a terminal: plain timestamped lines, no spinner escape sequences.
    expect(waited.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z backup \d+ of server 12346: /m);
    expect(waited.stderr).not.toContain("\u001b[");

    const again = await runCli(["wait", String(backup.id), "--server", "12346", "-o", "json"], {
      env,
    });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: backup.id, status: "completed" });

    const deleted = await runCli(["delete", String(backup.id), "--yes", "-o", "json"], { env });
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual([{ id: backup.id, deleted: true, error: null }]);

    const missing = await runCli(["delete", String(backup.id), "--yes"], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(new RegExp(`${backup.id}\\s+failed\\s+not found`));
    expect(missing.stderr).toMatch(/404 Not Found deleting backup/);
  });

  test("a wait that times out exits 1 with the sdk's message", async () => {
    emulator.state.queueNextBackup(12346, { outcome: "stuck" });
    const created = await runCli(
      ["create", "--server", "12346", "--description", "stuck", "-o", "json"],
      { env },
    );
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: number }).id;
    try {
      const waited = await runCli(["wait", String(id), "--server", "12346", "--timeout", "2s"], {
        env,
      });
      expect(waited.code).toBe(1);
      expect(waited.stdout).toBe("");
      expect(waited.stderr).toMatch(/error: .*(timed out|did not complete|still).*/i);
      expect(waited.stderr).toContain(String(id));
    } finally {
      await runCli(["delete", String(id), "--yes"], { env });
    }
  });
});

describe("restore", () => {
  test("without --yes and without a terminal it refuses (exit 2) and sends no restore", async () => {
    const before = emulator.requests.count({ method: "POST" });
    const refused = await runCli(["restore", "--server", "12345", "--backup", "latest"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Restore server 12345 \(web-server-01\) from backup \d+/);
    expect(refused.stderr).toMatch(/Everything written to server 12345 since .* will be lost/);
    expect(refused.stderr).toMatch(/refusing to restore server 12345 .*--yes/);
    expect(emulator.requests.count({ method: "POST" })).toBe(before);
  });

  test("--yes restores from the latest backup; --backup-first --wait backs up first and waits", async () => {
    const table = await runCli(["restore", "--server", "12345", "--backup", "latest", "--yes"], {
      env,
    });
    expect(table.code).toBe(0);
    expect(lines(table.stdout)[0]).toMatch(/^SERVER\s+BACKUP\s+STATUS\s+MESSAGE$/);
    expect(table.stdout).toMatch(/12345\s+\d+\s+restoring/);

    const made = await runCli(
      ["create", "--server", "12346", "--description", "to restore", "--wait", "-o", "json"],
      { env },
    );
    const chosen = (JSON.parse(made.stdout) as { id: number }).id;
    const json = await runCli(
      [
        "restore",
        "--server",
        "12346",
        "--backup",
        String(chosen),
        "--backup-first",
        "--wait",
        "--yes",
        "-o",
        "json",
      ],
      { env },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      serverId: 12346,
      backupId: chosen,
      status: "active",
    });
    expect(json.stderr).toMatch(/Backup \d+ of server 12346 started before the restore/);
    expect(json.stderr).toMatch(/server 12346: active/);
  });

  test("a backup of another server is an API failure (exit 1)", async () => {
    const result = await runCli(["restore", "--server", "12346", "--backup", "501", "--yes"], {
      env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/server 12346 has no backup 501/);
  });
});

describe("credentials", () => {
  test("a rejected token exits 1 with the sdk's 401 message and never shows the token", async () => {
    const canary = "cli-canary-token-0123456789abcdefghij";
    const result = await runCli(["list"], {
      env: cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: canary }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: 401/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(canary);
    expect(`${result.stdout}${result.stderr}`).not.toContain(canary.slice(0, 20));
  });

  test("--api-url overrides VPS_API_URL", async () => {
    const result = await runCli(["--api-url", emulator.url, "servers", "-o", "json"], {
      env: cliEnv({ VPS_API_URL: "http://127.0.0.1:9/api/v1", VPS_API_TOKEN: emulator.demoToken }),
    });
    expect(result.code).toBe(0);
  });

  test("no command printed the token", () => {
    expect(allOutputs.length).toBeGreaterThan(10);
    for (const text of allOutputs) expect(text).not.toContain(emulator.demoToken);
  });
});
