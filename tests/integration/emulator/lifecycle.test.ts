/**
 * The lifecycle: backups finish (or fail) after a duration that grows with the disk, servers
 * show `backing_up` / `restoring`, automatic backups appear on schedule and vanish when they
 * expire (driven by advancing the virtual clock).
 */
import { type RunningEmulator, startEmulator } from "../../../emulator";
import {
  type ApiBackup,
  ApiBackupPageSchema,
  ApiCreatedBackupSchema,
  ApiServerSchema,
} from "../../../sdk/schemas";
import { eventually, freshAccount } from "../../support/emulator";
import { api, control } from "../../support/http";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A duration (before the time scale) no test outlasts: 10⁶ real ms at a scale of 0.001. */
const LONG_MS = 1_000_000_000;

async function listBackups(emulator: RunningEmulator, token: string, serverId: number) {
  const response = await api(emulator, `/backups/?server_id=${serverId}`, { token });
  return ApiBackupPageSchema.parse(response.json).results;
}

async function createBackup(emulator: RunningEmulator, token: string, serverId: number) {
  const response = await api(emulator, "/backups/", {
    method: "POST",
    body: { server_id: serverId },
    token,
  });
  expect(response.status).toBe(201);
  return ApiCreatedBackupSchema.parse(response.json);
}

async function serverStatus(emulator: RunningEmulator, token: string, serverId: number) {
  return ApiServerSchema.parse((await api(emulator, `/servers/${serverId}/`, { token })).json)
    .status;
}

