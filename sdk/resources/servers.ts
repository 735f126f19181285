/**
 * The servers resource: read and list servers, restore one from a backup (never twice
 * blindly), and wait until a server is `active` again. Every request goes through the client's
 * one request path (`core/request.ts`).
 */
import {
  VpsAbortError,
  VpsConflictError,
  type VpsError,
  VpsNotFoundError,
  VpsTimeoutError,
  describeDuration,
  withMessage,
} from "../errors";
import type { RestoreResult, Server } from "../schemas";
import { RestoreResultSchema, ServerPageSchema, ServerSchema } from "../schemas";
import { checkObject, invalidArgument, validDurationMs, validId } from "../core/arguments";
import type { RequestOptions } from "../core/call";
import { DEFAULT_WAIT_TIMEOUT_MS, WaitDeadline } from "../core/deadline";
import { iteratePages } from "../core/pagination";
import type { PollSchedule } from "../core/poll-schedule";
import type { Requester } from "../core/request";
import { isTransientFailure } from "../core/retry";
import { sleep } from "../core/timers";

/** Options of `waitForServerActive`. */
export interface WaitForServerActiveOptions {
  /** How long to wait, in milliseconds (any length). Default 3 600 000 (1 hour). */
  timeoutMs?: number;
  /** Aborts the wait; it then rejects with `VpsAbortError`. */
  signal?: AbortSignal;
  /** Called with the server after every poll that read it. */
  onProgress?(server: Server): void;
  /** Delay before the next poll given the time waited, both in milliseconds. Default: the client's `pollSchedule`. */
  pollSchedule?: PollSchedule;
}

/** What the servers resource takes from the client's options. */
interface ServersSettings {
  /** `page_size` of list requests; undefined leaves the platform's default. */
  pageSize: number | undefined;
  pollSchedule: PollSchedule;
}

/** The server calls of one client. */
export class Servers {
  constructor(
    private readonly requester: Requester,
    private readonly settings: ServersSettings,
  ) {}

  /** One server. A missing server throws `VpsNotFoundError`. */
  async get(serverId: number, options: RequestOptions = {}): Promise<Server> {
    const id = validId("serverId", serverId, "server");
    const call = this.requester.callContext(`reading server ${id}`, options, {
      notFoundHint: `server ${id} does not exist (or belongs to another account) — check the id with listServers()`,
    });
    return this.requester.request(call, {
      method: "GET",
      target: `/servers/${encodeURIComponent(String(id))}/`,
      idempotent: true,
      schema: ServerSchema,
    });
  }

  /** Every server visible to the token (all pages), each once, in the platform's order. */
  async list(options: RequestOptions = {}): Promise<Server[]> {
    const call = this.requester.callContext("listing servers", options);
    const byId = new Map<number, Server>();
    const pages = iteratePages(
      this.requester,
      call,
      "/servers/",
      {},
      ServerPageSchema,
      this.settings.pageSize,
    );
    for await (const page of pages)
      for (const server of page) if (!byId.has(server.id)) byId.set(server.id, server);
    return [...byId.values()];
  }

  /**
   * Restores a server from one of its completed backups. Never POSTs twice blindly: after an
   * ambiguous attempt it reads the server, and a status of `restoring` (or a 409 "already
   * restoring" on the next attempt) means the restore was accepted.
   */
  async restore(
    serverId: number,
    backupId: number,
    options: RequestOptions = {},
  ): Promise<RestoreResult> {
    const server = validId("serverId", serverId, "server");
    const backup = validId("backupId", backupId, "backup");
    const call = this.requester.callContext(
      `restoring server ${server} from backup ${backup}`,
      options,
      {
        notFoundHint: `server ${server} or backup ${backup} does not exist (or belongs to another account) — check both ids with listBackups({ serverId: ${server} })`,
        ambiguityHint: `the restore may have started anyway: check the server's status with getServer(${server}) before trying again`,
      },
    );
    const accepted = (): RestoreResult => ({
      serverId: server,
      backupId: backup,
      status: "restoring",
      message: null,
    });
    const readServer = () =>
      this.get(server, {
        signal: call.signal,
        deadlineMs: Math.max(1, call.deadlineAtMs - Date.now()),
      });
    // Look first: when the server is already restoring, the platform would answer 409, and an
    // ambiguous answer to our POST could not be told apart from that earlier restore.
    const before = await readServer();
    if (before.status === "restoring") {
      throw new VpsConflictError(
        `409 Conflict ${call.operation}: server ${server} is already restoring — wait until its status is active (getServer(${server})), then try again`,
        {
          status: 409,
          method: "POST",
          path: `/servers/${server}/restore/`,
          operation: call.operation,
          serverMessage: null,
        },
      );
    }
    return this.requester.request(call, {
      method: "POST",
      target: `/servers/${encodeURIComponent(String(server))}/restore/`,
      body: { backup_id: backup },
      idempotent: false,
      schema: RestoreResultSchema,
      resolveAmbiguous: async () => {
        const current = await readServer();
        if (current.status !== "restoring") return undefined;
        this.requester.log(
          "warn",
          `restoring server ${server}: the outcome of the request was unknown; the server is restoring, so the restore was accepted`,
        );
        return accepted();
      },
      resultForConflictAfterAmbiguity: accepted,
    });
  }

