/**
 * Waiting for backups: the default poll schedule, and the per-server watcher that lets every
 * waiter on one server share a single `GET /backups/?server_id=X` per tick.
 */
import type { Backup } from "./schemas";
import {
  VpsAbortError,
  VpsApiError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsConnectionError,
  VpsError,
  VpsTimeoutError,
  describeDuration,
} from "./errors";
import { isRetryableStatus } from "./retry";

/** Poll every 0.5 s during the first {@link FAST_POLL_PHASE_MS} of a wait. */
export const FAST_POLL_INTERVAL_MS = 500;
/** Length of the fast phase, in milliseconds: short backups are noticed within 0.5 s. */
export const FAST_POLL_PHASE_MS = 3_000;
/** After the fast phase, wait a third of the time already waited (each gap ×4/3 the previous). */
export const POLL_GROWTH_FRACTION = 1 / 3;
/** Longest gap between two polls, in milliseconds. */
export const MAX_POLL_INTERVAL_MS = 20_000;
/** How long `waitForBackup` waits by default, in milliseconds (1 hour). */
export const DEFAULT_WAIT_TIMEOUT_MS = 3_600_000;
/**
 * A backup missing from this many consecutive lists is declared gone: one miss can be a page
 * boundary shifting under a deletion between two page requests.
 */
export const MISSES_BEFORE_GONE = 2;

/**
 * The default poll schedule: the delay before the next status poll, in milliseconds, given how
 * long the wait has run. Polls at 0, 0.5, 1, … 3 s, then every `elapsed/3` (4, 5.3, 7.1, 9.5,
 * 12.6, 16.9, 22.5, 30, 40, 53.3 s), then every 20 s. Worst-case detection delay: 0.5 s for a
 * backup that finishes within 3 s, at most a third of its duration after that, at most 20 s
 * for long ones; 19 polls (the immediate one included) for a backup finishing by 90 s, like a
 * fixed 5 s poll. The README ("Waiting and the poll schedule") has the arithmetic.
 */
export function defaultPollSchedule(elapsedMs: number): number {
  if (elapsedMs < FAST_POLL_PHASE_MS) return FAST_POLL_INTERVAL_MS;
  return Math.min(
    MAX_POLL_INTERVAL_MS,
    Math.max(FAST_POLL_INTERVAL_MS, elapsedMs * POLL_GROWTH_FRACTION),
  );
}

/** Lists a server's backups until every id in `wantedIds` was seen or the list ended. */
export type ListServerBackups = (
  serverId: number,
  wantedIds: ReadonlySet<number>,
  options: { signal: AbortSignal; deadlineMs: number },
) => Promise<Map<number, Backup>>;

/** What a watcher needs from its client. */
export interface WatcherDependencies {
  listServerBackups: ListServerBackups;
  pollSchedule: (elapsedMs: number) => number;
  /** Longest deadline of one poll request, in milliseconds (the client's `deadlineMs`). */
  requestDeadlineMs: number;
  warn(message: string): void;
  /** Called when the last waiter left, so the client can forget this watcher. */
  onIdle(): void;
}

/** One caller of `waitForBackup`. */
export interface BackupWaiter {
  backupId: number;
  serverId: number;
  /** Epoch milliseconds when the wait began. */
  startedAtMs: number;
  /** Epoch milliseconds when the wait gives up. */
  deadlineAtMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (backup: Backup) => void;
  resolve(backup: Backup): void;
  reject(error: VpsError): void;
}

interface WaiterState extends BackupWaiter {
  nextPollAtMs: number;
  lastStatus: string | null;
  lastError: VpsError | null;
  misses: number;
  cleanup(): void;
}

// A list failure the next tick may not repeat; anything else (401, 403, 400, a malformed
// body) will fail again, so the waiters learn about it now instead of at their deadline.
function isTransient(error: unknown): boolean {
  if (error instanceof VpsApiError) return isRetryableStatus(error.status);
  return error instanceof VpsTimeoutError || error instanceof VpsConnectionError;
}

/**
 * Polls one server's backup list for all its waiters. The next tick is due at the soonest
 * waiter's next poll time, and every waiter that joined before the tick began is resolved
 * from that one list, so N waiters on a server cost one request per tick.
 */
export class ServerStatusWatcher {
  private readonly waiters = new Set<WaiterState>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private readonly stopController = new AbortController();

  constructor(
    readonly serverId: number,
    private readonly dependencies: WatcherDependencies,
  ) {}

  /** Number of waiters still waiting. */
  get size(): number {
    return this.waiters.size;
  }

  /** Adds a waiter; its first poll is due at once. */
  add(waiter: BackupWaiter): void {
    const state: WaiterState = {
      ...waiter,
      nextPollAtMs: waiter.startedAtMs,
      lastStatus: null,
      lastError: null,
      misses: 0,
      cleanup: () => undefined,
    };
    const deadlineTimer = setTimeout(
      () => this.settle(state, this.timeoutError(state)),
      Math.max(0, waiter.deadlineAtMs - Date.now()),
    );
    const onAbort = () =>
      this.settle(
        state,
        new VpsAbortError(
          `Stopped waiting for backup ${state.backupId} of server ${state.serverId}: the signal was aborted`,
          {
            operation: `waiting for backup ${state.backupId}`,
            backupId: state.backupId,
            serverId: state.serverId,
          },
        ),
      );
    waiter.signal?.addEventListener("abort", onAbort, { once: true });
    state.cleanup = () => {
      clearTimeout(deadlineTimer);
      waiter.signal?.removeEventListener("abort", onAbort);
    };
    this.waiters.add(state);
    if (waiter.signal?.aborted) {
      onAbort();
      return;
    }
    this.scheduleTick();
  }

