/**
 * The deadline of a wait (`waitForBackup`, `waitForServerActive`): when it began, when it gives
 * up, and the next poll's delay clamped to it, so that no sleep ever runs past the deadline.
 */
import type { PollSchedule } from "./poll-schedule";
import { setLongTimeout } from "./timers";

/** How long `waitForBackup` and `waitForServerActive` wait by default, in milliseconds (1 hour). */
export const DEFAULT_WAIT_TIMEOUT_MS = 3_600_000;

/** A wait's time budget, from the moment it is built. All times are epoch milliseconds. */
export class WaitDeadline {
  /** When the wait began (epoch milliseconds). */
  readonly startedAtMs: number;
  /** When the wait gives up (epoch milliseconds). */
  readonly atMs: number;

  /** @param timeoutMs how long the wait may run, in milliseconds (any length, even above 24.8 days). */
  constructor(
    readonly timeoutMs: number,
    nowMs: number = Date.now(),
  ) {
    this.startedAtMs = nowMs;
    this.atMs = nowMs + timeoutMs;
  }

  /** Milliseconds left before the deadline (0 or less once it passed). */
  remainingMs(nowMs: number = Date.now()): number {
    return this.atMs - nowMs;
  }

  /** Milliseconds since the wait began. */
  elapsedMs(nowMs: number = Date.now()): number {
    return nowMs - this.startedAtMs;
  }

  /**
   * The delay before the next poll, in milliseconds: what `schedule` says for the time waited
   * so far, never past the deadline, never negative (a NaN from the schedule counts as 0).
   */
  nextPollDelayMs(schedule: PollSchedule, nowMs: number = Date.now()): number {
    const wanted = schedule(this.elapsedMs(nowMs));
    const delayMs = Math.min(Number.isNaN(wanted) ? 0 : wanted, this.remainingMs(nowMs));
    return Math.max(0, delayMs);
  }

  /** Calls `callback` when the deadline passes (at once if it already has). Returns a cancel function. */
  onExpiry(callback: () => void): () => void {
    return setLongTimeout(callback, this.remainingMs());
  }
}
