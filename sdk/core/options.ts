/**
 * The client's options: their defaults, their checks (a bad one is a `VpsConfigurationError`
 * at construction, naming the option) and the environment variables they fall back to.
 */
import { VpsConfigurationError, registerSecret } from "../errors";
import { MAX_PAGE_SIZE } from "../schemas";
import { describeValue } from "./describe-value";
import { type PollSchedule, defaultPollSchedule } from "./poll-schedule";
import { DEFAULT_RETRY_BASE_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS } from "./retry";
import { type VpsTransport, createAxiosTransport } from "./transport";

/** Base URL used when neither `baseUrl` nor `VPS_API_URL` is set. */
export const DEFAULT_BASE_URL = "https://admin.vps.org/api/v1";
/** Default per-attempt timeout, in milliseconds (30 s). */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Default overall deadline of one call, retries and waits included, in milliseconds (2 min). */
const DEFAULT_DEADLINE_MS = 120_000;
/** Default number of retries after the first attempt (4: up to 5 attempts). */
const DEFAULT_MAX_RETRIES = 4;
/** Default cap on a response body, in bytes (10 MiB). */
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Default `User-Agent` header: `pulumi-vps-backups-client (node <version>)`. */
const DEFAULT_USER_AGENT = `pulumi-vps-backups-client (node ${process.version})`;

/** Something that receives the client's log lines (never the token). */
export interface VpsLogger {
  /** One line per request and answer. */
  debug(message: string): void;
  /** One line per retry, adoption or failed poll. */
  warn(message: string): void;
}

/** Options of `VpsClient`. Every duration is in milliseconds. */
export interface VpsClientOptions {
  /** API base URL. Default: `VPS_API_URL`, else `https://admin.vps.org/api/v1`. */
  baseUrl?: string;
  /** API token. Default: `VPS_API_TOKEN`. Missing → `VpsConfigurationError` at construction. */
  apiToken?: string;
  /** Timeout of one attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Deadline of one call including retries and rate-limit waits, in milliseconds. Default 120 000. */
  deadlineMs?: number;
  /** Retries after the first attempt. Default 4 (up to 5 attempts). */
  maxRetries?: number;
  /** Backoff before the first retry, in milliseconds; doubles each retry. Default 500. */
  retryBaseDelayMs?: number;
  /** Longest backoff, in milliseconds. Default 8 000. */
  retryMaxDelayMs?: number;
  /** Allow `http://` to a host other than loopback (the token would travel in clear). Default false. */
  allowInsecureHttp?: boolean;
  /** Waits on the same server share one list request per tick. Default true. */
  coalescePolls?: boolean;
  /**
   * Requests wait in line for the quota the platform's `RateLimit-*` headers report. Default
   * true. Off only for benchmarks' baselines: 429s are then still retried after `Retry-After`.
   */
  paceRateLimit?: boolean;
  /** Delay before the next status poll given the time waited so far, both in milliseconds. Default {@link defaultPollSchedule}. */
  pollSchedule?: PollSchedule;
  /** `page_size` sent with list requests (1–500). Default: not sent (the platform's default, 50). */
  pageSize?: number;
  /** `User-Agent` header. Default `pulumi-vps-backups-client (node <version>)`. */
  userAgent?: string;
  /** Largest response body accepted, in bytes. Default 10 MiB. */
  maxResponseBytes?: number;
  /** Receives debug and warning lines (never the token). Default: none. */
  logger?: VpsLogger;
  /** Sends the requests. Default: axios with redirects disabled. Tests pass a fake. */
  transport?: VpsTransport;
}

/** The options after checks and defaults. `apiToken` is not enumerable. */
export interface ResolvedClientOptions {
  readonly apiToken: string;
  /** The normalized base URL (no trailing slash, query or fragment). */
  readonly baseUrl: string;
  /** The base URL's origin: the only one the token is sent to. */
  readonly baseOrigin: string;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly coalescePolls: boolean;
  readonly paceRateLimit: boolean;
  readonly pollSchedule: PollSchedule;
  readonly pageSize: number | undefined;
  readonly userAgent: string;
  readonly maxResponseBytes: number;
  readonly logger: VpsLogger | undefined;
  readonly transport: VpsTransport;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|[^.]+\.localhost)$/i;

/**
 * Checks `options`, applies the defaults and the environment (`VPS_API_TOKEN`, `VPS_API_URL`),
 * and registers the token for redaction. Throws `VpsConfigurationError` naming the option.
 */
