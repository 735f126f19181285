/**
 * The one request path. Every call of the client goes through {@link Requester.request}: it
 * adds the Authorization header, applies the per-attempt timeout and the call's overall
 * deadline (with the caller's AbortSignal), waits its turn at the rate-limit gate, retries what
 * is safe to retry, and parses the response with the zod schemas. Creates and restores are
 * never repeated blindly: after an ambiguous attempt the spec's `resolveAmbiguous` looks first.
 */
import {
  VpsAbortError,
  VpsApiError,
  type VpsError,
  VpsRateLimitError,
  describeDuration,
  describeStatus,
  redactSecrets,
  withMessage,
} from "../errors";
import { checkObject, validDurationMs } from "./arguments";
import { type AttemptEnvironment, type PreparedRequest, sendAttempt } from "./attempt";
import {
  type AttemptFailure,
  type AttemptResult,
  type CallContext,
  type RequestOptions,
  type RequestSpec,
  type VpsClientStats,
  abortError,
  deadlineError,
} from "./call";
import type { ResolvedClientOptions, VpsLogger } from "./options";
import { RateLimitGate } from "./rate-limit-gate";
import { computeBackoffMs } from "./retry";
import { sleep } from "./timers";
import type { VpsTransport } from "./transport";

/** Sends the requests of one client: holds its options, counters and rate-limit gate. */
export class Requester implements AttemptEnvironment {
  /** Request counters, updated in place. */
  readonly stats: VpsClientStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    rateLimitPauses: 0,
    adoptedBackups: 0,
  };
  /** Paces every request of this client on the platform's rate limit. */
  readonly rateLimitGate: RateLimitGate;
  readonly baseUrl: string;
  readonly baseOrigin: string;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly maxResponseBytes: number;
  readonly transport: VpsTransport;
  private readonly logger: VpsLogger | undefined;

  constructor(private readonly options: ResolvedClientOptions) {
    this.baseUrl = options.baseUrl;
    this.baseOrigin = options.baseOrigin;
    this.timeoutMs = options.timeoutMs;
    this.deadlineMs = options.deadlineMs;
    this.rateLimitGate = new RateLimitGate({ pacing: options.paceRateLimit });
    this.maxResponseBytes = options.maxResponseBytes;
    this.transport = options.transport;
    this.logger = options.logger;
  }

  /** Sends a log line to the logger, redacted; a failing logger never fails the call. */
  log(level: "debug" | "warn", message: string): void {
    if (!this.logger) return;
    try {
      this.logger[level](redactSecrets(message));
    } catch {
      // A failing logger must not fail the API call it reports on.
    }
  }

  /** Starts a call: checks its options and fixes its deadline from now. */
  callContext(
    operation: string,
    options: RequestOptions,
    extra: Pick<CallContext, "notFoundHint" | "ambiguityHint"> = {},
  ): CallContext {
    checkObject(
      "options",
      options,
      "must be an object",
      "pass e.g. { deadlineMs: 60000 }, or nothing",
    );
    const deadlineMs = validDurationMs(
      "deadlineMs",
      options.deadlineMs,
      this.deadlineMs,
      `pass e.g. 60000, or leave it out for the client's ${this.deadlineMs}`,
    );
    return {
      operation,
      deadlineMs,
      deadlineAtMs: Date.now() + deadlineMs,
      signal: options.signal,
      ...extra,
    };
  }

  /** The URL of `path` under the base URL, with the defined query parameters. */
  buildUrl(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  /** The path and query of `url` relative to the base URL, for messages. */
  relativePath(url: URL): string {
    const full = `${url.pathname}${url.search}`;
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    return url.origin === this.baseOrigin && basePath && full.startsWith(basePath)
      ? full.slice(basePath.length)
      : full;
  }

  /** Sends `spec` for `call` until it succeeds, fails for good, or the deadline passes. */
  async request<T>(call: CallContext, spec: RequestSpec<T>): Promise<T> {
    const url =
      typeof spec.target === "string" ? this.buildUrl(spec.target, spec.query) : spec.target;
    const prepared: PreparedRequest = {
      url,
      path: this.relativePath(url),
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      headers: {
        Authorization: `Bearer ${this.options.apiToken}`,
        Accept: "application/json",
        "Content-Type": "application/json",
        "User-Agent": this.options.userAgent,
      },
    };
    const { path } = prepared;
    let retries = 0;
    // Once an attempt may have been applied, every later POST is preceded by a look for its effect.
    let mayHaveApplied = false;
    let lastError: VpsError | null = null;

    for (;;) {
      if (call.signal?.aborted) throw abortError(call);
      if (mayHaveApplied && spec.resolveAmbiguous) {
        const resolved = await this.resolveAmbiguous(call, spec, path, lastError);
        if (resolved !== undefined) return resolved;
      }

      const remainingMs = call.deadlineAtMs - Date.now();
      if (remainingMs <= 0) throw deadlineError(call, spec.method, path, lastError, mayHaveApplied);
      const result = await this.gatedAttempt(call, spec, prepared, mayHaveApplied);
      if (result.ok) return result.value;
      const failure = result.failure;
      lastError = failure.error;
      if (failure.mayHaveApplied) mayHaveApplied = true;

      const blindRepeat = !spec.idempotent && failure.mayHaveApplied && !spec.resolveAmbiguous;
      if (!failure.retryable || blindRepeat || retries >= this.options.maxRetries)
        throw this.finalError(call, failure.error, retries, mayHaveApplied);

      const delayMs = this.retryDelayMs(call, spec, path, failure, retries, mayHaveApplied);
      retries += 1;
      this.stats.retries += 1;
      this.log(
        "warn",
        `${call.operation}: ${failure.error.message} — retry ${retries} of ${this.options.maxRetries} in ${describeDuration(delayMs)}`,
      );
      await sleep(delayMs, call.signal, () => abortError(call));
    }
  }

  // Looks for the effect of an ambiguous attempt; a failed look-up ends the call, saying so.
  private async resolveAmbiguous<T>(
    call: CallContext,
    spec: RequestSpec<T>,
    path: string,
    lastError: VpsError | null,
  ): Promise<T | undefined> {
    try {
      return await spec.resolveAmbiguous?.();
    } catch (checkError) {
      if (checkError instanceof VpsAbortError) throw checkError;
      const base = lastError ?? deadlineError(call, spec.method, path, null, true);
      const reason = checkError instanceof Error ? checkError.message : String(checkError);
      throw withMessage(
        base,
        `${base.message}; then checking whether it was applied failed too (${reason}) — ${call.ambiguityHint ?? "check before trying again"}`,
      );
    }
  }

  // One attempt, inside the spec's attempt gate and after its turn at the rate-limit gate.
  private async gatedAttempt<T>(
    call: CallContext,
    spec: RequestSpec<T>,
    prepared: PreparedRequest,
    afterAmbiguousAttempt: boolean,
  ): Promise<AttemptResult<T>> {
    // The rate-limit wait comes right before sending, inside the attempt gate: never while
    // holding a place another request (an ambiguity check's list) may need.
    const paced = async () => {
      await this.waitForRateLimit(call, spec.method, prepared.path);
      try {
        const remainingMs = Math.max(1, call.deadlineAtMs - Date.now());
        return await sendAttempt(this, call, spec, prepared, remainingMs, afterAmbiguousAttempt);
      } finally {
        this.rateLimitGate.release();
      }
    };
    if (!spec.attemptGate) return paced();
    // Held while the attempt is in flight, so a concurrent ambiguity check waits for it.
    await spec.attemptGate.enter();
    try {
      return await paced();
    } finally {
      spec.attemptGate.leave();
    }
  }

  // The wait before the next retry: Retry-After when the platform gave one, else the backoff.
  // Throws when that wait would outlast the call's deadline.
  private retryDelayMs<T>(
    call: CallContext,
    spec: RequestSpec<T>,
    path: string,
    failure: AttemptFailure,
    retries: number,
    mayHaveApplied: boolean,
  ): number {
    const leftMs = call.deadlineAtMs - Date.now();
    if (failure.retryAfterMs !== null && failure.retryAfterMs > leftMs) {
      const apiError = failure.error instanceof VpsApiError ? failure.error : undefined;
      const status = apiError?.status ?? 429;
      throw new VpsRateLimitError(
        `${describeStatus(status)} ${call.operation}: the platform asks to retry after ${describeDuration(failure.retryAfterMs)}, which is past this call's deadline (${describeDuration(Math.max(0, leftMs))} left), so the client gave up at once. Raise deadlineMs, or make fewer requests.`,
        {
          status,
          method: spec.method,
          path,
          operation: call.operation,
          serverMessage: apiError?.serverMessage ?? null,
          retryAfterMs: failure.retryAfterMs,
        },
      );
    }
    const delayMs =
      failure.retryAfterMs ??
      computeBackoffMs(retries, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs);
    if (delayMs >= leftMs)
      throw this.finalError(
        call,
        failure.error,
        retries,
        mayHaveApplied,
        "no time was left before the deadline for another attempt",
      );
    return delayMs;
  }

  private finalError(
    call: CallContext,
    error: VpsError,
    retries: number,
    mayHaveApplied: boolean,
    reason?: string,
  ): VpsError {
    const notes: string[] = [];
    if (retries > 0) notes.push(`gave up after ${retries} ${retries === 1 ? "retry" : "retries"}`);
    if (reason) notes.push(reason);
    if (mayHaveApplied && call.ambiguityHint) notes.push(call.ambiguityHint);
    return notes.length === 0
      ? error
      : withMessage(error, `${error.message} (${notes.join("; ")})`);
  }

  /**
   * Waits, in line with every other caller of this client, until the rate-limit estimate
   * admits one more request (see RateLimitGate). Fails at once when the platform's explicit
   * pause (a 429's Retry-After) already outlasts the call's deadline, and when the deadline
   * passes in the queue. The caller must release the admission once the attempt is answered.
   */
  private async waitForRateLimit(call: CallContext, method: string, path: string): Promise<void> {
    const rateLimitError = (message: string, retryAfterMs: number | null) =>
      new VpsRateLimitError(`Rate limited ${call.operation}: ${message}`, {
        status: 429,
        method,
        path,
        operation: call.operation,
        serverMessage: null,
        retryAfterMs,
      });
    const pausedMs = this.rateLimitGate.delayMs();
    const leftMs = call.deadlineAtMs - Date.now();
    if (pausedMs > leftMs)
      throw rateLimitError(
        `the platform's rate limit resets in ${describeDuration(pausedMs)}, after this call's deadline (${describeDuration(Math.max(0, leftMs))} left). Raise deadlineMs, or make fewer requests.`,
        pausedMs,
      );
    await this.rateLimitGate.acquire({
      deadlineAtMs: call.deadlineAtMs,
      signal: call.signal,
      onQueued: () => {
        this.stats.rateLimitPauses += 1;
        this.log("debug", `${call.operation}: queued behind the platform's rate limit`);
      },
      timeoutError: () =>
        rateLimitError(
          "the call's deadline passed while it waited its turn behind the platform's rate limit, which every caller of this client shares. Raise deadlineMs, or make fewer requests at once.",
          null,
        ),
      abortError: () => abortError(call),
    });
  }
}
