/**
 * The emulator's model on its own, without HTTP: the lifecycle on a virtual clock (Date.now
 * is fixed by jest's fake clock, so every time below is exact), filters and ordering,
 * accounts, cancel-on-delete, and the facts the restore preconditions rest on.
 */
import {
  AUTOMATIC_BACKUP_DESCRIPTION,
  DEFAULT_LIFECYCLE_OPTIONS,
  EmulatorState,
  type LifecycleOptions,
  type StateSnapshot,
  addOneMonth,
  formatTimestamp,
} from "../../../emulator";

const NOW = Date.UTC(2025, 0, 16, 15, 45, 0);
const DAY_MS = 24 * 60 * 60 * 1000;

function emptySnapshot(): StateSnapshot {
  return {
    version: 1,
    clockOffsetMs: 0,
    nextBackupId: 100,
    nextServerId: 1000,
    randomPosition: 1,
    accounts: [],
    servers: [],
    backups: [],
    nextBackupOverrides: {},
  };
}

function model(options: Partial<LifecycleOptions> = {}, onChange?: () => void) {
  const state = new EmulatorState(
    { ...DEFAULT_LIFECYCLE_OPTIONS, autoBackupIntervalMs: 0, ...options },
    emptySnapshot(),
    onChange,
  );
  const { servers } = state.createAccount({
    id: "a",
    token: "token-a",
    servers: [
      { name: "small", diskGb: 20 },
      { name: "big", diskGb: 80 },
    ],
  });
  const [small, big] = servers;
  if (!small || !big) throw new Error("servers missing");
  return { state, small, big };
}

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
});
afterEach(() => {
  jest.useRealTimers();
});

