/**
 * The poll schedules the wait benchmark compares, and the arithmetic of each: when it
 * polls, and the worst delay it can add to a backup that completes at any moment.
 *
 * Every schedule is a `pollSchedule` for `VpsClient` (delay before the next poll, given the
 * time waited), so all of them run through the client's one wait code path.
 */
import { defaultPollSchedule } from "../sdk";

/** A poll schedule: delay before the next status poll (ms) given the time waited so far (ms). */
export type PollSchedule = (elapsedMs: number) => number;

/** The reference "poll every 5 seconds" that most hand-written waits use. */
export const FIXED_POLL_INTERVAL_MS = 5_000;

/** First delay of the hcloud-style exponential schedule, in milliseconds. */
export const EXPONENTIAL_FIRST_DELAY_MS = 500;
/** Longest delay of the hcloud-style exponential schedule, in milliseconds. */
export const EXPONENTIAL_MAX_DELAY_MS = 60_000;

/** A compared schedule: its name in tables and plots, and the function. */
export interface NamedSchedule {
  id: "sdk-default" | "fixed-5s" | "exponential" | "proportional-15";
  label: string;
  schedule: PollSchedule;
}

/** Every 5 s, whatever the time waited. */
export function fixedFiveSecondSchedule(): number {
  return FIXED_POLL_INTERVAL_MS;
}

/**
 * hcloud-style exponential backoff: delays 0.5, 1, 2, 4 … s, capped at 60 s. After the polls
 * at 0, 0.5, 1.5, 3.5 … s (each `0.5·(2ⁿ−1)` s), the next delay is the time waited plus
 * 0.5 s, which is the doubling expressed as a function of the time waited.
 */
export function exponentialSchedule(elapsedMs: number): number {
  return Math.min(EXPONENTIAL_MAX_DELAY_MS, elapsedMs + EXPONENTIAL_FIRST_DELAY_MS);
}

/** The smallest gap of {@link fifteenPercentSchedule}, in milliseconds. */
export const PROPORTIONAL_MIN_DELAY_MS = 500;

/**
 * The schedule for a 15 % bound everywhere: each gap 15 % of the time waited,
 * at least 0.5 s. Not a reference from another tool: it shows the price of the 15 % goal in
 * requests, beside the sdk's default.
 */
export function fifteenPercentSchedule(elapsedMs: number): number {
  return Math.max(PROPORTIONAL_MIN_DELAY_MS, 0.15 * elapsedMs);
}

/** The compared schedules, the sdk's default first. */
export const COMPARED_SCHEDULES: readonly NamedSchedule[] = [
  { id: "sdk-default", label: "sdk default", schedule: defaultPollSchedule },
  { id: "fixed-5s", label: "fixed 5 s", schedule: fixedFiveSecondSchedule },
  { id: "exponential", label: "exponential 0.5 s ×2, cap 60 s", schedule: exponentialSchedule },
  {
    id: "proportional-15",
    label: "15 % of the time waited (min 0.5 s)",
    schedule: fifteenPercentSchedule,
  },
];

/**
 * The schedule run `timeFactor` times faster: `timeFactor = 0.1` polls at a tenth of the
 * times, so a backup 10 times shorter sees the same polls relative to its duration.
 */
export function scaleSchedule(schedule: PollSchedule, timeFactor: number): PollSchedule {
  if (timeFactor === 1) return schedule;
  return (elapsedMs) => schedule(elapsedMs / timeFactor) * timeFactor;
}

/** The times (ms after the wait began) at which the schedule polls, up to `untilMs` and one beyond. */
export function pollTimes(schedule: PollSchedule, untilMs: number): number[] {
  const times = [0];
  let last = 0;
  while (last < untilMs) {
    last += schedule(last);
    times.push(last);
  }
  return times;
}

/** When a backup completing `completionMs` after the wait began is seen, by the ideal network. */
export interface Detection {
  /** The poll that sees it, ms after the wait began. */
  detectedAtMs: number;
  /** Polls sent until then, the first (immediate) one included. */
  polls: number;
}

/** The first poll at or after the completion (zero network latency). */
export function detect(schedule: PollSchedule, completionMs: number): Detection {
  const times = pollTimes(schedule, completionMs);
  const index = times.findIndex((time) => time >= completionMs);
  return { detectedAtMs: times[index] as number, polls: index + 1 };
}

/** The worst a schedule does for completions anywhere in a window of durations. */
export interface WorstCase {
  /** Largest delay, ms, and the duration it happens at. */
  worstDelayMs: number;
  /** Largest delay as a fraction of the duration, and the duration it happens at. */
  worstRatio: number;
  worstRatioAtMs: number;
  /** Most polls spent for a completion in the window. */
  mostPolls: number;
}

/**
 * The worst case over every completion time in `[fromMs, toMs]`: right after a poll the
 * completion waits a whole gap, so the supremum sits just after each poll time (and at
 * `fromMs`) — checking those points is exact, not a sampling.
 */
export function worstCase(schedule: PollSchedule, fromMs: number, toMs: number): WorstCase {
  const times = pollTimes(schedule, toMs);
  const candidates = [
    fromMs,
    ...times.filter((time) => time > fromMs && time < toMs).map((time) => time + 1e-6),
  ];
  let worstDelayMs = 0;
  let worstRatio = 0;
  let worstRatioAtMs = fromMs;
  let mostPolls = 0;
  for (const completionMs of candidates) {
    const detection = detect(schedule, completionMs);
    const delay = detection.detectedAtMs - completionMs;
    worstDelayMs = Math.max(worstDelayMs, delay);
    if (delay / completionMs > worstRatio) {
      worstRatio = delay / completionMs;
      worstRatioAtMs = completionMs;
    }
    mostPolls = Math.max(mostPolls, detection.polls);
  }
  mostPolls = Math.max(mostPolls, detect(schedule, toMs).polls);
  return { worstDelayMs, worstRatio, worstRatioAtMs, mostPolls };
}
