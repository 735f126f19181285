/**
 * One attempt of a request: send it under the per-attempt timeout, then classify what came
 * back (a parsed result, or a failure that says whether to retry and whether the platform may
 * have applied it). The loop around attempts is in `request.ts`.
 */
import {
  VpsConnectionError,
  VpsResponseValidationError,
  VpsTimeoutError,
  createApiError,
  describeDuration,
  describeStatus,
  redactSecrets,
} from "../errors";
import { describeIssues } from "../schemas";
import {
  type AttemptFailure,
  type AttemptResult,
  type CallContext,
  type HttpMethod,
  type RequestSpec,
  type VpsClientStats,
  abortError,
  deadlineError,
} from "./call";
import { readErrorBody, statusHint } from "./error-body";
import type { RateLimitGate } from "./rate-limit-gate";
import { isRetryableStatus, parseRetryAfterMs } from "./retry";
import { setLongTimeout } from "./timers";
import type { TransportResponse, VpsTransport } from "./transport";

/** What an attempt needs from its client. */
export interface AttemptEnvironment {
  /** Timeout of one attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest response body accepted, in bytes. */
  readonly maxResponseBytes: number;
  /** The base URL (redirect targets are resolved against it). */
  readonly baseUrl: string;
  readonly transport: VpsTransport;
  readonly stats: VpsClientStats;
  readonly rateLimitGate: RateLimitGate;
  log(level: "debug" | "warn", message: string): void;
}

/** The wire form of one request, built once per call. */
export interface PreparedRequest {
  url: URL;
  /** The path relative to the base URL, for messages. */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

// No request left the machine: resending cannot duplicate anything.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);
// TLS and certificate failures will fail again the same way.
const PERMANENT_TRANSPORT_CODE =
  /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERESPONSETOOLARGE|ERR_INVALID_URL)/;

/**
 * Sends one attempt, timed out after the client's `timeoutMs` or what is left of the call's
 * deadline (`remainingMs`), whichever is first, and classifies its outcome. Throws only when
 * the call must end at once (the caller aborted, or the deadline passed).
 */
export async function sendAttempt<T>(
  env: AttemptEnvironment,
  call: CallContext,
  spec: RequestSpec<T>,
  request: PreparedRequest,
  remainingMs: number,
  afterAmbiguousAttempt: boolean,
): Promise<AttemptResult<T>> {
  const { path } = request;
  const attemptMs = Math.min(env.timeoutMs, remainingMs);
  const hitsDeadline = remainingMs <= env.timeoutMs;
  const attemptController = new AbortController();
  const signal = call.signal
    ? AbortSignal.any([attemptController.signal, call.signal])
    : attemptController.signal;
  let timedOut = false;
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  const cancelTimer = setLongTimeout(() => {
    timedOut = true;
    attemptController.abort();
  }, attemptMs);

  env.stats.requests += 1;
  env.log("debug", `${spec.method} ${path} (${call.operation})`);
  let response: TransportResponse;
  try {
    response = await Promise.race([
      env.transport({
        method: spec.method,
        url: request.url.toString(),
        headers: request.headers,
        body: request.body,
        signal,
        maxResponseBytes: env.maxResponseBytes,
      }),
      aborted,
    ]);
  } catch (error) {
    if (call.signal?.aborted && !timedOut) throw abortError(call);
    if (timedOut) {
      if (hitsDeadline)
        throw deadlineError(
          call,
          spec.method,
          path,
          null,
          !spec.idempotent || afterAmbiguousAttempt,
        );
      return {
        ok: false,
        failure: {
          error: new VpsTimeoutError(
            `Timed out ${call.operation}: no answer within ${describeDuration(attemptMs)} (timeoutMs). Raise timeoutMs, or check the network path to the API.`,
            { operation: call.operation, method: spec.method, path, timeoutMs: attemptMs },
          ),
          retryable: true,
          mayHaveApplied: true,
          retryAfterMs: null,
        },
      };
    }
    return { ok: false, failure: connectionFailure(env, call, spec.method, path, error) };
  } finally {
    cancelTimer();
  }

  env.rateLimitGate.observe(response.headers, Date.now(), response.status === 429);
  env.log("debug", `${spec.method} ${path} → ${response.status}`);
  if (response.status >= 200 && response.status < 300)
    return parseSuccess(env, call, spec, path, response);
  return httpFailure(env, call, spec, path, response, afterAmbiguousAttempt);
}

function tooLarge(
  env: AttemptEnvironment,
  call: CallContext,
  method: HttpMethod,
  path: string,
  status: number,
): VpsResponseValidationError {
  return new VpsResponseValidationError(
    `The response to ${call.operation} was larger than maxResponseBytes (${env.maxResponseBytes} bytes): raise maxResponseBytes or use filters.`,
    { operation: call.operation, status, method, path, issues: "body too large" },
  );
}