  /** Resolves with the server once its status is `active` (see `VpsClient.waitForServerActive`). */
  async waitForActive(serverId: number, options: WaitForServerActiveOptions = {}): Promise<Server> {
    const id = validId("serverId", serverId, "server");
    checkObject(
      "options",
      options,
      "must be an object",
      "pass e.g. { timeoutMs: 600000 }, or nothing",
    );
    const timeoutMs = validDurationMs(
      "timeoutMs",
      options.timeoutMs,
      DEFAULT_WAIT_TIMEOUT_MS,
      `pass e.g. 600000 for 10 minutes (default ${DEFAULT_WAIT_TIMEOUT_MS})`,
    );
    const schedule = options.pollSchedule ?? this.settings.pollSchedule;
    if (typeof schedule !== "function") {
      throw invalidArgument(
        "pollSchedule",
        schedule,
        "must be a function (elapsedMs) => delayMs",
        "pass one, or leave it out for the client's",
      );
    }
    return new ServerWait(
      this,
      this.requester,
      id,
      new WaitDeadline(timeoutMs),
      schedule,
      options,
    ).run();
  }
}

// One wait for a server to become active: polls on the schedule, and ends at the deadline
// exactly (a timer aborts the poll in flight or the sleep; the last sleep ends at the deadline).
class ServerWait {
  private lastStatus: string | null = null;
  private lastError: VpsError | null = null;
  private readonly expired = new AbortController();
  private readonly operation: string;

  constructor(
    private readonly servers: Servers,
    private readonly requester: Requester,
    private readonly serverId: number,
    private readonly deadline: WaitDeadline,
    private readonly schedule: PollSchedule,
    private readonly options: WaitForServerActiveOptions,
  ) {
    this.operation = `waiting for server ${serverId} to become active`;
  }

  async run(): Promise<Server> {
    const callerSignal = this.options.signal;
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, this.expired.signal])
      : this.expired.signal;
    const cancelExpiry = this.deadline.onExpiry(() => this.expired.abort());
    try {
      for (;;) {
        this.throwIfEnded();
        const server = await this.poll(signal);
        if (server?.status === "active") return server;
        await sleep(this.deadline.nextPollDelayMs(this.schedule), signal, () => this.endError());
      }
    } finally {
      cancelExpiry();
    }
  }

  // One read of the server; undefined when it failed in a way the next poll may not repeat.
  private async poll(signal: AbortSignal): Promise<Server | undefined> {
    let server: Server;
    try {
      server = await this.servers.get(this.serverId, {
        signal,
        deadlineMs: Math.max(1, Math.min(this.requester.deadlineMs, this.deadline.remainingMs())),
      });
    } catch (error) {
      this.throwIfEnded();
      if (error instanceof VpsNotFoundError) throw this.goneError(error);
      if (!isTransientFailure(error)) throw error;
      this.lastError = error as VpsError;
      this.requester.log(
        "warn",
        `Polling server ${this.serverId} failed, will poll again: ${this.lastError.message}`,
      );
      return undefined;
    }
    this.lastError = null;
    this.lastStatus = server.status;
    this.reportProgress(server);
    return server;
  }

  private reportProgress(server: Server): void {
    try {
      this.options.onProgress?.(server);
    } catch (error) {
      // A broken progress callback must not stop the wait it reports on.
      this.requester.log(
        "warn",
        `onProgress for server ${this.serverId} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private throwIfEnded(): void {
    if (
      this.options.signal?.aborted ||
      this.expired.signal.aborted ||
      this.deadline.remainingMs() <= 0
    )
      throw this.endError();
  }

  // Why the wait ended early: the caller's signal, else the deadline.
  private endError(): VpsAbortError | VpsTimeoutError {
    if (this.options.signal?.aborted) {
      return new VpsAbortError(`Stopped ${this.operation}: the signal was aborted`, {
        operation: this.operation,
        serverId: this.serverId,
      });
    }
    const last =
      this.lastStatus === null
        ? "its status was never read"
        : `its last status was "${this.lastStatus}"`;
    const lastError = this.lastError ? `; the last poll failed: ${this.lastError.message}` : "";
    return new VpsTimeoutError(
      `Timed out after ${describeDuration(this.deadline.timeoutMs)} ${this.operation} (${last}${lastError}). ` +
        `It may still get there: wait longer (raise timeoutMs) or check it later with getServer(${this.serverId}).`,
      {
        operation: this.operation,
        serverId: this.serverId,
        lastStatus: this.lastStatus,
        timeoutMs: this.deadline.timeoutMs,
      },
    );
  }

  private goneError(error: VpsNotFoundError): VpsNotFoundError {
    const last =
      this.lastStatus === null ? "it was never seen" : `its last status was "${this.lastStatus}"`;
    return withMessage(
      error,
      `${error.message} (while ${this.operation}; ${last}): the server was deleted, or the token lost access to it`,
    );
  }
}
