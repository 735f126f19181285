/**
 * The rate-limit gate: every caller sharing one client waits in one line for
 * `RateLimit-Reset` (or a 429's `Retry-After`) instead of burning 429s and retry budgets.
 */
import { setLongTimeout } from "./timers";

// `RateLimit-Reset` is delta seconds (IETF draft, and this platform); some APIs send an epoch
// timestamp instead. No plausible delta is this large, so a larger number is an epoch.
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

/**
 * Parses `RateLimit-Reset` into milliseconds from `nowMs` (delta seconds, or epoch seconds).
 * Returns null when absent or unparseable.
 */
function parseRateLimitResetMs(
  header: string | undefined,
  nowMs: number = Date.now(),
): number | null {
  if (header === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return null;
  const value = Number(header);
  if (value >= EPOCH_SECONDS_THRESHOLD) return Math.max(0, value * 1000 - nowMs);
  return Math.round(value * 1000);
}

function parseCount(header: string | undefined): number | null {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return null;
  return Number(header);
}

/** Requests sent at once before the platform's first answer tells its rate limit. */
const FIRST_CONTACT_CONCURRENCY = 4;

interface QueuedRequest {
  admit(): void;
}

/**
 * How long the quota counts as shared with other clients after the last sign of it (a 429, or
 * an answer reporting less than this client alone could have spent).
 */
const SHARED_QUOTA_MEMORY_MS = 60_000;

/**
 * Paces every request of one client by what the platform says of its rate limit, so that many
 * concurrent callers (a stack's backups, in one provider process) wait in line on our side
 * instead of burning 429s and their retry budgets.
 *
 * The model is the one the `RateLimit-*` headers describe: `Remaining` requests may still go
 * (less those already in flight, which spend from the same quota), and at `Reset` the quota is
 * back to `Limit`. A 429's `Retry-After` holds everyone until then, after which one request
 * goes first to learn the new state. Requests wait first come, first served, so a caller is
 * never overtaken for ever. A platform that sends no such headers is never slowed.
 *
 * The quota belongs to the account, not to this client: other processes with the same token
 * (ten pipelines deploying at once) spend from it too, and only the platform's answers see
 * all of them. Once there is a sign of that (a 429, or an answer reporting less than this
 * client alone could have spent), the client no longer bursts what the last answer reported:
 * it spreads it over the reset window (one request every `Reset ÷ (Remaining + 1)`), so each
 * fresh answer, lowered by the others' spending, slows it down before the quota runs out; and
 * at the reset it sends one probe instead of a whole `Limit`. Every client doing so shares the
 * quota without talking to the others.
 */
export class RateLimitGate {
  /** Until when a 429's `Retry-After` holds every request (epoch ms). */
  private pausedUntilMs = 0;
  /** Requests the platform accepts before the reset; null until it has sent rate-limit headers. */
  private tokens: number | null = null;
  /** When the quota comes back (epoch ms). */
  private resetAtMs = 0;
  /** What comes back then: the whole `Limit`, or one probe after a refusal or in a shared quota. */
  private tokensAtReset = 1;
  private inFlight = 0;
  /** Until when the quota counts as shared with other clients (epoch ms); see the class doc. */
  private sharedUntilMs = 0;
  /** In a shared quota, the least time between two requests (from the latest answer). */
  private spacingMs = 0;
  /** When the last request was admitted (epoch ms). */
  private lastAdmittedAtMs = Number.NEGATIVE_INFINITY;
  /** Whether any answer came back yet: until then nothing is known of the limit. */
  private answered = false;
  /** Requests waiting for a place, oldest first. */
  private readonly queue: QueuedRequest[] = [];
  private cancelPump: (() => void) | undefined;
  /** Whether requests wait for the quota at all (off only for benchmarks' baselines). */
  private readonly pacing: boolean;

  /** `pacing: false` admits every request at once (429s are then only retried, never avoided). */
  constructor(options: { pacing?: boolean } = {}) {
    this.pacing = options.pacing ?? true;
  }

  /**
   * Records the rate-limit headers of a response (lowercase names), before {@link release}.
   * `refused` marks a 429: its quota comes back one request at a time, not all at once.
   */
  observe(
    headers: Record<string, string | undefined>,
    nowMs: number = Date.now(),
    refused = false,
  ): void {
    this.answered = true;
    const remaining = parseCount(headers["ratelimit-remaining"]);
    if (remaining !== null) {
      const limit = parseCount(headers["ratelimit-limit"]);
      const resetMs = parseRateLimitResetMs(headers["ratelimit-reset"], nowMs);
      // This response's own request is still counted in flight; the others will spend from
      // what the platform just reported.
      const tokens = remaining - Math.max(0, this.inFlight - 1);
      // Alone, this client's estimate can only be too low (the quota refills, answers arrive
      // out of order); an answer lower than it means someone else spends from the quota.
      if (refused || (this.tokens !== null && tokens < this.tokens - 1)) {
        this.sharedUntilMs = nowMs + SHARED_QUOTA_MEMORY_MS;
      }
      this.tokens = tokens;
      this.resetAtMs = nowMs + (resetMs ?? 1_000);
      this.spacingMs = (resetMs ?? 1_000) / (Math.max(0, tokens) + 1);
      this.tokensAtReset = refused || this.isShared(nowMs) ? 1 : Math.max(1, limit ?? remaining);
    } else if (refused) {
      this.sharedUntilMs = nowMs + SHARED_QUOTA_MEMORY_MS;
    }
    this.pump();
  }

  /** Makes requests wait until `resumeAtMs` (epoch milliseconds); an earlier time never shortens a pause. */
  pauseUntil(resumeAtMs: number): void {
    if (!this.pacing) return;
    this.pausedUntilMs = Math.max(this.pausedUntilMs, resumeAtMs);
    this.pump();
  }

  /**
   * How long a request starting at `nowMs` must wait at the least, in milliseconds: for a
   * 429's pause, or for the quota's reset when none is left (0 when it may go now).
   */
  delayMs(nowMs: number = Date.now()): number {
    if (!this.pacing) return 0;
    const pausedMs = this.pausedUntilMs - nowMs;
    const quotaMs =
      this.tokens !== null && this.tokens < 1 && Number.isFinite(this.resetAtMs)
        ? this.resetAtMs - nowMs
        : 0;
    return Math.max(0, pausedMs, quotaMs);
  }

  /**
   * Waits for a place to send one request, first come first served, then counts it in flight
   * (the caller must {@link release} it once answered). Rejects with `timeoutError()` when no
   * place comes before `deadlineAtMs`, and with `abortError()` when `signal` aborts.
   */
  acquire(options: {
    deadlineAtMs: number;
    signal?: AbortSignal;
    onQueued?: () => void;
    timeoutError: () => Error;
    abortError: () => Error;
  }): Promise<void> {
    if (!this.pacing) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    if (this.queue.length === 0 && this.admitNow(Date.now()) === 0) return Promise.resolve();
    options.onQueued?.();
    return new Promise<void>((resolve, reject) => {
      const entry: QueuedRequest = {
        admit: () => {
          cleanup();
          resolve();
        },
      };
      const fail = (error: Error) => {
        const index = this.queue.indexOf(entry);
        if (index < 0) return;
        this.queue.splice(index, 1);
        cleanup();
        reject(error);
      };
      const onAbort = () => fail(options.abortError());
      const cancelTimer = setLongTimeout(
        () => fail(options.timeoutError()),
        options.deadlineAtMs - Date.now(),
      );
      const cleanup = () => {
        cancelTimer();
        options.signal?.removeEventListener("abort", onAbort);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(entry);
      if (options.signal?.aborted) onAbort();
      else this.pump();
    });
  }

  /** Marks a request admitted by {@link acquire} as answered (or failed without an answer). */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.pump();
  }

  /** Whether other clients are known to spend from the same quota (see the class doc). */
  private isShared(nowMs: number): boolean {
    return nowMs < this.sharedUntilMs;
  }

  /** Admits queued requests, oldest first, while the quota allows; else wakes up later. */
  private pump(): void {
    this.cancelPump?.();
    this.cancelPump = undefined;
    while (this.queue.length > 0) {
      const waitMs = this.admitNow(Date.now());
      if (waitMs > 0) {
        this.cancelPump = setLongTimeout(() => this.pump(), waitMs);
        return;
      }
      this.queue.shift()?.admit();
    }
  }

  /** Counts one request in flight and returns 0, or returns how long to wait, in milliseconds. */
  private admitNow(nowMs: number): number {
    if (nowMs < this.pausedUntilMs) return this.pausedUntilMs - nowMs;
    // Before the first answer says what the limit is, a few requests go out to learn it, not
    // a whole stack's worth at once (release() lets the rest go as answers arrive).
    if (!this.answered && this.inFlight >= FIRST_CONTACT_CONCURRENCY) return 50;
    if (this.tokens !== null) {
      if (this.tokens < 1 && nowMs >= this.resetAtMs) {
        // The quota is back; those still in flight spend from it too.
        this.tokens = this.tokensAtReset - this.inFlight;
        this.resetAtMs = Number.POSITIVE_INFINITY;
        this.tokensAtReset = 1;
      }
      if (this.tokens < 1) {
        if (Number.isFinite(this.resetAtMs)) return Math.max(1, this.resetAtMs - nowMs);
        // Past the reset with nothing left: an answer in flight will say more; with none in
        // flight, this request goes alone to learn the quota's state.
        if (this.inFlight > 0) return 100;
      } else {
        // In a shared quota, what remains is spread over the reset window, not burst.
        const spacedUntilMs = this.lastAdmittedAtMs + this.spacingMs;
        if (this.isShared(nowMs) && nowMs < spacedUntilMs)
          return Math.max(1, spacedUntilMs - nowMs);
        this.tokens -= 1;
      }
    }
    this.lastAdmittedAtMs = nowMs;
    this.inFlight += 1;
    return 0;
  }
}