export function resolveClientOptions(options: VpsClientOptions): ResolvedClientOptions {
  const apiToken = checkedToken(options.apiToken ?? process.env.VPS_API_TOKEN);
  registerSecret(apiToken);
  const base = checkedBaseUrl(
    options.baseUrl ?? process.env.VPS_API_URL ?? DEFAULT_BASE_URL,
    options.allowInsecureHttp === true,
  );
  const timeoutMs = positiveNumber("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const deadlineMs = positiveNumber("deadlineMs", options.deadlineMs, DEFAULT_DEADLINE_MS);
  const retryBaseDelayMs = positiveNumber(
    "retryBaseDelayMs",
    options.retryBaseDelayMs,
    DEFAULT_RETRY_BASE_DELAY_MS,
    true,
  );
  const retryMaxDelayMs = positiveNumber(
    "retryMaxDelayMs",
    options.retryMaxDelayMs,
    DEFAULT_RETRY_MAX_DELAY_MS,
    true,
  );
  const maxResponseBytes = positiveNumber(
    "maxResponseBytes",
    options.maxResponseBytes,
    DEFAULT_MAX_RESPONSE_BYTES,
  );
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    throw new VpsConfigurationError(
      `maxRetries must be a whole number ≥ 0; got ${describeValue(maxRetries)} (default ${DEFAULT_MAX_RETRIES}).`,
      { option: "maxRetries" },
    );
  }
  const pageSize = options.pageSize;
  if (
    pageSize !== undefined &&
    !(Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)
  ) {
    throw new VpsConfigurationError(
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}; got ${describeValue(pageSize)}.`,
      { option: "pageSize" },
    );
  }
  if (options.pollSchedule !== undefined && typeof options.pollSchedule !== "function") {
    throw new VpsConfigurationError("pollSchedule must be a function (elapsedMs) => delayMs.", {
      option: "pollSchedule",
    });
  }
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  if (/[\r\n\0]/.test(userAgent)) {
    throw new VpsConfigurationError("userAgent must not contain line breaks.", {
      option: "userAgent",
    });
  }
  const resolved = {
    ...base,
    timeoutMs,
    deadlineMs,
    retryBaseDelayMs,
    retryMaxDelayMs,
    maxResponseBytes,
    maxRetries,
    pageSize,
    pollSchedule: options.pollSchedule ?? defaultPollSchedule,
    coalescePolls: options.coalescePolls ?? true,
    paceRateLimit: options.paceRateLimit ?? true,
    userAgent,
    logger: options.logger,
    transport: options.transport ?? createAxiosTransport(),
  };
  // Not enumerable: spreading, Object.values or a naive logger of the options skip it.
  return Object.defineProperty(resolved, "apiToken", {
    value: apiToken,
    enumerable: false,
  }) as ResolvedClientOptions;
}

function checkedToken(apiToken: unknown): string {
  if (typeof apiToken !== "string" || apiToken.trim() === "") {
    throw new VpsConfigurationError(
      "No API token: set the VPS_API_TOKEN environment variable or pass the apiToken option (create a token in the platform's control panel).",
      { option: "apiToken" },
    );
  }
  if (/[\r\n\0]/.test(apiToken) || apiToken !== apiToken.trim()) {
    throw new VpsConfigurationError(
      "The API token contains whitespace or control characters: copy it again without spaces or line breaks (VPS_API_TOKEN or the apiToken option).",
      { option: "apiToken" },
    );
  }
  return apiToken;
}

function checkedBaseUrl(
  rawBaseUrl: string,
  allowInsecureHttp: boolean,
): { baseUrl: string; baseOrigin: string } {
  let parsed: URL;
  try {
    parsed = new URL(rawBaseUrl);
  } catch {
    throw new VpsConfigurationError(
      `baseUrl ${JSON.stringify(rawBaseUrl)} is not a URL: use e.g. ${DEFAULT_BASE_URL} (option baseUrl or VPS_API_URL).`,
      { option: "baseUrl" },
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new VpsConfigurationError(
      `baseUrl must use https:// (got ${parsed.protocol}//): set baseUrl or VPS_API_URL to e.g. ${DEFAULT_BASE_URL}.`,
      { option: "baseUrl" },
    );
  }
  if (parsed.username || parsed.password) {
    throw new VpsConfigurationError(
      "baseUrl must not contain a user name or password: the API token is the only credential (apiToken or VPS_API_TOKEN).",
      { option: "baseUrl" },
    );
  }
  if (parsed.protocol === "http:" && !LOOPBACK_HOST.test(parsed.hostname) && !allowInsecureHttp) {
    throw new VpsConfigurationError(
      `baseUrl ${parsed.origin} uses plain http:// to a host that is not this machine: the API token would travel unencrypted. Use https://, or pass allowInsecureHttp: true if you really mean it.`,
      { option: "baseUrl" },
    );
  }
  parsed.search = "";
  parsed.hash = "";
  return { baseUrl: parsed.toString().replace(/\/+$/, ""), baseOrigin: parsed.origin };
}

function positiveNumber(
  name: string,
  value: number | undefined,
  fallback: number,
  allowZero = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  ) {
    throw new VpsConfigurationError(
      `${name} must be a ${allowZero ? "" : "positive "}number of ${name === "maxResponseBytes" ? "bytes" : "milliseconds"}; got ${describeValue(value)} (default ${fallback}).`,
      { option: name },
    );
  }
  return value;
}