describe("lifecycle on the virtual clock", () => {
  test("a backup runs for base + per GB × disk, then completes with a size", () => {
    const { state, big } = model();
    const backup = state.createManualBackup(big, "nightly");
    expect(backup).toMatchObject({ status: "in_progress", sizeMb: null, backupType: "manual" });
    expect(state.serverStatus(big)).toBe("backing_up");
    const duration = 2000 + 50 * 80;
    expect(state.backupDurationMs(big)).toBe(duration);

    state.advanceClock(duration - 1);
    expect(state.backupById(backup.id)?.status).toBe("in_progress");
    state.advanceClock(1);
    state.tick();
    const done = state.backupById(backup.id);
    expect(done?.status).toBe("completed");
    // About 5.5 % of the disk in MiB, ± 3 %.
    expect(done?.sizeMb).toBeGreaterThan(80 * 1024 * 0.055 * 0.96);
    expect(done?.sizeMb).toBeLessThan(80 * 1024 * 0.055 * 1.04);
    expect(done?.expiresAt).toBeNull();
    expect(state.serverStatus(big)).toBe("active");
  });

  test("the time scale multiplies every duration", () => {
    const { state, big } = model({ timeScale: 0.001 });
    expect(state.backupDurationMs(big)).toBeCloseTo((2000 + 50 * 80) * 0.001);
    expect(state.restoreDurationMs(big)).toBeCloseTo((3000 + 50 * 80) * 0.001);
  });

  test("the wall clock moves the virtual one too", () => {
    const { state, small } = model();
    const backup = state.createManualBackup(small, null);
    jest.setSystemTime(NOW + state.backupDurationMs(small));
    state.tick();
    expect(state.backupById(backup.id)?.status).toBe("completed");
  });

  test("queued outcomes: failed ends without a size, stuck never ends, each is used once", () => {
    const { state, small } = model();
    state.queueNextBackup(small.id, { outcome: "failed" });
    state.queueNextBackup(small.id, { outcome: "stuck" });
    const failed = state.createManualBackup(small, null);
    const stuck = state.createManualBackup(small, null);
    const normal = state.createManualBackup(small, null);
    state.advanceClock(365 * DAY_MS);
    expect(state.backupById(failed.id)).toMatchObject({ status: "failed", sizeMb: null });
    expect(state.backupById(stuck.id)).toMatchObject({ status: "in_progress", finishesAt: null });
    expect(state.backupById(normal.id)?.status).toBe("completed");
    expect(state.finishBackup(stuck.id, "completed").status).toBe("completed");
  });

  test("a queued duration replaces the computed one (before the time scale)", () => {
    const { state, small } = model({ timeScale: 0.5 });
    state.queueNextBackup(small.id, { durationMs: 10_000 });
    const backup = state.createManualBackup(small, null);
    state.advanceClock(4_999);
    expect(state.backupById(backup.id)?.status).toBe("in_progress");
    state.advanceClock(1);
    expect(state.backupById(backup.id)?.status).toBe("completed");
  });

  test("makeStuck and patchBackup override the lifecycle", () => {
    const { state, small } = model();
    const backup = state.createManualBackup(small, null);
    state.makeStuck(backup.id);
    state.advanceClock(DAY_MS);
    expect(state.backupById(backup.id)?.status).toBe("in_progress");
    state.patchBackup(backup.id, { status: "queued", description: "patched", sizeMb: 7 });
    expect(state.backupById(backup.id)).toMatchObject({
      status: "queued",
      description: "patched",
      sizeMb: 7,
      finishesAt: null,
    });
    expect(state.toApiBackup(state.backupById(backup.id)!).status).toBe("queued");
  });

  test("the failure rate is drawn from the seeded generator: the same seed fails the same backups", () => {
    const outcomes = () => {
      const { state, small } = model({ failureRate: 0.5 });
      const ids = Array.from({ length: 40 }, () => state.createManualBackup(small, null).id);
      state.advanceClock(DAY_MS);
      return ids.map((id) => state.backupById(id)?.status);
    };
    const first = outcomes();
    const failures = first.filter((status) => status === "failed").length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(outcomes()).toEqual(first);
  });

  test("advanceClock refuses a negative or infinite step", () => {
    const { state } = model();
    expect(() => state.advanceClock(-1)).toThrow(RangeError);
    expect(() => state.advanceClock(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(state.advanceClock(DAY_MS)).toBe(NOW + DAY_MS);
  });
});

describe("automatic backups and expiry", () => {
  test("one automatic backup per interval, expiring a calendar month after it was made", () => {
    const { state, small } = model({ autoBackupIntervalMs: DAY_MS });
    state.advanceClock(DAY_MS);
    const [automatic] = state.backupsOf("a", { backupType: "automatic", serverId: small.id });
    expect(automatic).toMatchObject({
      backupType: "automatic",
      description: AUTOMATIC_BACKUP_DESCRIPTION,
      createdAt: NOW + DAY_MS,
      expiresAt: addOneMonth(NOW + DAY_MS),
    });
    state.advanceClock(2 * DAY_MS);
    expect(state.backupsOf("a", { backupType: "automatic", serverId: small.id })).toHaveLength(3);
  });

  test("after a long clock jump, backups that would already have expired are never made", () => {
    const { state, small } = model({ autoBackupIntervalMs: DAY_MS });
    state.advanceClock(100 * DAY_MS);
    const automatic = state.backupsOf("a", { backupType: "automatic", serverId: small.id });
    expect(automatic.length).toBeGreaterThanOrEqual(27);
    expect(automatic.length).toBeLessThanOrEqual(31);
    expect(automatic.every((backup) => backup.expiresAt! > state.now())).toBe(true);
    // Caught-up backups whose run is over are settled at once, never listed running late.
    const over = automatic.filter(
      (backup) => backup.createdAt + state.backupDurationMs(small) <= state.now(),
    );
    expect(over.length).toBeGreaterThanOrEqual(automatic.length - 1);
    expect(over.every((backup) => backup.status === "completed")).toBe(true);
  });

  test("the catch-up is capped per server", () => {
    const { state, small } = model({
      autoBackupIntervalMs: 60_000,
      maxAutomaticBackupsPerCatchUp: 5,
    });
    state.advanceClock(DAY_MS);
    expect(state.backupsOf("a", { serverId: small.id })).toHaveLength(5);
  });

  test("expireBackup removes a backup from every list", () => {
    const { state, small } = model();
    const backup = state.createManualBackup(small, null);
    state.expireBackup(backup.id);
    expect(state.backupById(backup.id)).toBeUndefined();
    expect(state.backupsOf("a")).toEqual([]);
  });

  test("addOneMonth clamps to the last day of the next month; timestamps have second precision", () => {
    expect(new Date(addOneMonth(Date.UTC(2025, 0, 31, 3))).toISOString()).toBe(
      "2025-02-28T03:00:00.000Z",
    );
    expect(new Date(addOneMonth(Date.UTC(2025, 11, 15))).toISOString()).toBe(
      "2026-01-15T00:00:00.000Z",
    );
    expect(formatTimestamp(Date.UTC(2025, 0, 16, 3, 0, 0, 999))).toBe("2025-01-16T03:00:00Z");
  });
});

describe("reads: filters, ordering, accounts", () => {
  test("backups are newest (highest id) first, filtered by server and type, scoped to the account", () => {
    const { state, small, big } = model();
    const other = state.createAccount({ id: "b", token: "token-b", servers: [{ name: "x" }] });
    const a1 = state.createManualBackup(small, "1");
    const a2 = state.createManualBackup(big, "2");
    const auto = state.makeAutomaticBackup(small.id);
    const b1 = state.createManualBackup(other.servers[0]!, "b");

    expect(state.backupsOf("a").map((b) => b.id)).toEqual([auto.id, a2.id, a1.id]);
    expect(state.backupsOf("a", { serverId: small.id }).map((b) => b.id)).toEqual([auto.id, a1.id]);
    expect(state.backupsOf("a", { backupType: "manual" }).map((b) => b.id)).toEqual([a2.id, a1.id]);
    expect(state.backupsOf("b").map((b) => b.id)).toEqual([b1.id]);
    // Another account's backup and server are invisible, not forbidden.
    expect(state.findBackup("a", b1.id)).toBeUndefined();
    expect(state.findServer("a", other.servers[0]!.id)).toBeUndefined();
    expect(state.findBackup("b", b1.id)?.id).toBe(b1.id);
  });

  test("servers are newest first; tokens authenticate their own account only", () => {
    const { state, small, big } = model();
    expect(state.serversOf("a").map((s) => s.id)).toEqual([big.id, small.id]);
    expect(state.authenticate("token-a")?.id).toBe("a");
    expect(state.authenticate("nope")).toBeUndefined();
  });

  test("createAccount refuses a duplicate token, account id or server id, and continues ids", () => {
    const { state, big } = model();
    expect(() => state.createAccount({ token: "token-a" })).toThrow("token already in use");
    expect(() => state.createAccount({ id: "a", token: "fresh" })).toThrow("already exists");
    expect(() =>
      state.createAccount({ token: "fresh-2", servers: [{ id: big.id, name: "clash" }] }),
    ).toThrow(`server ${big.id} already exists`);
    const { servers } = state.createAccount({
      token: "fresh-3",
      servers: [{ id: 5000, name: "chosen" }, { name: "next" }],
    });
    expect(servers.map((s) => s.id)).toEqual([5000, 5001]);
    expect(servers[0]).toMatchObject({ diskGb: 80, baseStatus: "active" });
  });

  test("control operations on unknown ids are NotFoundErrors", () => {
    const { state } = model();
    for (const call of [
      () => state.queueNextBackup(424242, {}),
      () => state.makeAutomaticBackup(424242),
      () => state.finishBackup(424242, "completed"),
      () => state.expireBackup(424242),
      () => state.deleteOutOfBand(424242),
    ]) {
      expect(call).toThrow(expect.objectContaining({ name: "NotFoundError" }));
    }
  });

  test("the inventory shows every account's servers and backups, never a token", () => {
    const { state, small } = model();
    state.queueNextBackup(small.id, { outcome: "stuck" });
    state.createManualBackup(small, "stuck one");
    const inventory = state.inventory();
    expect(JSON.stringify(inventory)).not.toContain("token-a");
    expect(inventory.now).toBe(formatTimestamp(NOW));
    const [account] = inventory.accounts;
    expect(account?.servers.map((s) => s.name)).toEqual(["big", "small"]);
    expect(account?.servers[1]?.backups[0]).toMatchObject({
      description: "stuck one",
      stuck: true,
      status: "in_progress",
    });
  });
});

describe("delete cancels, restores end", () => {
  test("deleting an in-progress backup cancels it: gone, and the server is no longer backing up", () => {
    const { state, small } = model();
    const backup = state.createManualBackup(small, null);
    expect(state.hasRunningBackup(small.id)).toBe(true);
    expect(state.deleteBackup(backup.id)).toBe(true);
    expect(state.hasRunningBackup(small.id)).toBe(false);
    expect(state.serverStatus(small)).toBe("active");
    state.advanceClock(DAY_MS);
    expect(state.backupById(backup.id)).toBeUndefined();
    expect(state.deleteBackup(backup.id)).toBe(false);
  });

  test("a restore shows the server restoring until its duration has passed, then active (even from off)", () => {
    const { state, small } = model();
    const server = state.createAccount({
      token: "token-off",
      servers: [{ name: "off", diskGb: 20, status: "off" }],
    }).servers[0]!;
    expect(state.serverStatus(server)).toBe("off");
    state.startRestore(server);
    expect(state.serverStatus(server)).toBe("restoring");
    // Restoring wins over a running backup.
    state.createManualBackup(server, null);
    expect(state.serverStatus(server)).toBe("restoring");
    state.advanceClock(state.restoreDurationMs(server) - 1);
    expect(state.serverStatus(server)).toBe("restoring");
    state.advanceClock(1);
    expect(state.serverStatus(server)).toBe("active");
    expect(state.serverStatus(small)).toBe("active");
  });
});

describe("snapshots and change notification", () => {
  test("every mutation reports the new snapshot; reads do not", () => {
    const changes: StateSnapshot[] = [];
    const { state, small } = model({}, () => undefined);
    const watched = new EmulatorState(state.options, state.snapshot(), (snapshot) =>
      changes.push(snapshot),
    );
    const server = watched.serverById(small.id)!;
    const backup = watched.createManualBackup(server, "x");
    expect(changes.at(-1)?.backups.map((b) => b.id)).toContain(backup.id);
    const count = changes.length;
    watched.backupsOf("a");
    watched.findServer("a", server.id);
    watched.tick(); // nothing due
    expect(changes).toHaveLength(count);
    watched.advanceClock(DAY_MS);
    expect(changes.length).toBeGreaterThan(count);
    expect(changes.at(-1)?.clockOffsetMs).toBe(DAY_MS);
  });

  test("a snapshot is a copy, and a state built from it continues ids, clock and random sequence", () => {
    const { state, small } = model({ failureRate: 0.5 });
    state.createManualBackup(small, null);
    state.advanceClock(DAY_MS);
    const snapshot = state.snapshot();
    snapshot.accounts.push({ id: "mutated", token: "mutated" });
    expect(state.authenticate("mutated")).toBeUndefined();

    const restored = new EmulatorState(state.options, state.snapshot());
    expect(restored.now()).toBe(state.now());
    const next = (s: EmulatorState) => {
      const created = s.createManualBackup(s.serverById(small.id)!, null);
      s.advanceClock(DAY_MS);
      return [created.id, s.backupById(created.id)?.status, s.backupById(created.id)?.sizeMb];
    };
    expect(next(restored)).toEqual(next(state));
  });

  test("replace swaps the whole state (reset)", () => {
    const { state, small } = model();
    const before = state.snapshot();
    state.createManualBackup(small, null);
    state.replace(before);
    expect(state.backupsOf("a")).toEqual([]);
  });
});
