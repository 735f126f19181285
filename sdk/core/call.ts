/**
 * The shapes the one request loop works with: a call (one client method call, with its
 * deadline and the words that name it), a request spec (one HTTP request of that call), and
 * the classified outcome of one attempt.
 */
import type { z } from "zod";
import { VpsAbortError, type VpsError, VpsTimeoutError, describeDuration } from "../errors";
import type { TransportRequest } from "./transport";

/** Per-call options, the last argument of every client method. */
export interface RequestOptions {
  /** Aborts the call; it then rejects with `VpsAbortError`. */
  signal?: AbortSignal;
  /** Deadline of this call, in milliseconds. Default: the client's `deadlineMs` (120 000). */
  deadlineMs?: number;
}

/** Request counters of one client (benchmarks read them). */
export interface VpsClientStats {
  /** HTTP requests sent (every attempt counts). */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Times a request waited for `RateLimit-Reset` before being sent. */
  rateLimitPauses: number;
  /** Backups adopted after an ambiguous create instead of POSTing again. */
  adoptedBackups: number;
}

/** An HTTP method the API uses. */
export type HttpMethod = TransportRequest["method"];

/** One client method call: its deadline, signal and the words that name it in errors. */
export interface CallContext {
  /** What the call does, for messages: `deleting backup 501`. */
  operation: string;
  /** When the call gives up (epoch milliseconds). */
  deadlineAtMs: number;
  /** The call's deadline, in milliseconds from its start. */
  deadlineMs: number;
  /** The caller's signal. */
  signal?: AbortSignal;
  /** Sentence after "404 Not Found <operation>:". */
  notFoundHint?: string;
  /** Sentence appended when a non-idempotent call gives up after an ambiguous attempt. */
  ambiguityHint?: string;
}

/** One HTTP request of a call, as the request loop sends (and perhaps resends) it. */
export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path under the base URL, e.g. `/backups/` (or an absolute URL for `next` pages). */
  target: string | URL;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  /** The JSON body (POST). */
  body?: unknown;
  /** Parses the 2xx body into the result; absent for bodiless answers (204). */
  schema?: z.ZodType<T>;
  /** Called with a parsed 2xx result while the attempt still holds its `attemptGate`. */
  onParsed?: (value: T) => void;
  /** GET and DELETE: safe to resend. POST: only after checking what an ambiguous attempt did. */
  idempotent: boolean;
  /** For POSTs: finds the effect of an ambiguous earlier attempt; undefined means "none". */
  resolveAmbiguous?: () => Promise<T | undefined>;
  /** Held around every attempt (createBackup: see `CreateGate`). */
  attemptGate?: { enter(): Promise<void>; leave(): void };
  /** For POSTs: the result to return when a 409 follows an ambiguous attempt. */
  resultForConflictAfterAmbiguity?: () => T;
}

/** One failed attempt, classified. */
export interface AttemptFailure {
  error: VpsError;
  /** Another attempt may succeed. */
  retryable: boolean;
  /** The platform may have applied the request (no answer, 408, 5xx, malformed 2xx). */
  mayHaveApplied: boolean;
  /** The platform's Retry-After, in milliseconds. */
  retryAfterMs: number | null;
}

/** What one attempt gave: the parsed result, or a classified failure. */
export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

/** The error of a call whose caller aborted its signal. */
export function abortError(call: CallContext): VpsAbortError {
  return new VpsAbortError(`Stopped ${call.operation}: the signal was aborted`, {
    operation: call.operation,
  });
}

/** The error of a call whose deadline passed, naming the last failure and any ambiguity. */
export function deadlineError(
  call: CallContext,
  method: HttpMethod,
  path: string,
  lastError: VpsError | null,
  mayHaveApplied: boolean,
): VpsTimeoutError {
  const last = lastError ? ` The last attempt failed: ${lastError.message}.` : "";
  const ambiguity = mayHaveApplied && call.ambiguityHint ? ` Note: ${call.ambiguityHint}.` : "";
  return new VpsTimeoutError(
    `Timed out ${call.operation}: the deadline of ${describeDuration(call.deadlineMs)} passed.${last}${ambiguity} Raise deadlineMs (or timeoutMs), or check the network path to the API.`,
    { operation: call.operation, method, path, timeoutMs: call.deadlineMs },
  );
}
