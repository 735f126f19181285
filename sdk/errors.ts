/**
 * The one error hierarchy of the Backups API client.
 *
 * Every error is a `VpsError`. Messages name the operation and the object ("deleting backup
 * 501") and say what to do. Errors carry plain data only: never an axios error, config or
 * request (those hold the Authorization header), and every message passes through
 * {@link redactSecrets}, so an API token can appear in no message, stack, `toJSON()` or
 * `util.inspect()` rendering.
 */
import { STATUS_CODES } from "node:http";
import { inspect } from "node:util";

/** What replaces a secret in any text the client produces. */
const REDACTED = "[redacted]";

// Tokens of every client constructed in this process. Registered, never exported: errors are
// built in many places, and a token pasted into a wrong argument must still never leak.
const registeredSecrets = new Set<string>();
// Shorter strings would mangle ordinary words; a real API token is far longer.
const MIN_REDACTED_SECRET_LENGTH = 4;

/**
 * Registers a secret (the API token) so that every error message and log line produced from
 * now on in this process replaces it with `[redacted]`. Called by `VpsClient`'s constructor.
 */
export function registerSecret(secret: string): void {
  if (secret.length < MIN_REDACTED_SECRET_LENGTH) return;
  // The forms a token takes when a message quotes, URL-encodes or base64-encodes it.
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64"),
    Buffer.from(secret).toString("base64url"),
  ];
  for (const form of forms) registeredSecrets.add(form);
}

/** Replaces every registered secret in `text` with `[redacted]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of registeredSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}

/** The root of every error the client throws. */
export class VpsError extends Error {
  constructor(message: string, details: object = {}) {
    super(redactSecrets(message));
    this.name = new.target.name;
    // Details are plain values set by the client; redacted again in case one echoes input.
    Object.assign(this, redactValue(details));
    // Redacting the stack too: it embeds the message, and subclasses may be built from text
    // that reached the constructor before a secret was registered.
    if (this.stack) this.stack = redactSecrets(this.stack);
  }

  /** The error's own fields (status, ids, …) without `message`, `name` and `stack`. */
  get details(): Record<string, unknown> {
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      if (key !== "name" && key !== "message" && key !== "stack")
        own[key] = (this as Record<string, unknown>)[key];
    }
    return own;
  }

  /** A plain, token-free rendering for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return redactValue({ name: this.name, message: this.message, ...this.details }) as Record<
      string,
      unknown
    >;
  }

  /** `util.inspect` / `console.log` rendering: the stack and the plain fields, token-free. */
  [inspect.custom](_depth: number, options: { colors?: boolean }): string {
    const fields = this.details;
    const body =
      Object.keys(fields).length > 0
        ? ` ${inspect(redactValue(fields), { colors: options?.colors })}`
        : "";
    return redactSecrets(`${this.stack ?? `${this.name}: ${this.message}`}${body}`);
  }
}

/** Where an HTTP error happened: the request and the operation it served. */
export interface VpsApiErrorDetails {
  /** HTTP status of the response (e.g. 404). */
  status: number;
  /** HTTP method of the request (`GET`, `POST`, `DELETE`). */
  method: string;
  /** Request path relative to the base URL, with its query (e.g. `/backups/501/`). */
  path: string;
  /** What the client was doing, e.g. `deleting backup 501`. */
  operation: string;
  /** The platform's own words (`detail`, or the field errors joined), or null for an empty/HTML body. */
  serverMessage: string | null;
  /** Field errors of a 400 (`{"server_id": ["…"]}`), when the body had them. */
  fieldErrors?: Record<string, string[]>;
}

/** The API answered with an error status (anything not 2xx). */
export class VpsApiError extends VpsError {
  declare readonly status: number;
  declare readonly method: string;
  declare readonly path: string;
  declare readonly operation: string;
  declare readonly serverMessage: string | null;
  declare readonly fieldErrors?: Record<string, string[]>;
  constructor(message: string, details: VpsApiErrorDetails) {
    super(message, details);
  }
}

/** 400 or 422: the request was invalid; `fieldErrors` says which field and why. */
export class VpsBadRequestError extends VpsApiError {}
/** 401: the API token is missing, wrong or revoked. */
export class VpsAuthenticationError extends VpsApiError {}
/** 403: the token may not do this. */
export class VpsPermissionError extends VpsApiError {}
/** 404: the server or backup does not exist for this account. */
export class VpsNotFoundError extends VpsApiError {}
/** 409: conflicts with the current state (a restore already running, a backup already in progress). */
export class VpsConflictError extends VpsApiError {}

/** Details of a 429. */
export interface VpsRateLimitErrorDetails extends VpsApiErrorDetails {
  /** How long the platform asked to wait (milliseconds), or null when it did not say. */
  retryAfterMs: number | null;
}
/** 429: too many requests, after the client's retries (or a wait longer than the deadline). */
export class VpsRateLimitError extends VpsApiError {
  declare readonly retryAfterMs: number | null;
  constructor(message: string, details: VpsRateLimitErrorDetails) {
    super(message, details);
  }
}
/** 5xx: the platform failed, after the client's retries. */
export class VpsServerError extends VpsApiError {}