  private timeoutError(state: WaiterState): VpsTimeoutError {
    const last =
      state.lastStatus === null
        ? "its status was never read"
        : `its last status was "${state.lastStatus}"`;
    const lastError = state.lastError ? `; the last poll failed: ${state.lastError.message}` : "";
    return new VpsTimeoutError(
      `Timed out after ${describeDuration(state.timeoutMs)} waiting for backup ${state.backupId} of server ${state.serverId} to complete (${last}${lastError}). ` +
        `The backup may still finish: wait longer (raise timeoutMs) or check it later with findBackup(${state.backupId}, { serverId: ${state.serverId} }).`,
      {
        operation: `waiting for backup ${state.backupId}`,
        backupId: state.backupId,
        serverId: state.serverId,
        lastStatus: state.lastStatus,
        timeoutMs: state.timeoutMs,
      },
    );
  }

  private settle(state: WaiterState, outcome: Backup | VpsError): void {
    if (!this.waiters.delete(state)) return;
    state.cleanup();
    if (outcome instanceof VpsError) state.reject(outcome);
    else state.resolve(outcome);
    if (this.waiters.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopController.abort();
    this.dependencies.onIdle();
  }

  private scheduleTick(): void {
    if (this.inFlight || this.waiters.size === 0) return;
    let soonest = Infinity;
    for (const state of this.waiters) soonest = Math.min(soonest, state.nextPollAtMs);
    if (this.timer) clearTimeout(this.timer);
    // setTimeout even for a due poll: waiters added in the same turn share the first tick.
    this.timer = setTimeout(() => void this.tick(), Math.max(0, soonest - Date.now()));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.inFlight = true;
    const tickStartedAtMs = Date.now();
    const served = [...this.waiters];
    const wantedIds = new Set(served.map((state) => state.backupId));
    const longestRemainingMs = Math.max(
      ...served.map((state) => state.deadlineAtMs - tickStartedAtMs),
    );
    let found: Map<number, Backup> | undefined;
    let failure: unknown;
    try {
      found = await this.dependencies.listServerBackups(this.serverId, wantedIds, {
        signal: this.stopController.signal,
        deadlineMs: Math.max(1, Math.min(this.dependencies.requestDeadlineMs, longestRemainingMs)),
      });
    } catch (error) {
      failure = error;
    }
    this.inFlight = false;
    if (this.stopController.signal.aborted) return;
    const now = Date.now();
    for (const state of served) {
      if (!this.waiters.has(state)) continue;
      const nextPollAtMs = now + this.dependencies.pollSchedule(now - state.startedAtMs);
      if (found === undefined) {
        if (!isTransient(failure)) {
          this.settle(state, failure instanceof VpsError ? failure : this.unexpected(failure));
          continue;
        }
        state.lastError = failure as VpsError;
        state.nextPollAtMs = nextPollAtMs;
        continue;
      }
      state.lastError = null;
      const backup = found.get(state.backupId);
      if (!backup) {
        state.misses += 1;
        if (state.misses >= MISSES_BEFORE_GONE) {
          this.settle(state, this.goneError(state));
        } else {
          state.nextPollAtMs =
            now + Math.min(FAST_POLL_INTERVAL_MS, this.dependencies.pollSchedule(0));
        }
        continue;
      }
      state.misses = 0;
      state.lastStatus = backup.status;
      this.reportProgress(state, backup);
      if (!this.waiters.has(state)) continue;
      if (backup.status === "completed") this.settle(state, backup);
      else if (backup.status === "failed") this.settle(state, this.failedError(state));
      else state.nextPollAtMs = nextPollAtMs;
    }
    if (failure !== undefined && isTransient(failure) && this.waiters.size > 0) {
      this.dependencies.warn(
        `Polling the backups of server ${this.serverId} failed, will poll again: ${(failure as Error).message}`,
      );
    }
    this.scheduleTick();
  }

  private reportProgress(state: WaiterState, backup: Backup): void {
    if (!state.onProgress) return;
    try {
      state.onProgress(backup);
    } catch (error) {
      // A broken progress callback must not stop the wait it reports on.
      this.dependencies.warn(
        `onProgress for backup ${state.backupId} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private unexpected(error: unknown): VpsError {
    return new VpsError(
      `Polling the backups of server ${this.serverId} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private failedError(state: WaiterState): VpsBackupFailedError {
    return new VpsBackupFailedError(
      `Backup ${state.backupId} of server ${state.serverId} failed on the platform (status "failed"). ` +
        `It holds no usable data: delete it (deleteBackup(${state.backupId})) and create a new one; if backups of this server keep failing, check its disk space and contact the platform's support.`,
      { backupId: state.backupId, serverId: state.serverId, lastStatus: state.lastStatus },
    );
  }

  private goneError(state: WaiterState): VpsBackupNotFoundError {
    const last =
      state.lastStatus === null ? "it was never seen" : `its last status was "${state.lastStatus}"`;
    return new VpsBackupNotFoundError(
      `Backup ${state.backupId} of server ${state.serverId} is no longer in the server's backup list (${last}): ` +
        `it was deleted (or cancelled), expired, or the server is gone. Create a new backup if you still need one.`,
      { backupId: state.backupId, serverId: state.serverId, lastStatus: state.lastStatus },
    );
  }
}
