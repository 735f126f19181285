/**
 * The control endpoint (/_emulator/): admin-only, shows every account without tokens, counts
 * requests, resets, adds accounts; and seed files describe other data.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, type SeedDocument, startEmulator } from "../../../emulator";
import { ApiBackupPageSchema, ApiServerSchema } from "../../../sdk/schemas";
import { randomSuffix } from "../../support/emulator";
import { api, control } from "../../support/http";

describe("emulator control endpoint", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 0, autoBackupIntervalMs: 0 });
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(() => {
    emulator.reset();
  });

  test.each<[string, string | null, Record<string, string>]>([
    ["no admin token", null, {}],
    ["a wrong admin token", "wrong", {}],
    ["the demo API token", "YOUR_API_TOKEN", {}],
  ])("%s → 401", async (_name, adminToken) => {
    const response = await control(emulator, "/inventory", { adminToken });
    expect(response.status).toBe(401);
    expect(response.text).not.toContain(emulator.adminToken);
  });

  test("the admin token also works as a Bearer token", async () => {
    const response = await fetch(`${emulator.origin}/_emulator/inventory`, {
      headers: { Authorization: `Bearer ${emulator.adminToken}` },
    });
    expect(response.status).toBe(200);
  });

  test("the inventory lists every account's servers and backups, never a token", async () => {
    const response = await control(emulator, "/inventory");
    expect(response.status).toBe(200);
    const inventory = response.json as {
      accounts: { id: string; servers: { id: number; backups: { id: number }[] }[] }[];
    };
    expect(inventory.accounts.map((a) => a.id)).toEqual(["demo-account", "other-account"]);
    const demo = inventory.accounts[0];
    expect(demo?.servers.map((s) => s.id)).toEqual([12346, 12345]);
    expect(demo?.servers[1]?.backups.map((b) => b.id)).toEqual([501, 499, 495]);
    expect(response.text).not.toContain("YOUR_API_TOKEN");
    expect(response.text).not.toContain("OTHER_ACCOUNT_TOKEN");
  });

  test("request counters count API calls by method, route and status, and can be cleared", async () => {
    await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } });
    await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } });
    await api(emulator, "/backups/", { method: "POST", body: { server_id: "x" } });
    await api(emulator, "/backups/501/", { method: "DELETE" });
    await control(emulator, "/inventory");
    const response = await control(emulator, "/requests");
    expect(response.json).toEqual({
      total: 4,
      requests: [
        { method: "POST", route: "/backups/", status: 201, count: 2 },
        { method: "POST", route: "/backups/", status: 400, count: 1 },
        { method: "DELETE", route: "/backups/{backupId}/", status: 204, count: 1 },
      ].sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method)),
    });
    expect((await control(emulator, "/requests", { method: "DELETE" })).status).toBe(204);
    expect((await control(emulator, "/requests")).json).toEqual({ total: 0, requests: [] });
  });

  test("reset brings back the seed: ids, data and counters", async () => {
    await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } });
    await api(emulator, "/backups/501/", { method: "DELETE" });
    expect((await control(emulator, "/reset", { method: "POST" })).status).toBe(204);
    const page = ApiBackupPageSchema.parse((await api(emulator, "/backups/")).json);
    expect(page.results.map((b) => b.id)).toEqual([501, 499, 495]);
    const next = await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } });
    expect((next.json as { id: number }).id).toBe(502);
    expect(emulator.requests.count()).toBe(2);
  });

  test("an account added at run time works over the API and sees only its own server", async () => {
    const token = `run-time-${randomSuffix()}`;
    const added = await control(emulator, "/accounts", {
      method: "POST",
      body: { token, servers: [{ name: `added-${randomSuffix()}`, disk_gb: 25 }] },
    });
    expect(added.status).toBe(201);
    const server = ApiServerSchema.parse((added.json as { servers: unknown[] }).servers[0]);
    expect(added.text).not.toContain(token);
    const listed = await api(emulator, "/servers/", { token });
    expect(listed.json).toMatchObject({ count: 1, results: [{ id: server.id, disk_gb: 25 }] });
    expect((await api(emulator, "/servers/12345/", { token })).status).toBe(404);
    const duplicate = await control(emulator, "/accounts", { method: "POST", body: { token } });
    expect(duplicate.status).toBe(409);
  });

  test.each([
    ["POST", "/servers/99999/next-backup", { outcome: "failed" }, 404],
    ["POST", "/servers/12345/next-backup", { outcome: "exploded" }, 400],
    ["POST", "/backups/99999/expire", undefined, 404],
    ["POST", "/backups/99999/fail", undefined, 404],
    ["DELETE", "/backups/99999", undefined, 404],
    ["PATCH", "/backups/501", { size_mb: -1 }, 400],
    ["GET", "/no-such-control", undefined, 404],
    ["POST", "/accounts", { servers: [] }, 400],
  ])("%s %s → %i", async (method, path, body, status) => {
    const response = await control(emulator, path, { method, body });
    expect(response.status).toBe(status);
  });

  test("a forced failure through the control endpoint fails a running backup", async () => {
    emulator.state.queueNextBackup(12345, { outcome: "stuck" });
    const created = (
      await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } })
    ).json as { id: number };
    const failed = await control(emulator, `/backups/${created.id}/fail`, { method: "POST" });
    expect(failed.json).toMatchObject({ id: created.id, status: "failed", size_mb: null });
  });
});

describe("emulator seed files", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "vps-emulator-seed-"));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test("a seed file describes accounts, servers and backups; new ids continue after the largest", async () => {
    const token = `seeded-${randomSuffix()}`;
    const seed: SeedDocument = {
      accounts: [
        {
          id: "acme",
          token,
          servers: [
            {
              id: 700,
              name: "acme-web",
              disk_gb: 10,
              backups: [
                {
                  id: 9000,
                  backup_type: "manual",
                  created_at: "2030-01-01T00:00:00Z",
                  description: "fixed time",
                },
                { id: 9001, backup_type: "automatic", created_ago: "1h" },
                { id: 8999, backup_type: "automatic", status: "failed", created_ago: "2d" },
              ],
            },
          ],
        },
      ],
    };
    const path = join(folder, "seed.json");
    writeFileSync(path, JSON.stringify(seed));
    const emulator = await startEmulator({ seed: path, autoBackupIntervalMs: 0 });
    try {
      const page = ApiBackupPageSchema.parse((await api(emulator, "/backups/", { token })).json);
      expect(page.results.map((b) => [b.id, b.status, b.backup_type])).toEqual([
        [9001, "completed", "automatic"],
        [9000, "completed", "manual"],
        [8999, "failed", "automatic"],
      ]);
      expect(page.results[1]?.created_at).toBe("2030-01-01T00:00:00Z");
      expect(page.results[1]?.size_mb).toBeGreaterThan(0);
      expect(page.results[2]?.size_mb).toBeNull();
      expect((await api(emulator, "/backups/", { token: "YOUR_API_TOKEN" })).status).toBe(401);
      const created = await api(emulator, "/backups/", {
        method: "POST",
        body: { server_id: 700 },
        token,
      });
      expect((created.json as { id: number }).id).toBe(9002);
    } finally {
      await emulator.stop();
    }
  });

  test.each<[string, unknown, RegExp]>([
    ["an unknown field", { accounts: [{ id: "a", token: "t", colour: "red" }] }, /colour/],
    [
      "a bad backup type",
      {
        accounts: [
          {
            id: "a",
            token: "t",
            servers: [{ id: 1, name: "s", backups: [{ id: 1, backup_type: "weekly" }] }],
          },
        ],
      },
      /backup_type/,
    ],
    [
      "a duplicate server id",
      {
        accounts: [
          {
            id: "a",
            token: "t",
            servers: [
              { id: 1, name: "s" },
              { id: 1, name: "s2" },
            ],
          },
        ],
      },
      /server 1 appears twice/,
    ],
    [
      "a shared token",
      {
        accounts: [
          { id: "a", token: "t" },
          { id: "b", token: "t" },
        ],
      },
      /share a token/,
    ],
    [
      "a bad age",
      {
        accounts: [
          {
            id: "a",
            token: "t",
            servers: [
              {
                id: 1,
                name: "s",
                backups: [{ id: 1, backup_type: "manual", created_ago: "yesterday" }],
              },
            ],
          },
        ],
      },
      /created_ago/,
    ],
  ])("a seed with %s is refused with a message naming it", async (_name, seed, message) => {
    const path = join(folder, `bad-${randomSuffix()}.json`);
    writeFileSync(path, JSON.stringify(seed));
    await expect(startEmulator({ seed: path })).rejects.toThrow(message);
  });
});
