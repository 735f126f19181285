/**
 * The backups resource: list, find, create (never twice blindly), delete, and wait for one
 * to complete. Every request goes through the client's one request path (`core/request.ts`).
 */
import type { Backup } from "../schemas";
import { BackupPageSchema, CreatedBackupSchema } from "../schemas";
import {
  checkDescription,
  checkObject,
  validBackupType,
  validDurationMs,
  validId,
} from "../core/arguments";
import type { CallContext, RequestOptions } from "../core/call";
import { CreateGate } from "../core/create-gate";
import { DEFAULT_WAIT_TIMEOUT_MS, WaitDeadline } from "../core/deadline";
import { iteratePages } from "../core/pagination";
import type { PollSchedule } from "../core/poll-schedule";
import type { Requester } from "../core/request";
import { BackupWatcher } from "./backup-watcher";

/**
 * A backup found after an ambiguous create is adopted when the server says it was created at
 * most this long before the request began (milliseconds, 60 s): the two clocks may disagree.
 */
export const CREATE_ADOPTION_CLOCK_SKEW_MS = 60_000;

/** Filters of `listBackups`. */
export interface BackupFilters {
  /** Only backups of this server. Default: every server. */
  serverId?: number;
  /** `manual` or `automatic`, any case. Default: both. */
  backupType?: string;
}

/** Arguments of `createBackup`. */
export interface CreateBackupArgs {
  /** The server to back up. */
  serverId: number;
  /** Free text, at most 255 characters. Default: none. */
  description?: string;
}

/** A backup just created (or adopted after an ambiguous create), with the platform's message. */
export type CreatedBackup = Backup & { message: string | null };

/** Options of `waitForBackup`. */
export interface WaitForBackupOptions {
  /** The backup's server (the list is filtered by it, and waits on one server share polls). */
  serverId: number;
  /** How long to wait, in milliseconds (any length). Default 3 600 000 (1 hour). */
  timeoutMs?: number;
  /** Aborts the wait; it then rejects with `VpsAbortError`. */
  signal?: AbortSignal;
  /** Called with the backup after every poll that saw it. */
  onProgress?(backup: Backup): void;
}

/** What the backups resource takes from the client's options. */
interface BackupsSettings {
  /** `page_size` of list requests; undefined leaves the platform's default. */
  pageSize: number | undefined;
  pollSchedule: PollSchedule;
  /** Waits on one server share one list request per tick. */
  coalescePolls: boolean;
}

/** The backup calls of one client. */
export class Backups {
  // Backups this client created or adopted: never adopted a second time.
  private readonly knownBackupIds = new Set<number>();
  private readonly createGates = new Map<string, CreateGate>();
  private readonly watchers = new Map<number | symbol, BackupWatcher>();

  constructor(
    private readonly requester: Requester,
    private readonly settings: BackupsSettings,
  ) {}

  /**
   * Every backup visible to the token (all pages), newest first (descending id, as the
   * platform lists them; re-sorted here so a shifted page cannot break the order).
   * A backup seen on two pages (the list shifted while paging) is returned once.
   */
  async list(filters: BackupFilters = {}, options: RequestOptions = {}): Promise<Backup[]> {
    const byId = new Map<number, Backup>();
    for await (const page of this.iterate(filters, options)) {
      for (const backup of page) if (!byId.has(backup.id)) byId.set(backup.id, backup);
    }
    return [...byId.values()].sort((a, b) => b.id - a.id);
  }

  /** The backups one page at a time, following `next`. */
  iterate(filters: BackupFilters = {}, options: RequestOptions = {}): AsyncIterable<Backup[]> {
    const query = backupQuery(filters);
    const operation =
      filters.serverId !== undefined
        ? `listing backups of server ${filters.serverId}`
        : "listing backups";
    const call = this.requester.callContext(operation, options);
    return iteratePages(
      this.requester,
      call,
      "/backups/",
      query,
      BackupPageSchema,
      this.settings.pageSize,
    );
  }

