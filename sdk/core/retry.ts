/**
 * Retry timing: which statuses are retried, jittered exponential backoff, and `Retry-After`
 * parsing. Pure functions; the one request loop (`request.ts`) uses them.
 */
import { VpsApiError, VpsConnectionError, VpsTimeoutError } from "../errors";

/** Backoff of the first retry, in milliseconds (doubles each retry). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** Longest backoff between two attempts, in milliseconds. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 8_000;
/** Fraction of each backoff removed at random, so concurrent callers do not retry in lockstep. */
const RETRY_JITTER = 0.25;

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

/**
 * Whether a call that already used its retries failed for a reason the next poll of a wait may
 * not meet again (a retryable status, a timeout, no connection). Anything else (401, 403, 400,
 * a malformed body) will fail again, so a wait reports it at once instead of at its deadline.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof VpsApiError) return isRetryableStatus(error.status);
  return error instanceof VpsTimeoutError || error instanceof VpsConnectionError;
}
