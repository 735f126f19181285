/** When a wait polls: the default schedule and its figures (README, "Waiting and the poll schedule"). */

/** Poll every 0.5 s (milliseconds) during the first {@link FAST_POLL_PHASE_MS} of a wait. */
export const FAST_POLL_INTERVAL_MS = 500;
/** Length of the fast phase, in milliseconds: short backups are noticed within 0.5 s. */
const FAST_POLL_PHASE_MS = 3_000;
/** After the fast phase, wait a third of the time already waited (each gap ×4/3 the previous). */
const POLL_GROWTH_FRACTION = 1 / 3;
/** Longest gap between two polls, in milliseconds (20 s). */
export const MAX_POLL_INTERVAL_MS = 20_000;

/** Delay before the next status poll, in milliseconds, given how long the wait has run (ms). */
export type PollSchedule = (elapsedMs: number) => number;

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