  /** Finds one backup through the list (the API has no single-backup read); undefined when absent. */
  async find(
    backupId: number,
    where: { serverId?: number } = {},
    options: RequestOptions = {},
  ): Promise<Backup | undefined> {
    const id = validId("backupId", backupId, "backup");
    const filters: BackupFilters = where.serverId !== undefined ? { serverId: where.serverId } : {};
    for await (const page of this.iterate(filters, options)) {
      const match = page.find((backup) => backup.id === id);
      if (match) return match;
    }
    return undefined;
  }

  /**
   * Starts a manual backup of a server. Never POSTs twice blindly: when an attempt's outcome is
   * unknown, it looks for the backup the attempt may have made and adopts it (see `adopt`).
   */
  async create(args: CreateBackupArgs, options: RequestOptions = {}): Promise<CreatedBackup> {
    checkObject(
      "createBackup's argument",
      args,
      "must be an object",
      'call createBackup({ serverId: 12345, description: "…" })',
    );
    const serverId = validId("serverId", args.serverId, "server");
    const description: unknown = args.description;
    checkDescription(description);
    const startedAtMs = Date.now();
    const call = this.requester.callContext(`creating a backup of server ${serverId}`, options, {
      notFoundHint: `server ${serverId} does not exist (or belongs to another account) — check the id with listServers()`,
      ambiguityHint: `a backup may have been created anyway: look for it with listBackups({ serverId: ${serverId} }) before trying again`,
    });
    const wantedDescription = typeof description === "string" ? description : "";
    const body =
      typeof description === "string"
        ? { server_id: serverId, description }
        : { server_id: serverId };

    const gateKey = JSON.stringify([serverId, wantedDescription]);
    const gate = this.createGates.get(gateKey) ?? new CreateGate();
    this.createGates.set(gateKey, gate);
    try {
      return await this.requester.request(call, {
        method: "POST",
        target: "/backups/",
        body,
        idempotent: false,
        attemptGate: { enter: () => gate.enterPost(), leave: () => gate.leavePost() },
        schema: CreatedBackupSchema,
        // Known before the attempt leaves the gate, so no look-up can ever adopt it.
        onParsed: (created) => this.knownBackupIds.add(created.id),
        resolveAmbiguous: () =>
          gate.lookUp(() => this.adopt(call, serverId, wantedDescription, startedAtMs)),
      });
    } finally {
      if (gate.idle && this.createGates.get(gateKey) === gate) this.createGates.delete(gateKey);
    }
  }

  /**
   * After an ambiguous create: a backup of this server with this description, created since
   * the call began (less the clock skew allowance), not failed and not already known to this
   * client, is the one the attempt made. Undefined when there is none.
   */
  private async adopt(
    call: CallContext,
    serverId: number,
    wantedDescription: string,
    startedAtMs: number,
  ): Promise<CreatedBackup | undefined> {
    const backups = await this.list(
      { serverId },
      { signal: call.signal, deadlineMs: Math.max(1, call.deadlineAtMs - Date.now()) },
    );
    const createdAt = (backup: Backup) => Date.parse(backup.createdAt);
    const candidates = backups
      .filter(
        (backup) =>
          backup.serverId === serverId &&
          (backup.description ?? "") === wantedDescription &&
          backup.status !== "failed" &&
          !this.knownBackupIds.has(backup.id) &&
          createdAt(backup) >= startedAtMs - CREATE_ADOPTION_CLOCK_SKEW_MS,
      )
      // Prefer backups stamped after the call began (the skew window is a fallback),
      // then the oldest: later ones were started after it.
      .sort(
        (a, b) =>
          Number(createdAt(a) < startedAtMs) - Number(createdAt(b) < startedAtMs) ||
          createdAt(a) - createdAt(b) ||
          a.id - b.id,
      );
    const adopted = candidates[0];
    if (!adopted) return undefined;
    this.knownBackupIds.add(adopted.id);
    this.requester.stats.adoptedBackups += 1;
    this.requester.log(
      "warn",
      `creating a backup of server ${serverId}: the outcome of the request was unknown; adopted backup ${adopted.id} (created ${adopted.createdAt}) instead of creating another`,
    );
    return { ...adopted, message: null };
  }

