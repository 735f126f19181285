/**
 * The emulator's state: accounts, their servers and backups (types in `model.ts`), the reads
 * the API answers from, and the mutations of the API and of the control endpoint. The lifecycle
 * that moves them (backups finishing or failing, restores ending, automatic backups appearing
 * and expiring) is in `lifecycle.ts`.
 *
 * Time is virtual: `now()` is the wall clock plus an offset that tests can advance. The
 * lifecycle is evaluated lazily by `tick()` (called before every request and every in-process
 * read) instead of by timers, so advancing the clock, restarting from a data file, or a time
 * scale of 0.001 all behave the same way and nothing fires after `stop()`.
 */
import { type ApiBackup, type ApiServer, ApiBackupSchema, ApiServerSchema } from "../sdk/schemas";
import { Lifecycle, settle } from "./lifecycle";
import {
  AUTOMATIC_BACKUP_DESCRIPTION,
  type BackupFilters,
  ConflictError,
  type EmulatorAccount,
  type EmulatorBackup,
  type EmulatorServer,
  type LifecycleOptions,
  type NextBackupOverride,
  NotFoundError,
  type StateSnapshot,
  formatTimestamp,
} from "./model";
import { SeededRandom } from "./seeded-random";

/** The in-memory model: its reads, its API and control mutations, its clock and lifecycle. */
export class EmulatorState {
  private snapshotValue: StateSnapshot;
  private readonly random: SeededRandom;
  private readonly lifecycle: Lifecycle;

  /**
   * @param options lifecycle settings
   * @param initial the starting state (from a seed or a data file)
   * @param onChange called synchronously after every mutation, before the caller answers
   *   (persistence writes there, so a kill after a 2xx loses nothing), with the live state:
   *   read it there and then, never keep or change it (no copy is made, so that a mutation's
   *   cost does not grow with the number of stored backups)
   */
  constructor(
    readonly options: LifecycleOptions,
    initial: StateSnapshot,
    private readonly onChange: (state: Readonly<StateSnapshot>) => void = () => undefined,
  ) {
    this.snapshotValue = structuredClone(initial);
    this.random = new SeededRandom(initial.randomPosition);
    this.lifecycle = new Lifecycle(options, this.random, () => this.now());
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
    this.snapshotValue.randomPosition = this.random.position;
    this.onChange(this.snapshotValue);
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
    if (this.lifecycle.applyDue(this.snapshotValue)) this.commit();
  }

  /** Real-time duration of a backup of this server, scaled, in ms. */
  backupDurationMs(server: EmulatorServer): number {
    return this.lifecycle.backupDurationMs(server);
  }

  /** Real-time duration of a restore of this server, scaled, in ms. */
  restoreDurationMs(server: EmulatorServer): number {
    return this.lifecycle.restoreDurationMs(server);
  }

  private scheduleAutomaticBackups(): void {
    this.lifecycle.scheduleAutomaticBackups(this.snapshotValue);
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
    const backup = this.lifecycle.startBackup(
      this.snapshotValue,
      server,
      "manual",
      description,
      this.now(),
    );
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
    const backup = this.lifecycle.startBackup(
      this.snapshotValue,
      server,
      "automatic",
      AUTOMATIC_BACKUP_DESCRIPTION,
      this.now(),
    );
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
    settle(backup);
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
