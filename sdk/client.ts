/**
 * `VpsClient`: the typed client of the VPS Backups API. It holds the options and wires the
 * resources (`resources/backups.ts`, `resources/servers.ts`) to the one request path
 * (`core/request.ts`); every method below hands its call to one of them.
 */
import type { Backup, RestoreResult, Server } from "./schemas";
import type { RequestOptions, VpsClientStats } from "./core/call";
import { type VpsClientOptions, resolveClientOptions } from "./core/options";
import { Requester } from "./core/request";
import {
  type BackupFilters,
  Backups,
  type CreateBackupArgs,
  type CreatedBackup,
  type WaitForBackupOptions,
} from "./resources/backups";
import { Servers, type WaitForServerActiveOptions } from "./resources/servers";

/**
 * The typed client of the VPS Backups API. One instance is meant to be shared: it paces all
 * its callers on the platform's rate limit and shares backup status polls per server.
 */
export class VpsClient {
  /** Request counters, updated in place. */
  readonly stats: VpsClientStats;
  /** The normalized base URL (no trailing slash). */
  readonly baseUrl: string;

  private readonly backups: Backups;
  private readonly servers: Servers;

  /** Checks the options (a bad one throws `VpsConfigurationError`); sends nothing yet. */
  constructor(options: VpsClientOptions = {}) {
    const resolved = resolveClientOptions(options);
    const requester = new Requester(resolved);
    this.stats = requester.stats;
    this.baseUrl = resolved.baseUrl;
    this.backups = new Backups(requester, resolved);
    this.servers = new Servers(requester, resolved);
  }

  /** A token-free rendering for logs and `console.log(client)`. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, stats: { ...this.stats } };
  }

  /** `util.inspect` rendering without the token. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `VpsClient { baseUrl: '${this.baseUrl}', apiToken: '[redacted]' }`;
  }

  /**
   * Every backup visible to the token (all pages), newest first (descending id), optionally
   * filtered. A backup seen on two pages (the list shifted while paging) is returned once.
   */
  listBackups(filters: BackupFilters = {}, options: RequestOptions = {}): Promise<Backup[]> {
    return this.backups.list(filters, options);
  }

  /** The backups one page at a time (`for await (const page of client.iterBackups())`), following `next`. */
  iterBackups(filters: BackupFilters = {}, options: RequestOptions = {}): AsyncIterable<Backup[]> {
    return this.backups.iterate(filters, options);
  }

  /** Finds one backup through the list (the API has no single-backup read); undefined when absent. */
  findBackup(
    backupId: number,
    where: { serverId?: number } = {},
    options: RequestOptions = {},
  ): Promise<Backup | undefined> {
    return this.backups.find(backupId, where, options);
  }

  /**
   * Starts a manual backup of a server. Never POSTs twice blindly: when an attempt's outcome is
   * unknown (timeout, connection reset, 5xx, malformed 2xx), it looks for a backup of this
   * server with this description created since the call began, not already known to this
   * client and not failed, and adopts it; only when there is none does it POST again.
   */
  createBackup(args: CreateBackupArgs, options: RequestOptions = {}): Promise<CreatedBackup> {
    return this.backups.create(args, options);
  }

  /** Deletes a backup (an in-progress one is cancelled). A missing backup throws `VpsNotFoundError`. */
  deleteBackup(backupId: number, options: RequestOptions = {}): Promise<void> {
    return this.backups.delete(backupId, options);
  }

  /**
   * Resolves when the backup is `completed`. Throws `VpsBackupFailedError` (status `failed`),
   * `VpsBackupNotFoundError` (gone from the list), `VpsTimeoutError` (after `timeoutMs`,
   * default 1 hour, any length) or `VpsAbortError` (signal). Unknown statuses count as not
   * finished. Waits on one server share one list request per tick unless `coalescePolls` is
   * false.
   */
  waitForBackup(backupId: number, options: WaitForBackupOptions): Promise<Backup> {
    return this.backups.waitFor(backupId, options);
  }

  /**
   * Restores a server from one of its completed backups. Never POSTs twice blindly: after an
   * ambiguous attempt it reads the server, and a status of `restoring` (or a 409 "already
   * restoring" on the next attempt) means the restore was accepted.
   */
  restoreServer(
    serverId: number,
    backupId: number,
    options: RequestOptions = {},
  ): Promise<RestoreResult> {
    return this.servers.restore(serverId, backupId, options);
  }

  /**
   * Resolves with the server once its status is `active` (a restore has finished). Polls
   * `GET /servers/{id}/` at once, then on the poll schedule (default: the client's
   * `pollSchedule`); any other status, known or not, means "not yet". Throws `VpsTimeoutError`
   * at `timeoutMs` (default 1 hour, any length; the wait never runs past it), `VpsAbortError`
   * when `signal` aborts, and `VpsNotFoundError` when the server is gone. A poll that fails
   * with a transient error (5xx, 429, connection, timeout) after its retries is logged and
   * polled again; a permanent one (401, 403, malformed body) ends the wait.
   */
  waitForServerActive(serverId: number, options: WaitForServerActiveOptions = {}): Promise<Server> {
    return this.servers.waitForActive(serverId, options);
  }

  /** One server. A missing server throws `VpsNotFoundError`. */
  getServer(serverId: number, options: RequestOptions = {}): Promise<Server> {
    return this.servers.get(serverId, options);
  }

  /** Every server visible to the token (all pages). */
  listServers(options: RequestOptions = {}): Promise<Server[]> {
    return this.servers.list(options);
  }
}
