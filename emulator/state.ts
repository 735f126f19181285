/**
 * The emulator's model: accounts, their servers and backups, and the lifecycle that moves them
 * (backups finishing or failing, restores ending, automatic backups appearing and expiring).
 *
 * Time is virtual: `now()` is the wall clock plus an offset that tests can advance. The
 * lifecycle is evaluated lazily by `tick()` (called before every request and every in-process
 * read) instead of by timers, so advancing the clock, restarting from a data file, or a time
 * scale of 0.001 all behave the same way and nothing fires after `stop()`.
 */
import {
  type ApiBackup,
  type ApiServer,
  ApiBackupSchema,
  ApiServerSchema,
  type BackupType,
} from "../sdk/schemas";
import { SeededRandom } from "./seeded-random";

/** One account: the owner of a token and of servers (docs/api.md, decision 10). */
export interface EmulatorAccount {
  /** Public id used in the inventory (the token is never shown there). */
  id: string;
  /** The API token that authenticates as this account. */
  token: string;
}

/** One server as the emulator stores it. */
export interface EmulatorServer {
  id: number;
  accountId: string;
  name: string;
  /** Disk size in GB: drives backup durations and sizes. */
  diskGb: number;
  /** Status when nothing runs on it: `active` or `off` (or any string a seed sets). */
  baseStatus: string;
  /** Virtual time (ms since epoch) the running restore ends; null when none runs. */
  restoringUntil: number | null;
  /** Virtual time of the next automatic backup; null when automatic backups are off. */
  nextAutomaticBackupAt: number | null;
}

/** One backup as the emulator stores it. Times are virtual ms since the epoch. */
export interface EmulatorBackup {
  id: number;
  serverId: number;
  backupType: BackupType;
  /** `in_progress`, `completed`, `failed`, or any string set through the control endpoint. */
  status: string;
  sizeMb: number | null;
  createdAt: number;
  expiresAt: number | null;
  description: string | null;
  /** When an in-progress backup settles; null while stuck (or once settled). */
  finishesAt: number | null;
  /** What it settles into. */
  plannedOutcome: "completed" | "failed";
  /** The size it gets if it completes. */
  plannedSizeMb: number;
}

/** How the next backup of a server behaves, overriding the configured lifecycle (tests). */
export interface NextBackupOverride {
  /** `completed`, `failed`, or `stuck` (stays in progress until changed). Default: as configured. */
  outcome?: "completed" | "failed" | "stuck";
  /** Real milliseconds it takes, before the time scale is applied. Default: computed from disk size. */
  durationMs?: number;
}

/** Everything the emulator persists, in one JSON-serialisable value. */
export interface StateSnapshot {
  version: 1;
  clockOffsetMs: number;
  nextBackupId: number;
  nextServerId: number;
  randomPosition: number;
  accounts: EmulatorAccount[];
  servers: EmulatorServer[];
  backups: EmulatorBackup[];
  nextBackupOverrides: Record<string, NextBackupOverride[]>;
}

/** Lifecycle settings. Durations are real milliseconds before `timeScale` is applied. */
export interface LifecycleOptions {
  /** Multiplies every backup and restore duration (0.001 makes a 6 s backup take 6 ms). Default 1. */
  timeScale: number;
  /** Fixed part of a backup's duration, ms. Default 2000. */
  backupBaseMs: number;
  /** Part of a backup's duration per GB of disk, ms. Default 50 (an 80 GB disk: 6 s in all). */
  backupPerGbMs: number;
  /** Fixed part of a restore's duration, ms. Default 3000. */
  restoreBaseMs: number;
  /** Part of a restore's duration per GB of disk, ms. Default 50. */
  restorePerGbMs: number;
  /** Fraction (0–1) of backups that end `failed`. Default 0. */
  failureRate: number;
  /** Virtual ms between automatic backups of each server; 0 turns them off. Default one day. */
  autoBackupIntervalMs: number;
  /** Most automatic backups made per server in one catch-up after a clock jump. Default 100. */
  maxAutomaticBackupsPerCatchUp: number;
}

/** Defaults of {@link LifecycleOptions}. */
export const DEFAULT_LIFECYCLE_OPTIONS: LifecycleOptions = {
  timeScale: 1,
  backupBaseMs: 2000,
  backupPerGbMs: 50,
  restoreBaseMs: 3000,
  restorePerGbMs: 50,
  failureRate: 0,
  autoBackupIntervalMs: 24 * 60 * 60 * 1000,
  maxAutomaticBackupsPerCatchUp: 100,
};

