/**
 * The client's only timers. Node clamps any `setTimeout` delay above 2³¹−1 ms (about 24.8
 * days) to 1 ms, so a 30-day wait would end at once; every delay that comes from a caller or
 * the platform (waits, deadlines, Retry-After, rate-limit pauses, attempt timeouts) goes
 * through {@link setLongTimeout}, which chains timers past that limit.
 */

/** Longest delay one Node timer honours, in milliseconds (2³¹−1, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` once after `delayMs` milliseconds, however long: delays above
 * {@link MAX_TIMER_DELAY_MS} run as a chain of shorter timers. A negative or NaN delay counts
 * as 0; `Infinity` never fires. Returns a function that cancels the call.
 */
export function setLongTimeout(callback: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (leftMs: number) => {
    const stepMs = Math.min(leftMs, MAX_TIMER_DELAY_MS);
    timer = setTimeout(() => {
      if (cancelled) return;
      if (leftMs > stepMs) arm(leftMs - stepMs);
      else callback();
    }, stepMs);
  };
  arm(delayMs > 0 ? delayMs : 0);
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/**
 * The one sleep of the client: resolves after `delayMs` milliseconds (any length), or rejects
 * as soon as `signal` aborts, with `abortError()` when given, else the signal's reason.
 */
export function sleep(
  delayMs: number,
  signal?: AbortSignal,
  abortError?: () => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = () => reject(abortError ? abortError() : signal?.reason);
    if (signal?.aborted) return fail();
    const onAbort = () => {
      cancel();
      fail();
    };
    const cancel = setLongTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
