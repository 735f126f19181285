/**
 * Retry timing: jittered exponential backoff, `Retry-After` parsing, and the rate-limit gate
 * that makes every caller sharing one client wait for `RateLimit-Reset` instead of burning
 * 429s. Pure functions and one small class; the one request loop in `client.ts` uses them.
 */

/** Backoff of the first retry, in milliseconds (doubles each retry). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** Longest backoff between two attempts, in milliseconds. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 8_000;
/** Fraction of each backoff removed at random, so concurrent callers do not retry in lockstep. */
export const RETRY_JITTER = 0.25;

/** Statuses a GET or DELETE retries: request timeout, rate limit, platform failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Backoff before retry number `retryIndex` (0 for the first retry), in milliseconds:
 * `min(base·2ⁿ, max)` minus up to 25 % at random.
 */
export function computeBackoffMs(
  retryIndex: number,
  baseDelayMs: number = DEFAULT_RETRY_BASE_DELAY_MS,
  maxDelayMs: number = DEFAULT_RETRY_MAX_DELAY_MS,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return Math.round(exponential * (1 - RETRY_JITTER * random()));
}

/**
 * Parses a `Retry-After` header (delta seconds, or an HTTP date) into milliseconds from `nowMs`.
 * Returns null when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfterMs(
  header: string | undefined,
  nowMs: number = Date.now(),
): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names a weekday or month; Date.parse alone would read "-3" as a year.
  if (!/[a-z]/i.test(text)) return null;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return null;
  return Math.max(0, dateMs - nowMs);
}

// `RateLimit-Reset` is delta seconds (IETF draft, and this platform); some APIs send an epoch
// timestamp instead. No plausible delta is this large, so a larger number is an epoch.
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

/**
 * Parses `RateLimit-Reset` into milliseconds from `nowMs` (delta seconds, or epoch seconds).
 * Returns null when absent or unparseable.
 */
export function parseRateLimitResetMs(
  header: string | undefined,
  nowMs: number = Date.now(),
): number | null {
  if (header === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return null;
  const value = Number(header);
  if (value >= EPOCH_SECONDS_THRESHOLD) return Math.max(0, value * 1000 - nowMs);
  return Math.round(value * 1000);
}

/**
 * Remembers until when the platform asked this client to pause (an exhausted
 * `RateLimit-Remaining`, or a 429's `Retry-After`), so that every later request of the same
 * client waits for that moment instead of being refused.
 */
export class RateLimitGate {
  private resumeAtMs = 0;

  /** Records the rate-limit headers of a response (lowercase names). */
  observe(headers: Record<string, string | undefined>, nowMs: number = Date.now()): void {
    const remaining = headers["ratelimit-remaining"];
    if (remaining !== undefined && Number(remaining.trim()) === 0) {
      const resetMs = parseRateLimitResetMs(headers["ratelimit-reset"], nowMs);
      if (resetMs !== null) this.pauseUntil(nowMs + resetMs);
    }
  }

  /** Makes requests wait until `resumeAtMs` (epoch milliseconds); an earlier time never shortens a pause. */
  pauseUntil(resumeAtMs: number): void {
    this.resumeAtMs = Math.max(this.resumeAtMs, resumeAtMs);
  }

  /** How long a request starting at `nowMs` must wait, in milliseconds (0 when not paused). */
  delayMs(nowMs: number = Date.now()): number {
    return Math.max(0, this.resumeAtMs - nowMs);
  }
}