describe("emulator lifecycle", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0, randomSeed: 7 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  test("a new backup runs, the server backs up, then it completes with a size", async () => {
    const { token, serverId } = freshAccount(emulator, { diskGb: 40 });
    // Far longer than the test (about 17 real minutes at this time scale), so it is seen
    // running however slow the machine; the virtual clock then brings its end.
    emulator.state.queueNextBackup(serverId, { durationMs: LONG_MS });
    const created = await createBackup(emulator, token, serverId);
    expect(created.status).toBe("in_progress");
    expect(await serverStatus(emulator, token, serverId)).toBe("backing_up");
    const running = (await listBackups(emulator, token, serverId)).find((b) => b.id === created.id);
    expect(running?.status).toBe("in_progress");
    emulator.advanceClock(LONG_MS * 0.001);
    const completed = (await listBackups(emulator, token, serverId)).find(
      (b) => b.id === created.id,
    );
    if (completed?.status !== "completed") throw new Error(`not completed: ${completed?.status}`);
    // About 5.5 % of a 40 GB disk, in MiB, with a few per cent of jitter.
    expect(completed.size_mb).toBeGreaterThan(40 * 1024 * 0.05);
    expect(completed.size_mb).toBeLessThan(40 * 1024 * 0.06);
    expect(completed.expires_at).toBeNull();
    expect(await serverStatus(emulator, token, serverId)).toBe("active");
  });

  test("the duration grows with the disk: base + per GB × disk, times the time scale", () => {
    const small = emulator.state.createAccount({
      token: `small-${Math.random()}`,
      servers: [{ name: "small", diskGb: 10 }],
    }).servers[0];
    const big = emulator.state.createAccount({
      token: `big-${Math.random()}`,
      servers: [{ name: "big", diskGb: 1000 }],
    }).servers[0];
    if (!small || !big) throw new Error("fixture servers missing");
    expect(emulator.state.backupDurationMs(small)).toBeCloseTo((2000 + 50 * 10) * 0.001);
    expect(emulator.state.backupDurationMs(big)).toBeCloseTo((2000 + 50 * 1000) * 0.001);
  });

  test("a forced failure ends failed, without a size", async () => {
    const { token, serverId } = freshAccount(emulator);
    emulator.state.queueNextBackup(serverId, { outcome: "failed" });
    const created = await createBackup(emulator, token, serverId);
    const failed = await eventually(async () => {
      const backup = (await listBackups(emulator, token, serverId)).find(
        (b) => b.id === created.id,
      );
      return backup?.status === "failed" ? backup : undefined;
    }, "the backup to fail");
    expect(failed.size_mb).toBeNull();
  });

  test("a stuck backup stays in progress, even a month later, until told otherwise", async () => {
    const { token, serverId } = freshAccount(emulator);
    await control(emulator, `/servers/${serverId}/next-backup`, {
      method: "POST",
      body: { outcome: "stuck" },
    });
    const created = await createBackup(emulator, token, serverId);
    emulator.advanceClock(40 * DAY_MS);
    const still = (await listBackups(emulator, token, serverId)).find((b) => b.id === created.id);
    expect(still?.status).toBe("in_progress");
    const completed = await control(emulator, `/backups/${created.id}/complete`, {
      method: "POST",
    });
    expect(completed.status).toBe(200);
    expect((completed.json as ApiBackup).status).toBe("completed");
    expect((await listBackups(emulator, token, serverId))[0]?.status).toBe("completed");
  });

  test("the failure rate fails about that fraction of backups, the same way for the same seed", async () => {
    const outcomes = async () => {
      const run = await startEmulator({
        timeScale: 0,
        autoBackupIntervalMs: 0,
        failureRate: 0.5,
        randomSeed: 42,
      });
      try {
        const statuses: string[] = [];
        for (let i = 0; i < 40; i += 1) {
          const created = ApiCreatedBackupSchema.parse(
            (await api(run, "/backups/", { method: "POST", body: { server_id: 12346 } })).json,
          );
          const listed = (await listBackups(run, run.demoToken, 12346)).find(
            (b) => b.id === created.id,
          );
          statuses.push(listed?.status ?? "missing");
        }
        return statuses;
      } finally {
        await run.stop();
      }
    };
    const first = await outcomes();
    const failures = first.filter((status) => status === "failed").length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(first.every((status) => status === "failed" || status === "completed")).toBe(true);
    expect(await outcomes()).toEqual(first);
  });

  test("restore makes the server restoring, then active again", async () => {
    const { token, serverId } = freshAccount(emulator);
    const created = await createBackup(emulator, token, serverId);
    await eventually(async () => {
      const backup = (await listBackups(emulator, token, serverId))[0];
      return backup?.status === "completed" ? backup : undefined;
    }, "the backup to complete");
    // Far longer than the test, so it is seen restoring however slow the machine; the
    // virtual clock then brings its end.
    emulator.state.options.restoreBaseMs = LONG_MS;
    const restore = await api(emulator, `/servers/${serverId}/restore/`, {
      method: "POST",
      body: { backup_id: created.id },
      token,
    }).finally(() => (emulator.state.options.restoreBaseMs = 3000));
    expect(restore.status).toBe(202);
    expect(await serverStatus(emulator, token, serverId)).toBe("restoring");
    emulator.advanceClock(LONG_MS);
    expect(await serverStatus(emulator, token, serverId)).toBe("active");
  });

  test("a backup expired through the control endpoint vanishes from every list", async () => {
    const { token, serverId } = freshAccount(emulator);
    const created = await createBackup(emulator, token, serverId);
    const expired = await control(emulator, `/backups/${created.id}/expire`, { method: "POST" });
    expect(expired.status).toBe(204);
    expect(await listBackups(emulator, token, serverId)).toEqual([]);
    const deleteAgain = await api(emulator, `/backups/${created.id}/`, { method: "DELETE", token });
    expect(deleteAgain.status).toBe(404);
  });

  test("a backup deleted out of band is gone for the client (404 on delete)", async () => {
    const { token, serverId } = freshAccount(emulator);
    const created = await createBackup(emulator, token, serverId);
    expect((await control(emulator, `/backups/${created.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect(
      (await api(emulator, `/backups/${created.id}/`, { method: "DELETE", token })).status,
    ).toBe(404);
  });

  test("an unknown status string set through the control endpoint is served as is (docs/api.md, decision 4)", async () => {
    const { token, serverId } = freshAccount(emulator);
    const created = await createBackup(emulator, token, serverId);
    const patched = await control(emulator, `/backups/${created.id}`, {
      method: "PATCH",
      body: { status: "queued" },
    });
    expect(patched.status).toBe(200);
    expect((await listBackups(emulator, token, serverId))[0]?.status).toBe("queued");
  });
});

describe("emulator automatic backups and expiry", () => {
  test("automatic backups appear each interval, expire a month after creation, manual ones stay", async () => {
    const emulator = await startEmulator({ timeScale: 0, autoBackupIntervalMs: DAY_MS });
    try {
      const before = await listBackups(emulator, emulator.demoToken, 12345);
      expect(before.map((b) => b.id)).toEqual([501, 499, 495]);

      emulator.advanceClock(DAY_MS);
      const afterOneDay = await listBackups(emulator, emulator.demoToken, 12345);
      const fresh = afterOneDay.filter((b) => b.id > 501);
      expect(fresh).toHaveLength(1);
      expect(fresh[0]).toMatchObject({
        backup_type: "automatic",
        status: "completed",
        description: "Automatic daily backup",
      });
      const createdAt = Date.parse(fresh[0]?.created_at ?? "");
      const expiresAt = Date.parse(fresh[0]?.expires_at ?? "");
      expect(new Date(expiresAt).getUTCMonth()).toBe((new Date(createdAt).getUTCMonth() + 1) % 12);

      // Forty days on: the seeded automatic backups (501, 495) have expired, the manual 499
      // stays, and roughly a month of daily backups is listed.
      emulator.advanceClock(40 * DAY_MS);
      const later = await listBackups(emulator, emulator.demoToken, 12345);
      const ids = later.map((b) => b.id);
      expect(ids).toContain(499);
      expect(ids).not.toContain(501);
      expect(ids).not.toContain(495);
      const automatic = later.filter((b) => b.backup_type === "automatic");
      expect(automatic.length).toBeGreaterThanOrEqual(27);
      expect(automatic.length).toBeLessThanOrEqual(32);
      const now = Date.parse(((await control(emulator, "/clock")).json as { now: string }).now);
      expect(automatic.every((b) => Date.parse(b.expires_at ?? "") > now)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  test("the clock advances through the control endpoint too", async () => {
    const emulator = await startEmulator({ autoBackupIntervalMs: 0 });
    try {
      const before = Date.parse(((await control(emulator, "/clock")).json as { now: string }).now);
      const advanced = await control(emulator, "/clock", {
        method: "POST",
        body: { advanceMs: 32 * DAY_MS },
      });
      expect(advanced.status).toBe(200);
      const after = Date.parse((advanced.json as { now: string }).now);
      expect(after - before).toBeGreaterThanOrEqual(32 * DAY_MS);
      const ids = (await listBackups(emulator, emulator.demoToken, 12345)).map((b) => b.id);
      expect(ids).toEqual([499]);
      const bad = await control(emulator, "/clock", { method: "POST", body: { advanceMs: -1 } });
      expect(bad.status).toBe(400);
    } finally {
      await emulator.stop();
    }
  });

  test("automatic backups can be made on demand", async () => {
    const emulator = await startEmulator({ timeScale: 0, autoBackupIntervalMs: 0 });
    try {
      const made = await control(emulator, "/servers/12346/automatic-backup", { method: "POST" });
      expect(made.status).toBe(201);
      const listed = await listBackups(emulator, emulator.demoToken, 12346);
      expect(listed).toHaveLength(1);
      expect(listed[0]?.backup_type).toBe("automatic");
      expect(listed[0]?.expires_at).not.toBeNull();
    } finally {
      await emulator.stop();
    }
  });
});