  /** Deletes a backup (an in-progress one is cancelled). A missing backup throws `VpsNotFoundError`. */
  async delete(backupId: number, options: RequestOptions = {}): Promise<void> {
    const id = validId("backupId", backupId, "backup");
    const call = this.requester.callContext(`deleting backup ${id}`, options, {
      notFoundHint: `backup ${id} does not exist (or belongs to another account) — it may already be deleted or expired`,
    });
    await this.requester.request<void>(call, {
      method: "DELETE",
      target: `/backups/${encodeURIComponent(String(id))}/`,
      idempotent: true,
    });
  }

  /** Resolves when the backup is `completed` (see `VpsClient.waitForBackup`). */
  waitFor(backupId: number, options: WaitForBackupOptions): Promise<Backup> {
    try {
      const id = validId("backupId", backupId, "backup");
      checkObject(
        "options",
        options,
        "must be an object with serverId",
        `call waitForBackup(${id}, { serverId: 12345 })`,
      );
      const serverId = validId("serverId", options.serverId, "server");
      const timeoutMs = validDurationMs(
        "timeoutMs",
        options.timeoutMs,
        DEFAULT_WAIT_TIMEOUT_MS,
        `pass e.g. 600000 for 10 minutes (default ${DEFAULT_WAIT_TIMEOUT_MS})`,
      );
      const watcher = this.watcherFor(serverId, id);
      const deadline = new WaitDeadline(timeoutMs);
      return new Promise<Backup>((resolve, reject) => {
        watcher.add({
          backupId: id,
          serverId,
          deadline,
          signal: options.signal,
          onProgress: options.onProgress,
          resolve,
          reject,
        });
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // The server's shared watcher (or, without coalescing, one of the waiter's own).
  private watcherFor(serverId: number, backupId: number): BackupWatcher {
    const key = this.settings.coalescePolls ? serverId : Symbol(`wait for backup ${backupId}`);
    const existing = this.watchers.get(key);
    if (existing) return existing;
    const created = new BackupWatcher(serverId, {
      listServerBackups: (server, wantedIds, listOptions) =>
        this.listServerBackups(server, wantedIds, listOptions),
      pollSchedule: this.settings.pollSchedule,
      requestDeadlineMs: this.requester.deadlineMs,
      warn: (message) => this.requester.log("warn", message),
      onIdle: () => {
        if (this.watchers.get(key) === created) this.watchers.delete(key);
      },
    });
    this.watchers.set(key, created);
    return created;
  }

  // The watcher's tick: the server's list, stopping early once every wanted id was seen.
  private async listServerBackups(
    serverId: number,
    wantedIds: ReadonlySet<number>,
    options: { signal: AbortSignal; deadlineMs: number },
  ): Promise<Map<number, Backup>> {
    const found = new Map<number, Backup>();
    for await (const page of this.iterate({ serverId }, options)) {
      for (const backup of page)
        if (wantedIds.has(backup.id) && !found.has(backup.id)) found.set(backup.id, backup);
      if (found.size === wantedIds.size) break;
    }
    return found;
  }
}

// The query of a list request, from checked filters.
function backupQuery(filters: BackupFilters): Record<string, string | number | undefined> {
  checkObject(
    "filters",
    filters,
    "must be an object",
    'pass e.g. { serverId: 12345, backupType: "manual" }, or nothing',
  );
  const query: Record<string, string | number | undefined> = {};
  if (filters.serverId !== undefined)
    query.server_id = validId("serverId", filters.serverId, "server");
  if (filters.backupType !== undefined) query.backup_type = validBackupType(filters.backupType);
  return query;
}