function connectionFailure(
  env: AttemptEnvironment,
  call: CallContext,
  method: HttpMethod,
  path: string,
  error: unknown,
): AttemptFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const codeText = typeof code === "string" ? code : undefined;
  const reason = redactSecrets(error instanceof Error ? error.message : String(error));
  if (codeText === "ERESPONSETOOLARGE") {
    return {
      error: tooLarge(env, call, method, path, 200),
      retryable: false,
      mayHaveApplied: method !== "GET",
      retryAfterMs: null,
    };
  }
  const permanent = codeText !== undefined && PERMANENT_TRANSPORT_CODE.test(codeText);
  const advice = permanent
    ? "check baseUrl (VPS_API_URL) and the server's TLS certificate"
    : "check the network path to the API and that baseUrl (VPS_API_URL) is right";
  return {
    error: new VpsConnectionError(
      `Could not reach the API ${call.operation}: ${reason}${codeText && !reason.includes(codeText) ? ` (${codeText})` : ""} — ${advice}.`,
      { operation: call.operation, method, path, code: codeText },
    ),
    retryable: !permanent,
    mayHaveApplied: codeText === undefined || !NOT_SENT_CODES.has(codeText),
    retryAfterMs: null,
  };
}

function parseSuccess<T>(
  env: AttemptEnvironment,
  call: CallContext,
  spec: RequestSpec<T>,
  path: string,
  response: TransportResponse,
): AttemptResult<T> {
  const invalid = (issues: string, detail: string): AttemptResult<T> => ({
    ok: false,
    failure: {
      error: new VpsResponseValidationError(
        `${describeStatus(response.status)} ${call.operation}: the response ${detail}. The platform's API may have changed; upgrade the client or report it.`,
        { operation: call.operation, status: response.status, method: spec.method, path, issues },
      ),
      // A malformed answer to a read will be malformed again; a create may still have happened.
      retryable: !spec.idempotent,
      mayHaveApplied: !spec.idempotent,
      retryAfterMs: null,
    },
  });
  if (Buffer.byteLength(response.body) > env.maxResponseBytes) {
    return {
      ok: false,
      failure: {
        error: tooLarge(env, call, spec.method, path, response.status),
        retryable: false,
        mayHaveApplied: !spec.idempotent,
        retryAfterMs: null,
      },
    };
  }
  // Bodiless answers (204 to a DELETE): the spec of such a request has T = void.
  if (!spec.schema) return { ok: true, value: undefined as T };
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return invalid(
      "body: not JSON",
      response.body.trim() === "" ? "body was empty" : "body was not JSON",
    );
  }
  const parsed = spec.schema.safeParse(json);
  if (parsed.success) {
    spec.onParsed?.(parsed.data);
    return { ok: true, value: parsed.data };
  }
  const issues = describeIssues(parsed.error);
  return invalid(issues, `did not match the expected shape (${issues.slice(0, 300)})`);
}

function httpFailure<T>(
  env: AttemptEnvironment,
  call: CallContext,
  spec: RequestSpec<T>,
  path: string,
  response: TransportResponse,
  afterAmbiguousAttempt: boolean,
): AttemptResult<T> {
  const { status } = response;
  if (status === 409 && afterAmbiguousAttempt && spec.resultForConflictAfterAmbiguity) {
    env.log(
      "warn",
      `${call.operation}: 409 after an attempt with an unknown outcome — that attempt was accepted`,
    );
    return { ok: true, value: spec.resultForConflictAfterAmbiguity() };
  }
  const body = readErrorBody(response.body);
  const { serverMessage, fieldErrors, bodyNote } = body;
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfterMs(response.headers["retry-after"]) : null;
  if (status === 429) {
    env.stats.rateLimited += 1;
    // Every caller of this client pauses, not only this one.
    env.rateLimitGate.pauseUntil(Date.now() + (retryAfterMs ?? 0));
  }
  const hint = statusHint(status, body, response.headers, {
    baseUrl: env.baseUrl,
    notFoundHint: call.notFoundHint,
  });
  const said =
    serverMessage && status !== 400 && status !== 422
      ? ` (server said: ${JSON.stringify(serverMessage)})`
      : "";
  const error = createApiError(
    `${describeStatus(status)} ${call.operation}: ${hint}${said}${bodyNote}`,
    {
      status,
      method: spec.method,
      path,
      operation: call.operation,
      serverMessage,
      ...(fieldErrors ? { fieldErrors } : {}),
      ...(status === 429 ? { retryAfterMs } : {}),
    },
  );
  const retryable = isRetryableStatus(status);
  // A 429 is refused before any work; 408 and 5xx may come after the work was done.
  return {
    ok: false,
    failure: { error, retryable, mayHaveApplied: retryable && status !== 429, retryAfterMs },
  };
}