/** Details of an error without a usable response. */
export interface VpsTransportErrorDetails {
  /** What the client was doing, e.g. `listing backups`. */
  operation: string;
  /** HTTP method of the request, when a request was involved. */
  method?: string;
  /** Request path relative to the base URL, when a request was involved. */
  path?: string;
  /** The system error code (`ECONNRESET`, `ECONNREFUSED`, …), when there was one. */
  code?: string;
}
/** No response: connection refused or reset, DNS failure, TLS failure. */
export class VpsConnectionError extends VpsError {
  declare readonly operation: string;
  declare readonly method?: string;
  declare readonly path?: string;
  declare readonly code?: string;
  constructor(message: string, details: VpsTransportErrorDetails) {
    super(message, details);
  }
}

/** Details of a timeout. */
export interface VpsTimeoutErrorDetails extends VpsTransportErrorDetails {
  /** The backup being waited for (waiting only). */
  backupId?: number;
  /** Its server (waiting only). */
  serverId?: number;
  /** The last status seen before the deadline (waiting only), or null if never seen. */
  lastStatus?: string | null;
  /** The deadline or timeout that ran out, in milliseconds. */
  timeoutMs?: number;
}
/** The per-attempt timeout or the overall deadline ran out, or a wait did not finish in time. */
export class VpsTimeoutError extends VpsError {
  declare readonly operation: string;
  declare readonly backupId?: number;
  declare readonly serverId?: number;
  declare readonly lastStatus?: string | null;
  declare readonly timeoutMs?: number;
  constructor(message: string, details: VpsTimeoutErrorDetails) {
    super(message, details);
  }
}

/** The caller's `AbortSignal` fired. `name` stays `VpsAbortError`; check `instanceof`. */
export class VpsAbortError extends VpsError {
  declare readonly operation: string;
  declare readonly backupId?: number;
  declare readonly serverId?: number;
  constructor(
    message: string,
    details: { operation: string; backupId?: number; serverId?: number },
  ) {
    super(message, details);
  }
}

/** A 2xx body did not match the schema, was not JSON, or was larger than `maxResponseBytes`. */
export class VpsResponseValidationError extends VpsError {
  declare readonly operation: string;
  declare readonly status: number;
  declare readonly method: string;
  declare readonly path: string;
  /** The schema problems, e.g. `results.0.id: must be a number`. */
  declare readonly issues: string;
  constructor(
    message: string,
    details: { operation: string; status: number; method: string; path: string; issues: string },
  ) {
    super(message, details);
  }
}

/** A client option is wrong or missing (no API token, http:// to a remote host, …). */
export class VpsConfigurationError extends VpsError {
  /** The option at fault, e.g. `apiToken`. */
  declare readonly option: string;
  constructor(message: string, details: { option: string }) {
    super(message, details);
  }
}

/** An argument to a client method is invalid; thrown before any request. */
export class VpsInvalidArgumentError extends VpsError {
  /** The argument at fault, e.g. `serverId`. */
  declare readonly field: string;
  /** The rejected value, rendered as text (e.g. `"12"` for a string, `1.5`). */
  declare readonly value: string;
  constructor(message: string, details: { field: string; value: string }) {
    super(message, details);
  }
}

/** Identifies the backup a wait was about. */
export interface VpsBackupWaitDetails {
  backupId: number;
  serverId: number;
  /** The last status seen. */
  lastStatus: string | null;
}
/** The backup being waited for ended with status `failed`. */
export class VpsBackupFailedError extends VpsError {
  declare readonly backupId: number;
  declare readonly serverId: number;
  declare readonly lastStatus: string | null;
  constructor(message: string, details: VpsBackupWaitDetails) {
    super(message, details);
  }
}
/** The backup being waited for disappeared from its server's list (deleted or expired). */
export class VpsBackupNotFoundError extends VpsError {
  declare readonly backupId: number;
  declare readonly serverId: number;
  declare readonly lastStatus: string | null;
  constructor(message: string, details: VpsBackupWaitDetails) {
    super(message, details);
  }
}

/** A duration for a message: `250 ms` below a second, else seconds with one decimal (`2.5 s`). */
export function describeDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

/** `401 Unauthorized` style prefix for a status. */
export function describeStatus(status: number): string {
  const phrase = STATUS_CODES[status];
  return phrase ? `${status} ${phrase}` : `HTTP ${status}`;
}

/**
 * Builds the `VpsApiError` subclass for a status (400/422, 401, 403, 404, 409, 429, ≥500; any
 * other status gives a plain `VpsApiError`).
 */
export function createApiError(
  message: string,
  details: VpsApiErrorDetails & { retryAfterMs?: number | null },
): VpsApiError {
  const { status } = details;
  if (status === 400 || status === 422) return new VpsBadRequestError(message, details);
  if (status === 401) return new VpsAuthenticationError(message, details);
  if (status === 403) return new VpsPermissionError(message, details);
  if (status === 404) return new VpsNotFoundError(message, details);
  if (status === 409) return new VpsConflictError(message, details);
  if (status === 429)
    return new VpsRateLimitError(message, {
      ...details,
      retryAfterMs: details.retryAfterMs ?? null,
    });
  if (status >= 500) return new VpsServerError(message, details);
  return new VpsApiError(message, details);
}

/**
 * Returns an error of the same class and fields as `error` with another message: used to add
 * context ("the outcome is unknown…") without losing the class a caller may test for.
 */
export function withMessage<E extends VpsError>(error: E, message: string): E {
  const Constructor = error.constructor as new (message: string, details: object) => E;
  return new Constructor(message, error.details);
}