/** The description the platform gives its automatic backups (from the page's sample). */
export const AUTOMATIC_BACKUP_DESCRIPTION = "Automatic daily backup";

/** The moment one calendar month after `ms` (UTC), clamped to the month's last day. */
export function addOneMonth(ms: number): number {
  const date = new Date(ms);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

/** ISO 8601 UTC at second precision, as the page's samples show (`2025-01-16T03:00:00Z`). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Filters of a backup list (docs/api.md, decision 3). */
export interface BackupFilters {
  serverId?: number;
  backupType?: BackupType;
}

/** The in-memory model, its lifecycle and its control operations. */
export class EmulatorState {
  private snapshotValue: StateSnapshot;
  private readonly random: SeededRandom;

  /**
   * @param options lifecycle settings
   * @param initial the starting state (from a seed or a data file)
   * @param onChange called synchronously after every mutation, before the caller answers
   *   (persistence writes there, so a kill after a 2xx loses nothing)
   */
  constructor(
    readonly options: LifecycleOptions,
    initial: StateSnapshot,
    private readonly onChange: (snapshot: StateSnapshot) => void = () => undefined,
  ) {
    this.snapshotValue = structuredClone(initial);
    this.random = new SeededRandom(initial.randomPosition);
    this.scheduleAutomaticBackups();
  }

  /** Virtual now, ms since the epoch: the wall clock plus the advanced offset. */
  now(): number {
    return Date.now() + this.snapshotValue.clockOffsetMs;
  }

  /** A deep copy of the whole state, as persisted. */
  snapshot(): StateSnapshot {
    return structuredClone({ ...this.snapshotValue, randomPosition: this.random.position });
  }

  /** Replaces the whole state (reset). */
  replace(next: StateSnapshot): void {
    this.snapshotValue = structuredClone(next);
    this.random.position = next.randomPosition;
    this.scheduleAutomaticBackups();
    this.commit();
  }

  private commit(): void {
    this.onChange(this.snapshot());
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Moves the virtual clock forward by `advanceMs` and applies what that time brings. */
  advanceClock(advanceMs: number): number {
    if (!Number.isFinite(advanceMs) || advanceMs < 0) {
      throw new RangeError("advanceMs must be a finite number of milliseconds, at least 0");
    }
    this.snapshotValue.clockOffsetMs += advanceMs;
    this.tick();
    this.commit();
    return this.now();
  }

  /**
   * Applies everything due by now: settles finished backups, ends restores, makes the automatic
   * backups whose time has come, and removes expired backups. Persists when anything changed.
   */
  tick(): void {
    const now = this.now();
    let changed = this.makeDueAutomaticBackups(now);
    for (const backup of this.snapshotValue.backups) {
      if (
        backup.status === "in_progress" &&
        backup.finishesAt !== null &&
        backup.finishesAt <= now
      ) {
        this.settle(backup);
        changed = true;
      }
    }
    for (const server of this.snapshotValue.servers) {
      if (server.restoringUntil !== null && server.restoringUntil <= now) {
        server.restoringUntil = null;
        server.baseStatus = "active";
        changed = true;
      }
    }
    const kept = this.snapshotValue.backups.filter(
      (b) => b.expiresAt === null || b.expiresAt > now,
    );
    if (kept.length !== this.snapshotValue.backups.length) {
      this.snapshotValue.backups = kept;
      changed = true;
    }
    if (changed) this.commit();
  }

  private settle(backup: EmulatorBackup): void {
    backup.status = backup.plannedOutcome;
    backup.sizeMb = backup.plannedOutcome === "completed" ? backup.plannedSizeMb : null;
    backup.finishesAt = null;
  }

  /** Real-time duration of a backup of this server, scaled, in ms. */
  backupDurationMs(server: EmulatorServer): number {
    const o = this.options;
    return (o.backupBaseMs + o.backupPerGbMs * server.diskGb) * o.timeScale;
  }

  /** Real-time duration of a restore of this server, scaled, in ms. */
  restoreDurationMs(server: EmulatorServer): number {
    const o = this.options;
    return (o.restoreBaseMs + o.restorePerGbMs * server.diskGb) * o.timeScale;
  }

  /** A backup's size: about 5.5 % of the disk in MiB, with ±3 % seeded jitter (80 GB → ~4500 MB). */
  private plannedSize(server: EmulatorServer): number {
    return Math.max(
      1,
      Math.round(server.diskGb * 1024 * 0.055 * (0.97 + 0.06 * this.random.next())),
    );
  }

  private scheduleAutomaticBackups(): void {
    const interval = this.options.autoBackupIntervalMs;
    const now = this.now();
    for (const server of this.snapshotValue.servers) {
      if (interval <= 0) {
        server.nextAutomaticBackupAt = null;
      } else if (server.nextAutomaticBackupAt === null) {
        // Continue the server's rhythm from its latest automatic backup when that is still ahead.
        const latest = this.snapshotValue.backups
          .filter((b) => b.serverId === server.id && b.backupType === "automatic")
          .reduce((max, b) => Math.max(max, b.createdAt), -Infinity);
        const fromLatest = latest + interval;
        server.nextAutomaticBackupAt = fromLatest > now ? fromLatest : now + interval;
      }
    }
  }

  private makeDueAutomaticBackups(now: number): boolean {
    const interval = this.options.autoBackupIntervalMs;
    if (interval <= 0) return false;
    let changed = false;
    for (const server of this.snapshotValue.servers) {
      let due = server.nextAutomaticBackupAt;
      if (due === null || due > now) continue;
      const slots = Math.floor((now - due) / interval) + 1;
      const skipped = Math.max(0, slots - this.options.maxAutomaticBackupsPerCatchUp);
      due += skipped * interval;
      for (; due <= now; due += interval) {
        // A backup that would already have expired is never seen by anyone: skip it.
        if (addOneMonth(due) > now)
          this.startBackup(server, "automatic", AUTOMATIC_BACKUP_DESCRIPTION, due);
      }
      server.nextAutomaticBackupAt = due;
      changed = true;
    }
    return changed;
  }

  private startBackup(
    server: EmulatorServer,
    backupType: BackupType,
    description: string | null,
    createdAt: number,
  ): EmulatorBackup {
    const override = this.snapshotValue.nextBackupOverrides[String(server.id)]?.shift();
    const plannedSizeMb = this.plannedSize(server);
    const failed = this.random.chance(this.options.failureRate);
    const plannedOutcome =
      override?.outcome === "completed" || override?.outcome === "failed"
        ? override.outcome
        : failed
          ? "failed"
          : "completed";
    const duration =
      override?.durationMs !== undefined
        ? override.durationMs * this.options.timeScale
        : this.backupDurationMs(server);
    const backup: EmulatorBackup = {
      id: this.snapshotValue.nextBackupId++,
      serverId: server.id,
      backupType,
      status: "in_progress",
      sizeMb: null,
      createdAt,
      expiresAt: backupType === "automatic" ? addOneMonth(createdAt) : null,
      description,
      finishesAt: override?.outcome === "stuck" ? null : createdAt + duration,
      plannedOutcome,
      plannedSizeMb,
    };
    this.snapshotValue.backups.push(backup);
    // A catch-up backup may already be due: settle it at once so lists never show it running late.
    if (backup.finishesAt !== null && backup.finishesAt <= this.now()) this.settle(backup);
    return backup;
  }

  // -------------------------------------------------------------------------------------------
  // Reads (scoped to an account: docs/api.md, decision 10)
  // -------------------------------------------------------------------------------------------

  /** The account a token belongs to, if any. */
  authenticate(token: string): EmulatorAccount | undefined {
    return this.snapshotValue.accounts.find((account) => account.token === token);
  }

  /** Every account (tokens included: in-process use only, never sent over HTTP). */
  accounts(): readonly EmulatorAccount[] {
    return this.snapshotValue.accounts;
  }

  /** The account's servers, newest (highest id) first. */
  serversOf(accountId: string): EmulatorServer[] {
    return this.snapshotValue.servers
      .filter((server) => server.accountId === accountId)
      .sort((a, b) => b.id - a.id);
  }

  /** One server of the account, or undefined (also when it belongs to someone else). */
  findServer(accountId: string, serverId: number): EmulatorServer | undefined {
    return this.snapshotValue.servers.find((s) => s.id === serverId && s.accountId === accountId);
  }

  /** A server by id whatever its account (control endpoint). */
  serverById(serverId: number): EmulatorServer | undefined {
    return this.snapshotValue.servers.find((s) => s.id === serverId);
  }

  /** A backup by id whatever its account (control endpoint). */
  backupById(backupId: number): EmulatorBackup | undefined {
    return this.snapshotValue.backups.find((b) => b.id === backupId);
  }

  /** The account's backups matching the filters, newest (highest id) first (docs/api.md, decisions 1, 3). */
  backupsOf(accountId: string, filters: BackupFilters = {}): EmulatorBackup[] {
    const serverIds = new Set(this.serversOf(accountId).map((s) => s.id));
    return this.snapshotValue.backups
      .filter(
        (b) =>
          serverIds.has(b.serverId) &&
          (filters.serverId === undefined || b.serverId === filters.serverId) &&
          (filters.backupType === undefined || b.backupType === filters.backupType),
      )
      .sort((a, b) => b.id - a.id);
  }

  /** One backup of the account, or undefined (also when it belongs to someone else). */
  findBackup(accountId: string, backupId: number): EmulatorBackup | undefined {
    const backup = this.backupById(backupId);
    if (!backup) return undefined;
    return this.findServer(accountId, backup.serverId) ? backup : undefined;
  }

  /** The status a server shows now (docs/api.md, decision 14). */
  serverStatus(server: EmulatorServer): string {
    if (server.restoringUntil !== null) return "restoring";
    if (
      this.snapshotValue.backups.some((b) => b.serverId === server.id && b.status === "in_progress")
    ) {
      return "backing_up";
    }
    return server.baseStatus;
  }

  /** True while a backup of the server is in progress. */
  hasRunningBackup(serverId: number): boolean {
    return this.snapshotValue.backups.some(
      (b) => b.serverId === serverId && b.status === "in_progress",
    );
  }

  /** A backup in wire format, shaped by the sdk's schema. */
  toApiBackup(backup: EmulatorBackup): ApiBackup {
    const server = this.serverById(backup.serverId);
    return ApiBackupSchema.parse({
      id: backup.id,
      server: { id: backup.serverId, name: server?.name ?? "" },
      backup_type: backup.backupType,
      status: backup.status,
      size_mb: backup.sizeMb,
      created_at: formatTimestamp(backup.createdAt),
      expires_at: backup.expiresAt === null ? null : formatTimestamp(backup.expiresAt),
      description: backup.description,
    });
  }

  /** A server in wire format, shaped by the sdk's schema. */
  toApiServer(server: EmulatorServer): ApiServer {
    return ApiServerSchema.parse({
      id: server.id,
      name: server.name,
      status: this.serverStatus(server),
      disk_gb: server.diskGb,
    });
  }

  // -------------------------------------------------------------------------------------------
  // API mutations
  // -------------------------------------------------------------------------------------------

  /** Starts a manual backup (POST /backups/). */
  createManualBackup(server: EmulatorServer, description: string | null): EmulatorBackup {
    const backup = this.startBackup(server, "manual", description, this.now());
    this.commit();
    return backup;
  }

  /** Deletes a backup; an in-progress one is cancelled (docs/api.md, decision 11). */
  deleteBackup(backupId: number): boolean {
    const before = this.snapshotValue.backups.length;
    this.snapshotValue.backups = this.snapshotValue.backups.filter((b) => b.id !== backupId);
    const deleted = this.snapshotValue.backups.length !== before;
    if (deleted) this.commit();
    return deleted;
  }

  /** Starts restoring a server (docs/api.md, decision 13); the caller has checked the preconditions. */
  startRestore(server: EmulatorServer): void {
    server.restoringUntil = this.now() + this.restoreDurationMs(server);
    this.commit();
  }

  // -------------------------------------------------------------------------------------------
  // Control operations (tests and the /_emulator/ endpoint)
  // -------------------------------------------------------------------------------------------

  /**
   * Adds an account with servers. Ids and tokens not given are generated.
   * @returns the account and its servers
   */
  createAccount(input: {
    id?: string;
    token: string;
    servers?: { id?: number; name: string; diskGb?: number; status?: string }[];
  }): { account: EmulatorAccount; servers: EmulatorServer[] } {
    const s = this.snapshotValue;
    if (s.accounts.some((a) => a.token === input.token))
      throw new ConflictError("token already in use");
    const id =
      input.id ?? `account-${s.accounts.length + 1}-${Math.floor(this.random.next() * 1e9)}`;
    if (s.accounts.some((a) => a.id === id))
      throw new ConflictError(`account ${id} already exists`);
    const account: EmulatorAccount = { id, token: input.token };
    const servers: EmulatorServer[] = [];
    for (const spec of input.servers ?? []) {
      const serverId = spec.id ?? s.nextServerId;
      if (s.servers.some((x) => x.id === serverId) || servers.some((x) => x.id === serverId)) {
        throw new ConflictError(`server ${serverId} already exists`);
      }
      s.nextServerId = Math.max(s.nextServerId, serverId + 1);
      servers.push({
        id: serverId,
        accountId: id,
        name: spec.name,
        diskGb: spec.diskGb ?? 80,
        baseStatus: spec.status ?? "active",
        restoringUntil: null,
        nextAutomaticBackupAt: null,
      });
    }
    s.accounts.push(account);
    s.servers.push(...servers);
    this.scheduleAutomaticBackups();
    this.commit();
    return { account, servers };
  }

  /** Queues a behaviour for the next backup of a server (each queued entry is used once). */
  queueNextBackup(serverId: number, override: NextBackupOverride): void {
    if (!this.serverById(serverId)) throw new NotFoundError(`server ${serverId} does not exist`);
    const key = String(serverId);
    (this.snapshotValue.nextBackupOverrides[key] ??= []).push({ ...override });
    this.commit();
  }

  /** Makes an automatic backup of the server now, as the platform's schedule would. */
  makeAutomaticBackup(serverId: number): EmulatorBackup {
    const server = this.serverById(serverId);
    if (!server) throw new NotFoundError(`server ${serverId} does not exist`);
    const backup = this.startBackup(server, "automatic", AUTOMATIC_BACKUP_DESCRIPTION, this.now());
    this.commit();
    return backup;
  }

  /** Sets the expiry of a backup to now, so it disappears from every list. */
  expireBackup(backupId: number): void {
    const backup = this.requireBackup(backupId);
    backup.expiresAt = this.now();
    this.tick();
    this.commit();
  }

  /** Settles an in-progress (or stuck) backup now, completed or failed. */
  finishBackup(backupId: number, outcome: "completed" | "failed"): EmulatorBackup {
    const backup = this.requireBackup(backupId);
    backup.plannedOutcome = outcome;
    this.settle(backup);
    this.commit();
    return backup;
  }

  /** Keeps a backup in progress until something else settles it. */
  makeStuck(backupId: number): EmulatorBackup {
    const backup = this.requireBackup(backupId);
    backup.status = "in_progress";
    backup.sizeMb = null;
    backup.finishesAt = null;
    this.commit();
    return backup;
  }

  /** Overwrites fields of a backup (for example an unknown status string, docs/api.md decision 4). */
  patchBackup(
    backupId: number,
    patch: { status?: string; sizeMb?: number | null; description?: string | null },
  ): EmulatorBackup {
    const backup = this.requireBackup(backupId);
    if (patch.status !== undefined) {
      backup.status = patch.status;
      if (patch.status !== "in_progress") backup.finishesAt = null;
    }
    if (patch.sizeMb !== undefined) backup.sizeMb = patch.sizeMb;
    if (patch.description !== undefined) backup.description = patch.description;
    this.commit();
    return backup;
  }

  /** Deletes a backup behind the API's back (as the platform might). */
  deleteOutOfBand(backupId: number): void {
    this.requireBackup(backupId);
    this.deleteBackup(backupId);
  }

  private requireBackup(backupId: number): EmulatorBackup {
    const backup = this.backupById(backupId);
    if (!backup) throw new NotFoundError(`backup ${backupId} does not exist`);
    return backup;
  }

  /**
   * Every account with its servers and backups, for tests and the inventory endpoint.
   * Tokens are left out on purpose: accounts are named by id.
   */
  inventory() {
    this.tick();
    const now = this.now();
    return {
      now: formatTimestamp(now),
      clockOffsetMs: this.snapshotValue.clockOffsetMs,
      nextBackupId: this.snapshotValue.nextBackupId,
      accounts: this.snapshotValue.accounts.map((account) => ({
        id: account.id,
        servers: this.serversOf(account.id).map((server) => ({
          ...this.toApiServer(server),
          backups: this.backupsOf(account.id, { serverId: server.id }).map((b) => ({
            ...this.toApiBackup(b),
            stuck: b.status === "in_progress" && b.finishesAt === null,
          })),
        })),
      })),
    };
  }
}

/** A control operation named something that does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A control operation conflicts with the existing state (duplicate id or token). */
export class ConflictError extends Error {
  override name = "ConflictError";
}
