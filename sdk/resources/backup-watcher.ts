/**
 * Waiting for backups: the per-server watcher that lets every waiter on one server share a
 * single `GET /backups/?server_id=X` per tick. Each waiter keeps its own poll schedule and its
 * own deadline (a {@link WaitDeadline}, whose timer works for any length).
 */
import type { Backup } from "../schemas";
import {
  VpsAbortError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsError,
  VpsTimeoutError,
  describeDuration,
} from "../errors";
import type { WaitDeadline } from "../core/deadline";
import { FAST_POLL_INTERVAL_MS, type PollSchedule } from "../core/poll-schedule";
import { isTransientFailure } from "../core/retry";
import { setLongTimeout } from "../core/timers";

/**
 * A backup missing from this many consecutive lists is declared gone: one miss can be a page
 * boundary shifting under a deletion between two page requests.
 */
const MISSES_BEFORE_GONE = 2;

/** Lists a server's backups until every id in `wantedIds` was seen or the list ended. */
type ListServerBackups = (
  serverId: number,
  wantedIds: ReadonlySet<number>,
  options: { signal: AbortSignal; deadlineMs: number },
) => Promise<Map<number, Backup>>;

/** What a watcher needs from its client. */
interface WatcherDependencies {
  listServerBackups: ListServerBackups;
  pollSchedule: PollSchedule;
  /** Longest deadline of one poll request, in milliseconds (the client's `deadlineMs`). */
  requestDeadlineMs: number;
  warn(message: string): void;
  /** Called when the last waiter left, so the client can forget this watcher. */
  onIdle(): void;
}

/** One caller of `waitForBackup`. */
interface BackupWaiter {
  backupId: number;
  serverId: number;
  /** When the wait began and when it gives up. */
  deadline: WaitDeadline;
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

/**
 * Polls one server's backup list for all its waiters. The next tick is due at the soonest
 * waiter's next poll time, and every waiter that joined before the tick began is resolved
 * from that one list, so N waiters on a server cost one request per tick.
 */
export class BackupWatcher {
  private readonly waiters = new Set<WaiterState>();
  private cancelTick: (() => void) | undefined;
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
      nextPollAtMs: waiter.deadline.startedAtMs,
      lastStatus: null,
      lastError: null,
      misses: 0,
      cleanup: () => undefined,
    };
    const cancelExpiry = waiter.deadline.onExpiry(() =>
      this.settle(state, this.timeoutError(state)),
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
      cancelExpiry();
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
      `Timed out after ${describeDuration(state.deadline.timeoutMs)} waiting for backup ${state.backupId} of server ${state.serverId} to complete (${last}${lastError}). ` +
        `The backup may still finish: wait longer (raise timeoutMs) or check it later with findBackup(${state.backupId}, { serverId: ${state.serverId} }).`,
      {
        operation: `waiting for backup ${state.backupId}`,
        backupId: state.backupId,
        serverId: state.serverId,
        lastStatus: state.lastStatus,
        timeoutMs: state.deadline.timeoutMs,
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
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.stopController.abort();
    this.dependencies.onIdle();
  }

  private scheduleTick(): void {
    if (this.inFlight || this.waiters.size === 0) return;
    let soonest = Infinity;
    for (const state of this.waiters) soonest = Math.min(soonest, state.nextPollAtMs);
    this.cancelTick?.();
    // A timer even for a due poll: waiters added in the same turn share the first tick.
    this.cancelTick = setLongTimeout(() => void this.tick(), soonest - Date.now());
  }

  private async tick(): Promise<void> {
    this.cancelTick = undefined;
    this.inFlight = true;
    const tickStartedAtMs = Date.now();
    const served = [...this.waiters];
    const wantedIds = new Set(served.map((state) => state.backupId));
    const longestRemainingMs = Math.max(
      ...served.map((state) => state.deadline.remainingMs(tickStartedAtMs)),
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
      const nextPollAtMs = now + this.dependencies.pollSchedule(state.deadline.elapsedMs(now));
      if (found === undefined) {
        if (!isTransientFailure(failure)) {
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
    if (failure !== undefined && isTransientFailure(failure) && this.waiters.size > 0) {
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
