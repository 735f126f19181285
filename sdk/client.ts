/**
 * `VpsClient`: the typed client of the VPS Backups API.
 *
 * Every call goes through one private `request()` that adds the Authorization header, applies
 * the per-attempt timeout and the overall deadline (combined with the caller's AbortSignal),
 * waits out rate limits, retries what is safe to retry, caps the response size and parses the
 * body with the zod schemas of `./schemas`. Creates and restores are never repeated blindly:
 * after an ambiguous attempt they first look for what the attempt may have done.
 */
import axios, { AxiosError } from "axios";
import type { z } from "zod";
import {
  ApiBackupPageSchema,
  ApiCreatedBackupSchema,
  ApiDetailErrorSchema,
  ApiFieldErrorsSchema,
  ApiRestoreResponseSchema,
  ApiServerPageSchema,
  ApiServerSchema,
  BackupTypeFilterSchema,
  DescriptionSchema,
  MAX_DESCRIPTION_LENGTH,
  descriptionLength,
  MAX_PAGE_SIZE,
  describeIssues,
  toBackup,
  toRestoreResult,
  toServer,
  type Backup,
  type RestoreResult,
  type Server,
} from "./schemas";
import {
  VpsAbortError,
  VpsApiError,
  VpsConfigurationError,
  VpsConflictError,
  VpsConnectionError,
  VpsError,
  VpsInvalidArgumentError,
  VpsRateLimitError,
  VpsResponseValidationError,
  VpsTimeoutError,
  createApiError,
  describeDuration,
  describeStatus,
  redactSecrets,
  registerSecret,
  withMessage,
} from "./errors";
import {
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  RateLimitGate,
  computeBackoffMs,
  isRetryableStatus,
  parseRetryAfterMs,
} from "./retry";
import { CrossOriginPageError, nextPageOf } from "./pagination";
import { DEFAULT_WAIT_TIMEOUT_MS, ServerStatusWatcher, defaultPollSchedule } from "./wait";

/** Base URL used when neither `baseUrl` nor `VPS_API_URL` is set. */
export const DEFAULT_BASE_URL = "https://admin.vps.org/api/v1";
/** Default per-attempt timeout, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default overall deadline of one call, retries and waits included, in milliseconds. */
export const DEFAULT_DEADLINE_MS = 120_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 4;
/** Default cap on a response body, in bytes (10 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Default `User-Agent` header. */
export const DEFAULT_USER_AGENT = `pulumi-vps-backups-client (node ${process.version})`;
/**
 * A backup found after an ambiguous create is adopted when the server says it was created at
 * most this long before the request began (milliseconds): the two clocks may disagree.
 */
export const CREATE_ADOPTION_CLOCK_SKEW_MS = 60_000;

/** Something that receives the client's log lines (never the token). */
export interface VpsLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/** One HTTP request, as the client hands it to a {@link VpsTransport}. */
export interface TransportRequest {
  method: "GET" | "POST" | "DELETE";
  /** Absolute URL. */
  url: string;
  /** Request headers, Authorization included. */
  headers: Record<string, string>;
  /** JSON text of the body, for POST. */
  body?: string;
  /** Aborted when the attempt times out, the deadline passes or the caller aborts. */
  signal: AbortSignal;
  /** Largest response body to accept, in bytes. */
  maxResponseBytes: number;
}

/** What a {@link VpsTransport} returns: any status (redirects are not followed), headers, text body. */
export interface TransportResponse {
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Moves one request over the wire. Resolves with the response whatever its status; rejects
 * only when there is no response, with an error whose `code` says why (`ECONNRESET`,
 * `ECONNREFUSED`, …; `ERESPONSETOOLARGE` for a body over the cap). Tests pass a fake one.
 */
export type VpsTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** Options of {@link VpsClient}. Every duration is in milliseconds. */
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
  /** Delay before the next status poll given the time waited so far, both in milliseconds. Default {@link defaultPollSchedule}. */
  pollSchedule?: (elapsedMs: number) => number;
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

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; it then rejects with `VpsAbortError`. */
  signal?: AbortSignal;
  /** Deadline of this call, in milliseconds. Default: the client's `deadlineMs`. */
  deadlineMs?: number;
}

/** Filters of {@link VpsClient.listBackups}. */
export interface BackupFilters {
  /** Only backups of this server. */
  serverId?: number;
  /** `manual` or `automatic`, any case. */
  backupType?: string;
}

/** Arguments of {@link VpsClient.createBackup}. */
export interface CreateBackupArgs {
  serverId: number;
  /** Free text, at most 255 characters. */
  description?: string;
}

/** A backup just created (or adopted after an ambiguous create), with the platform's message. */
export type CreatedBackup = Backup & { message: string | null };

/** Options of {@link VpsClient.waitForBackup}. */
export interface WaitForBackupOptions {
  /** The backup's server (the list is filtered by it, and waits on one server share polls). */
  serverId: number;
  /** How long to wait, in milliseconds. Default 3 600 000 (1 hour). */
  timeoutMs?: number;
  /** Aborts the wait; it then rejects with `VpsAbortError`. */
  signal?: AbortSignal;
  /** Called with the backup after every poll that saw it. */
  onProgress?(backup: Backup): void;
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

type HttpMethod = TransportRequest["method"];

// One client method call: its deadline, signal and the words that name it in errors.
interface CallContext {
  operation: string;
  deadlineAtMs: number;
  deadlineMs: number;
  signal?: AbortSignal;
  /** Sentence after "404 Not Found <operation>:". */
  notFoundHint?: string;
  /** Sentence appended when a non-idempotent call gives up after an ambiguous attempt. */
  ambiguityHint?: string;
}

interface RequestSpec<T> {
  method: HttpMethod;
  /** Path under the base URL, e.g. `/backups/` (or an absolute URL for `next` pages). */
  target: string | URL;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Parses the 2xx body; absent for bodiless answers (204). */
  parse?: (json: unknown) => z.ZodSafeParseResult<T>;
  /** GET and DELETE: safe to resend. POST: only after checking what an ambiguous attempt did. */
  idempotent: boolean;
  /** For POSTs: finds the effect of an ambiguous earlier attempt; undefined means "none". */
  resolveAmbiguous?: () => Promise<T | undefined>;
  /** Held around every attempt (createBackup: see {@link CreateGate}). */
  attemptGate?: { enter(): Promise<void>; leave(): void };
  /** For POSTs: the result to return when a 409 follows an ambiguous attempt. */
  resultForConflictAfterAmbiguity?: () => T;
}

// One failed attempt, classified.
interface AttemptFailure {
  error: VpsError;
  /** Another attempt may succeed. */
  retryable: boolean;
  /** The platform may have applied the request (no answer, 408, 5xx, malformed 2xx). */
  mayHaveApplied: boolean;
  /** The platform's Retry-After, in milliseconds. */
  retryAfterMs: number | null;
}

type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

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
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|[^.]+\.localhost)$/i;
const MAX_SERVER_MESSAGE_LENGTH = 300;

/** The default transport: axios, redirects never followed, body returned as text. */
export function createAxiosTransport(): VpsTransport {
  const instance = axios.create({
    // Following a redirect could carry the Authorization header to another host; the client
    // treats 3xx as an error instead.
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
  });
  return async (request) => {
    try {
      const response = await instance.request<unknown>({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.body,
        signal: request.signal,
        maxContentLength: request.maxResponseBytes,
        maxBodyLength: request.maxResponseBytes,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (value !== undefined && value !== null)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
      }
      const body =
        typeof response.data === "string"
          ? response.data
          : response.data == null
            ? ""
            : String(response.data);
      return { status: response.status, headers, body };
    } catch (error) {
      // Rebuilt from the code and message only: AxiosError holds the config, whose headers
      // include the token.
      throw transportFailure(error);
    }
  };
}

function transportFailure(error: unknown): Error & { code?: string } {
  if (error instanceof AxiosError) {
    const tooLarge = /maxContentLength/.test(error.message);
    const code = tooLarge
      ? "ERESPONSETOOLARGE"
      : ((error.cause as { code?: string } | undefined)?.code ?? error.code);
    return Object.assign(new Error(redactSecrets(error.message)), { code });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(redactSecrets(message)), {
    code: typeof code === "string" ? code : undefined,
  });
}

function describeValue(value: unknown): string {
  if (typeof value === "string") {
    // Redact before clipping: a clipped token would slip past redaction as a fragment.
    const redacted = redactSecrets(value);
    const shown = redacted.length > 40 ? `${redacted.slice(0, 40)}…` : redacted;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function invalidArgument(
  field: string,
  value: unknown,
  rule: string,
  fix: string,
): VpsInvalidArgumentError {
  return new VpsInvalidArgumentError(`${field} ${rule}; got ${describeValue(value)} — ${fix}`, {
    field,
    value: describeValue(value),
  });
}

/** Returns `value` when it is a positive safe integer; otherwise throws `VpsInvalidArgumentError`. */
function validId(field: string, value: unknown, kind: "server" | "backup"): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  const fix =
    typeof value === "string" && /^\d+$/.test(value)
      ? `pass the number ${value}, not a string`
      : `pass the ${kind}'s numeric id (a whole number ≥ 1, e.g. ${kind === "server" ? 12345 : 501})`;
  throw invalidArgument(field, value, "must be a positive whole number", fix);
}

function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  abortError: () => VpsError,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Keeps the POSTs of one (server, description) and the look-ups that resolve their ambiguous
 * outcomes apart. A look-up runs only while none of this client's POSTs of that kind awaits
 * its answer (and holds new ones back), so every backup it sees was either answered (and
 * known to the client) or made by an attempt whose answer is lost: it can never adopt a
 * backup whose own answer is still on its way to a concurrent caller.
 */
class CreateGate {
  private postsInFlight = 0;
  private lookUps = 0;
  private lookUpsWaiting = 0;
  private wakers: Array<() => void> = [];

  /** True when nothing holds or waits for the gate. */
  get idle(): boolean {
    return (
      this.postsInFlight === 0 &&
      this.lookUps === 0 &&
      this.lookUpsWaiting === 0 &&
      this.wakers.length === 0
    );
  }

  async enterPost(): Promise<void> {
    // Waiting look-ups go first, or a steady stream of POSTs could starve them.
    while (this.lookUps > 0 || this.lookUpsWaiting > 0) await this.changed();
    this.postsInFlight += 1;
  }

  leavePost(): void {
    this.postsInFlight -= 1;
    this.wake();
  }

  async lookUp<T>(run: () => Promise<T>): Promise<T> {
    this.lookUpsWaiting += 1;
    try {
      while (this.postsInFlight > 0) await this.changed();
    } finally {
      this.lookUpsWaiting -= 1;
    }
    this.lookUps += 1;
    try {
      return await run();
    } finally {
      this.lookUps -= 1;
      this.wake();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

/**
 * The typed client of the VPS Backups API. One instance is meant to be shared: it paces all
 * its callers on the platform's rate limit and shares backup status polls per server.
 */
export class VpsClient {
  /** Request counters, updated in place. */
  readonly stats: VpsClientStats;
  /** The normalized base URL (no trailing slash). */
  readonly baseUrl: string;

  declare private readonly apiToken: string;
  private readonly baseOrigin: string;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly coalescePolls: boolean;
  private readonly pollSchedule: (elapsedMs: number) => number;
  private readonly pageSize: number | undefined;
  private readonly userAgent: string;
  private readonly maxResponseBytes: number;
  private readonly logger: VpsLogger | undefined;
  private readonly transport: VpsTransport;
  private readonly rateLimitGate: RateLimitGate;
  // Backups this instance created or adopted: never adopted a second time.
  private readonly knownBackupIds: Set<number>;
  private readonly createGates: Map<string, CreateGate>;
  private readonly watchers: Map<number | symbol, ServerStatusWatcher>;

  constructor(options: VpsClientOptions = {}) {
    const apiToken = options.apiToken ?? process.env.VPS_API_TOKEN;
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
    registerSecret(apiToken);
    // Not enumerable: spreading, Object.values or a naive logger of the client skip it.
    Object.defineProperty(this, "apiToken", {
      value: apiToken,
      enumerable: false,
      writable: false,
      configurable: false,
    });

    const rawBaseUrl = options.baseUrl ?? process.env.VPS_API_URL ?? DEFAULT_BASE_URL;
    let parsed: URL;
    try {
      parsed = new URL(rawBaseUrl);
    } catch {
      throw new VpsConfigurationError(
        `baseUrl ${JSON.stringify(rawBaseUrl)} is not a URL: use e.g. ${DEFAULT_BASE_URL} (option baseUrl or VPS_API_URL).`,
        {
          option: "baseUrl",
        },
      );
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw new VpsConfigurationError(
        `baseUrl must use https:// (got ${parsed.protocol}//): set baseUrl or VPS_API_URL to e.g. ${DEFAULT_BASE_URL}.`,
        {
          option: "baseUrl",
        },
      );
    }
    if (parsed.username || parsed.password) {
      throw new VpsConfigurationError(
        "baseUrl must not contain a user name or password: the API token is the only credential (apiToken or VPS_API_TOKEN).",
        {
          option: "baseUrl",
        },
      );
    }
    if (
      parsed.protocol === "http:" &&
      !LOOPBACK_HOST.test(parsed.hostname) &&
      options.allowInsecureHttp !== true
    ) {
      throw new VpsConfigurationError(
        `baseUrl ${parsed.origin} uses plain http:// to a host that is not this machine: the API token would travel unencrypted. Use https://, or pass allowInsecureHttp: true if you really mean it.`,
        { option: "baseUrl" },
      );
    }
    parsed.search = "";
    parsed.hash = "";
    this.baseUrl = parsed.toString().replace(/\/+$/, "");
    this.baseOrigin = parsed.origin;

    this.timeoutMs = VpsClient.positiveNumberOption(
      "timeoutMs",
      options.timeoutMs,
      DEFAULT_TIMEOUT_MS,
    );
    this.deadlineMs = VpsClient.positiveNumberOption(
      "deadlineMs",
      options.deadlineMs,
      DEFAULT_DEADLINE_MS,
    );
    this.retryBaseDelayMs = VpsClient.positiveNumberOption(
      "retryBaseDelayMs",
      options.retryBaseDelayMs,
      DEFAULT_RETRY_BASE_DELAY_MS,
      true,
    );
    this.retryMaxDelayMs = VpsClient.positiveNumberOption(
      "retryMaxDelayMs",
      options.retryMaxDelayMs,
      DEFAULT_RETRY_MAX_DELAY_MS,
      true,
    );
    this.maxResponseBytes = VpsClient.positiveNumberOption(
      "maxResponseBytes",
      options.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
    );
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
      throw new VpsConfigurationError(
        `maxRetries must be a whole number ≥ 0; got ${describeValue(maxRetries)} (default ${DEFAULT_MAX_RETRIES}).`,
        {
          option: "maxRetries",
        },
      );
    }
    this.maxRetries = maxRetries;
    if (
      options.pageSize !== undefined &&
      !(
        Number.isSafeInteger(options.pageSize) &&
        options.pageSize >= 1 &&
        options.pageSize <= MAX_PAGE_SIZE
      )
    ) {
      throw new VpsConfigurationError(
        `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}; got ${describeValue(options.pageSize)}.`,
        {
          option: "pageSize",
        },
      );
    }
    this.pageSize = options.pageSize;
    if (options.pollSchedule !== undefined && typeof options.pollSchedule !== "function") {
      throw new VpsConfigurationError("pollSchedule must be a function (elapsedMs) => delayMs.", {
        option: "pollSchedule",
      });
    }
    this.pollSchedule = options.pollSchedule ?? defaultPollSchedule;
    this.coalescePolls = options.coalescePolls ?? true;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    if (/[\r\n\0]/.test(this.userAgent)) {
      throw new VpsConfigurationError("userAgent must not contain line breaks.", {
        option: "userAgent",
      });
    }
    this.logger = options.logger;
    this.transport = options.transport ?? createAxiosTransport();
    this.rateLimitGate = new RateLimitGate();
    this.knownBackupIds = new Set();
    this.createGates = new Map();
    this.watchers = new Map();
    this.stats = { requests: 0, retries: 0, rateLimited: 0, rateLimitPauses: 0, adoptedBackups: 0 };
  }

  private static positiveNumberOption(
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
        {
          option: name,
        },
      );
    }
    return value;
  }

  /** A token-free rendering for logs and `console.log(client)`. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, stats: { ...this.stats } };
  }

  /** `util.inspect` rendering without the token. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `VpsClient { baseUrl: '${this.baseUrl}', apiToken: '[redacted]' }`;
  }

  // -------------------------------------------------------------------------------------------
  // Backups
  // -------------------------------------------------------------------------------------------

  /**
   * Every backup visible to the token (all pages), newest first, optionally filtered.
   * A backup seen on two pages (the list shifted while paging) is returned once.
   */
  async listBackups(filters: BackupFilters = {}, options: RequestOptions = {}): Promise<Backup[]> {
    const seen = new Set<number>();
    const all: Backup[] = [];
    for await (const page of this.iterBackups(filters, options)) {
      for (const backup of page) {
        if (seen.has(backup.id)) continue;
        seen.add(backup.id);
        all.push(backup);
      }
    }
    return all;
  }

  /** The backups one page at a time (`for await (const page of client.iterBackups())`), following `next`. */
  iterBackups(filters: BackupFilters = {}, options: RequestOptions = {}): AsyncIterable<Backup[]> {
    const query = this.backupQuery(filters);
    const operation =
      filters.serverId !== undefined
        ? `listing backups of server ${filters.serverId}`
        : "listing backups";
    const call = this.callContext(operation, options);
    return this.iteratePages(
      call,
      "/backups/",
      query,
      (json) => ApiBackupPageSchema.safeParse(json),
      toBackup,
    );
  }

  /** Finds one backup through the list (the API has no single-backup read); undefined when absent. */
  async findBackup(
    backupId: number,
    where: { serverId?: number } = {},
    options: RequestOptions = {},
  ): Promise<Backup | undefined> {
    const id = validId("backupId", backupId, "backup");
    const filters: BackupFilters = where.serverId !== undefined ? { serverId: where.serverId } : {};
    for await (const page of this.iterBackups(filters, options)) {
      const match = page.find((backup) => backup.id === id);
      if (match) return match;
    }
    return undefined;
  }

  /**
   * Starts a manual backup of a server. Never POSTs twice blindly: when an attempt's outcome is
   * unknown (timeout, connection reset, 5xx, malformed 2xx), it looks for a backup of this
   * server with this description created since the call began, not already known to this
   * client and not failed, and adopts it; only when there is none does it POST again.
   */
  async createBackup(args: CreateBackupArgs, options: RequestOptions = {}): Promise<CreatedBackup> {
    if (args === null || typeof args !== "object") {
      throw invalidArgument(
        "createBackup's argument",
        args,
        "must be an object",
        'call createBackup({ serverId: 12345, description: "…" })',
      );
    }
    const serverId = validId("serverId", args.serverId, "server");
    const description = args.description;
    if (description !== undefined && description !== null) {
      if (typeof description !== "string") {
        throw invalidArgument(
          "description",
          description,
          "must be a string",
          "pass text, or leave it out",
        );
      }
      if (!DescriptionSchema.safeParse(description).success) {
        throw new VpsInvalidArgumentError(
          `description must be at most ${MAX_DESCRIPTION_LENGTH} characters; got ${descriptionLength(description)} characters — shorten it`,
          { field: "description", value: describeValue(description) },
        );
      }
    }
    const startedAtMs = Date.now();
    const call = this.callContext(`creating a backup of server ${serverId}`, options, {
      notFoundHint: `server ${serverId} does not exist (or belongs to another account) — check the id with listServers()`,
      ambiguityHint: `a backup may have been created anyway: look for it with listBackups({ serverId: ${serverId} }) before trying again`,
    });
    const wantedDescription = typeof description === "string" ? description : "";
    const body =
      typeof description === "string"
        ? { server_id: serverId, description }
        : { server_id: serverId };

    const gateKey = JSON.stringify([serverId, wantedDescription]);
    const gate = this.createGates.get(gateKey) ?? new CreateGate();
    this.createGates.set(gateKey, gate);
    const releaseGateIfIdle = () => {
      if (gate.idle && this.createGates.get(gateKey) === gate) this.createGates.delete(gateKey);
    };

    try {
      return await this.request<CreatedBackup>(call, {
        method: "POST",
        target: "/backups/",
        body,
        idempotent: false,
        attemptGate: { enter: () => gate.enterPost(), leave: () => gate.leavePost() },
        parse: (json) => {
          const result = ApiCreatedBackupSchema.safeParse(json);
          if (!result.success) return result as unknown as z.ZodSafeParseResult<CreatedBackup>;
          // Known before the attempt leaves the gate, so no look-up can ever adopt it.
          this.knownBackupIds.add(result.data.id);
          return {
            success: true,
            data: { ...toBackup(result.data), message: result.data.message ?? null },
          };
        },
        resolveAmbiguous: () =>
          gate.lookUp(async () => {
            const backups = await this.listBackups(
              { serverId },
              { signal: call.signal, deadlineMs: Math.max(1, call.deadlineAtMs - Date.now()) },
            );
            const candidates = backups
              .filter(
                (backup) =>
                  backup.serverId === serverId &&
                  (backup.description ?? "") === wantedDescription &&
                  backup.status !== "failed" &&
                  !this.knownBackupIds.has(backup.id) &&
                  Date.parse(backup.createdAt) >= startedAtMs - CREATE_ADOPTION_CLOCK_SKEW_MS,
              )
              // Prefer backups stamped after the call began (the skew window is a fallback),
              // then the oldest: later ones were started after it.
              .sort(
                (a, b) =>
                  Number(Date.parse(a.createdAt) < startedAtMs) -
                    Number(Date.parse(b.createdAt) < startedAtMs) ||
                  Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
                  a.id - b.id,
              );
            const adopted = candidates[0];
            if (!adopted) return undefined;
            this.knownBackupIds.add(adopted.id);
            this.stats.adoptedBackups += 1;
            this.log(
              "warn",
              `creating a backup of server ${serverId}: the outcome of the request was unknown; adopted backup ${adopted.id} (created ${adopted.createdAt}) instead of creating another`,
            );
            return { ...adopted, message: null };
          }),
      });
    } finally {
      releaseGateIfIdle();
    }
  }

  /** Deletes a backup (an in-progress one is cancelled). A missing backup throws `VpsNotFoundError`. */
  async deleteBackup(backupId: number, options: RequestOptions = {}): Promise<void> {
    const id = validId("backupId", backupId, "backup");
    const call = this.callContext(`deleting backup ${id}`, options, {
      notFoundHint: `backup ${id} does not exist (or belongs to another account) — it may already be deleted or expired`,
    });
    await this.request<void>(call, {
      method: "DELETE",
      target: `/backups/${encodeURIComponent(String(id))}/`,
      idempotent: true,
    });
  }

  /**
   * Resolves when the backup is `completed`. Throws `VpsBackupFailedError` (status `failed`),
   * `VpsBackupNotFoundError` (gone from the list), `VpsTimeoutError` (after `timeoutMs`) or
   * `VpsAbortError` (signal). Unknown statuses count as not finished. Waits on one server
   * share one list request per tick unless `coalescePolls` is false.
   */
  waitForBackup(backupId: number, options: WaitForBackupOptions): Promise<Backup> {
    try {
      const id = validId("backupId", backupId, "backup");
      if (options === null || typeof options !== "object") {
        throw invalidArgument(
          "options",
          options,
          "must be an object with serverId",
          `call waitForBackup(${id}, { serverId: 12345 })`,
        );
      }
      const serverId = validId("serverId", options.serverId, "server");
      const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
      if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw invalidArgument(
          "timeoutMs",
          timeoutMs,
          "must be a positive number of milliseconds",
          `pass e.g. 600000 for 10 minutes (default ${DEFAULT_WAIT_TIMEOUT_MS})`,
        );
      }
      const key: number | symbol = this.coalescePolls ? serverId : Symbol(`wait for backup ${id}`);
      let watcher = this.watchers.get(key);
      if (!watcher) {
        const created = new ServerStatusWatcher(serverId, {
          listServerBackups: (server, wantedIds, listOptions) =>
            this.listServerBackups(server, wantedIds, listOptions),
          pollSchedule: this.pollSchedule,
          requestDeadlineMs: this.deadlineMs,
          warn: (message) => this.log("warn", message),
          onIdle: () => {
            if (this.watchers.get(key) === created) this.watchers.delete(key);
          },
        });
        this.watchers.set(key, created);
        watcher = created;
      }
      const startedAtMs = Date.now();
      const activeWatcher = watcher;
      return new Promise<Backup>((resolve, reject) => {
        activeWatcher.add({
          backupId: id,
          serverId,
          startedAtMs,
          deadlineAtMs: startedAtMs + timeoutMs,
          timeoutMs,
          signal: options.signal,
          onProgress: options.onProgress,
          resolve,
          reject,
        });
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // The watcher's tick: the server's list, stopping early once every wanted id was seen.
  private async listServerBackups(
    serverId: number,
    wantedIds: ReadonlySet<number>,
    options: { signal: AbortSignal; deadlineMs: number },
  ): Promise<Map<number, Backup>> {
    const found = new Map<number, Backup>();
    for await (const page of this.iterBackups({ serverId }, options)) {
      for (const backup of page)
        if (wantedIds.has(backup.id) && !found.has(backup.id)) found.set(backup.id, backup);
      if (found.size === wantedIds.size) break;
    }
    return found;
  }

  // -------------------------------------------------------------------------------------------
  // Servers
  // -------------------------------------------------------------------------------------------

  /**
   * Restores a server from one of its completed backups. Never POSTs twice blindly: after an
   * ambiguous attempt it reads the server, and a status of `restoring` (or a 409 "already
   * restoring" on the next attempt) means the restore was accepted.
   */
  async restoreServer(
    serverId: number,
    backupId: number,
    options: RequestOptions = {},
  ): Promise<RestoreResult> {
    const server = validId("serverId", serverId, "server");
    const backup = validId("backupId", backupId, "backup");
    const call = this.callContext(`restoring server ${server} from backup ${backup}`, options, {
      notFoundHint: `server ${server} or backup ${backup} does not exist (or belongs to another account) — check both ids with listBackups({ serverId: ${server} })`,
      ambiguityHint: `the restore may have started anyway: check the server's status with getServer(${server}) before trying again`,
    });
    const accepted = (): RestoreResult => ({
      serverId: server,
      backupId: backup,
      status: "restoring",
      message: null,
    });
    // Look first: when the server is already restoring, the platform would answer 409, and an
    // ambiguous answer to our POST could not be told apart from that earlier restore.
    const before = await this.getServer(server, {
      signal: call.signal,
      deadlineMs: Math.max(1, call.deadlineAtMs - Date.now()),
    });
    if (before.status === "restoring") {
      throw new VpsConflictError(
        `409 Conflict ${call.operation}: server ${server} is already restoring — wait until its status is active (getServer(${server})), then try again`,
        {
          status: 409,
          method: "POST",
          path: `/servers/${server}/restore/`,
          operation: call.operation,
          serverMessage: null,
        },
      );
    }
    return this.request<RestoreResult>(call, {
      method: "POST",
      target: `/servers/${encodeURIComponent(String(server))}/restore/`,
      body: { backup_id: backup },
      idempotent: false,
      parse: (json) => {
        const result = ApiRestoreResponseSchema.safeParse(json);
        return result.success
          ? { success: true, data: toRestoreResult(result.data) }
          : (result as unknown as z.ZodSafeParseResult<RestoreResult>);
      },
      resolveAmbiguous: async () => {
        const current = await this.getServer(server, {
          signal: call.signal,
          deadlineMs: Math.max(1, call.deadlineAtMs - Date.now()),
        });
        if (current.status !== "restoring") return undefined;
        this.log(
          "warn",
          `restoring server ${server}: the outcome of the request was unknown; the server is restoring, so the restore was accepted`,
        );
        return accepted();
      },
      resultForConflictAfterAmbiguity: accepted,
    });
  }

  /** One server. A missing server throws `VpsNotFoundError`. */
  async getServer(serverId: number, options: RequestOptions = {}): Promise<Server> {
    const id = validId("serverId", serverId, "server");
    const call = this.callContext(`reading server ${id}`, options, {
      notFoundHint: `server ${id} does not exist (or belongs to another account) — check the id with listServers()`,
    });
    return this.request<Server>(call, {
      method: "GET",
      target: `/servers/${encodeURIComponent(String(id))}/`,
      idempotent: true,
      parse: (json) => {
        const result = ApiServerSchema.safeParse(json);
        return result.success
          ? { success: true, data: toServer(result.data) }
          : (result as unknown as z.ZodSafeParseResult<Server>);
      },
    });
  }

  /** Every server visible to the token (all pages). */
  async listServers(options: RequestOptions = {}): Promise<Server[]> {
    const call = this.callContext("listing servers", options);
    const servers: Server[] = [];
    const seen = new Set<number>();
    for await (const page of this.iteratePages(
      call,
      "/servers/",
      {},
      (json) => ApiServerPageSchema.safeParse(json),
      toServer,
    )) {
      for (const server of page) {
        if (seen.has(server.id)) continue;
        seen.add(server.id);
        servers.push(server);
      }
    }
    return servers;
  }

  // -------------------------------------------------------------------------------------------
  // Paging, validation, context
  // -------------------------------------------------------------------------------------------

  private backupQuery(filters: BackupFilters): Record<string, string | number | undefined> {
    if (filters === null || typeof filters !== "object") {
      throw invalidArgument(
        "filters",
        filters,
        "must be an object",
        'pass e.g. { serverId: 12345, backupType: "manual" }, or nothing',
      );
    }
    const query: Record<string, string | number | undefined> = {};
    if (filters.serverId !== undefined)
      query.server_id = validId("serverId", filters.serverId, "server");
    if (filters.backupType !== undefined) {
      const parsed = BackupTypeFilterSchema.safeParse(filters.backupType);
      if (!parsed.success) {
        throw invalidArgument(
          "backupType",
          filters.backupType,
          'must be "manual" or "automatic" (any case)',
          "pass one of those, or leave it out for both",
        );
      }
      query.backup_type = parsed.data;
    }
    return query;
  }

  private async *iteratePages<Wire, Item>(
    call: CallContext,
    path: string,
    query: Record<string, string | number | undefined>,
    parsePage: (
      json: unknown,
    ) => z.ZodSafeParseResult<{ count: number; next?: string | null; results: Wire[] }>,
    toItem: (wire: Wire) => Item,
  ): AsyncGenerator<Item[]> {
    const firstQuery = { ...query, page_size: this.pageSize };
    let target: string | URL = this.buildUrl(path, firstQuery);
    let pageNumber = 1;
    let itemsSoFar = 0;
    const visited = new Set<string>();
    for (;;) {
      visited.add(target.toString());
      const page = await this.request(call, {
        method: "GET",
        target,
        idempotent: true,
        parse: parsePage,
      });
      itemsSoFar += page.results.length;
      yield page.results.map(toItem);
      let next;
      try {
        next = nextPageOf(page, {
          currentUrl: target,
          pageNumber,
          itemsSoFar,
          visited,
          allowedOrigin: this.baseOrigin,
        });
      } catch (error) {
        if (!(error instanceof CrossOriginPageError)) throw error;
        throw new VpsResponseValidationError(
          `Refused to follow the next page while ${call.operation}: ${error.message}. The API token is only ever sent to ${this.baseOrigin}; if the platform moved, set baseUrl (VPS_API_URL) to its new address.`,
          {
            operation: call.operation,
            status: 200,
            method: "GET",
            path: this.relativePath(target),
            issues: "next: points to another origin",
          },
        );
      }
      if (next.kind === "done") return;
      pageNumber += 1;
      target =
        next.kind === "url"
          ? next.url
          : this.buildUrl(path, { ...firstQuery, page: next.pageNumber });
    }
  }

  private buildUrl(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private relativePath(url: URL): string {
    const full = `${url.pathname}${url.search}`;
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    return url.origin === this.baseOrigin && basePath && full.startsWith(basePath)
      ? full.slice(basePath.length)
      : full;
  }

  private callContext(
    operation: string,
    options: RequestOptions,
    extra: Partial<CallContext> = {},
  ): CallContext {
    if (options === null || typeof options !== "object") {
      throw invalidArgument(
        "options",
        options,
        "must be an object",
        "pass e.g. { deadlineMs: 60000 }, or nothing",
      );
    }
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    if (typeof deadlineMs !== "number" || !Number.isFinite(deadlineMs) || deadlineMs <= 0) {
      throw invalidArgument(
        "deadlineMs",
        deadlineMs,
        "must be a positive number of milliseconds",
        `pass e.g. 60000, or leave it out for the client's ${this.deadlineMs}`,
      );
    }
    return {
      operation,
      deadlineMs,
      deadlineAtMs: Date.now() + deadlineMs,
      signal: options.signal,
      ...extra,
    };
  }

  private log(level: "debug" | "warn", message: string): void {
    if (!this.logger) return;
    try {
      this.logger[level](redactSecrets(message));
    } catch {
      // A failing logger must not fail the API call it reports on.
    }
  }

  // -------------------------------------------------------------------------------------------
  // The one request path
  // -------------------------------------------------------------------------------------------

  private abortError(call: CallContext): VpsAbortError {
    return new VpsAbortError(`Stopped ${call.operation}: the signal was aborted`, {
      operation: call.operation,
    });
  }

  private deadlineError(
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

  private async request<T>(call: CallContext, spec: RequestSpec<T>): Promise<T> {
    const url =
      typeof spec.target === "string" ? this.buildUrl(spec.target, spec.query) : spec.target;
    const path = this.relativePath(url);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.apiToken}`,
      Accept: "application/json",
      "Content-Type": "application/json",
      "User-Agent": this.userAgent,
    };
    let retries = 0;
    // Once an attempt may have been applied, every later POST is preceded by a look for its effect.
    let mayHaveApplied = false;
    let lastError: VpsError | null = null;

    for (;;) {
      if (call.signal?.aborted) throw this.abortError(call);
      if (mayHaveApplied && spec.resolveAmbiguous) {
        let resolved: T | undefined;
        try {
          resolved = await spec.resolveAmbiguous();
        } catch (checkError) {
          if (checkError instanceof VpsAbortError) throw checkError;
          const base = lastError ?? this.deadlineError(call, spec.method, path, null, true);
          const reason = checkError instanceof Error ? checkError.message : String(checkError);
          throw withMessage(
            base,
            `${base.message}; then checking whether it was applied failed too (${reason}) — ${call.ambiguityHint ?? "check before trying again"}`,
          );
        }
        if (resolved !== undefined) return resolved;
      }

      const remainingMs = call.deadlineAtMs - Date.now();
      if (remainingMs <= 0)
        throw this.deadlineError(call, spec.method, path, lastError, mayHaveApplied);
      const attempt = () =>
        this.attempt(
          call,
          spec,
          url,
          path,
          headers,
          body,
          Math.max(1, call.deadlineAtMs - Date.now()),
          mayHaveApplied,
        );
      // The rate-limit wait comes right before sending, inside the attempt gate: never while
      // holding a place another request (an ambiguity check's list) may need.
      const paced = async () => {
        await this.waitForRateLimit(call, spec.method, path);
        try {
          return await attempt();
        } finally {
          this.rateLimitGate.release();
        }
      };
      let result: AttemptResult<T>;
      if (spec.attemptGate) {
        // Held while the attempt is in flight, so a concurrent ambiguity check waits for it.
        await spec.attemptGate.enter();
        try {
          result = await paced();
        } finally {
          spec.attemptGate.leave();
        }
      } else {
        result = await paced();
      }
      if (result.ok) return result.value;
      const failure = result.failure;
      lastError = failure.error;
      if (failure.mayHaveApplied) mayHaveApplied = true;

      const blindRepeat = !spec.idempotent && failure.mayHaveApplied && !spec.resolveAmbiguous;
      if (!failure.retryable || blindRepeat)
        throw this.finalError(call, failure.error, retries, mayHaveApplied);
      if (retries >= this.maxRetries)
        throw this.finalError(call, failure.error, retries, mayHaveApplied);

      const nowMs = Date.now();
      const leftMs = call.deadlineAtMs - nowMs;
      if (failure.retryAfterMs !== null && failure.retryAfterMs > leftMs) {
        throw new VpsRateLimitError(
          `${describeStatus(failure.error instanceof VpsApiError ? failure.error.status : 429)} ${call.operation}: the platform asks to retry after ${describeDuration(failure.retryAfterMs)}, which is past this call's deadline (${describeDuration(Math.max(0, leftMs))} left), so the client gave up at once. Raise deadlineMs, or make fewer requests.`,
          {
            status: failure.error instanceof VpsApiError ? failure.error.status : 429,
            method: spec.method,
            path,
            operation: call.operation,
            serverMessage:
              failure.error instanceof VpsApiError ? failure.error.serverMessage : null,
            retryAfterMs: failure.retryAfterMs,
          },
        );
      }
      const delayMs =
        failure.retryAfterMs ??
        computeBackoffMs(retries, this.retryBaseDelayMs, this.retryMaxDelayMs);
      if (delayMs >= leftMs)
        throw this.finalError(
          call,
          failure.error,
          retries,
          mayHaveApplied,
          "no time was left before the deadline for another attempt",
        );
      retries += 1;
      this.stats.retries += 1;
      this.log(
        "warn",
        `${call.operation}: ${failure.error.message} — retry ${retries} of ${this.maxRetries} in ${describeDuration(delayMs)}`,
      );
      await sleep(delayMs, call.signal, () => this.abortError(call));
    }
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

  // One attempt: send, time out, classify.
  private async attempt<T>(
    call: CallContext,
    spec: RequestSpec<T>,
    url: URL,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    remainingMs: number,
    afterAmbiguousAttempt: boolean,
  ): Promise<AttemptResult<T>> {
    const attemptMs = Math.min(this.timeoutMs, remainingMs);
    const hitsDeadline = remainingMs <= this.timeoutMs;
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
    const timer = setTimeout(() => {
      timedOut = true;
      attemptController.abort();
    }, attemptMs);

    this.stats.requests += 1;
    this.log("debug", `${spec.method} ${path} (${call.operation})`);
    let response: TransportResponse;
    try {
      response = await Promise.race([
        this.transport({
          method: spec.method,
          url: url.toString(),
          headers,
          body,
          signal,
          maxResponseBytes: this.maxResponseBytes,
        }),
        aborted,
      ]);
    } catch (error) {
      if (call.signal?.aborted && !timedOut) throw this.abortError(call);
      if (timedOut) {
        if (hitsDeadline)
          throw this.deadlineError(
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
              {
                operation: call.operation,
                method: spec.method,
                path,
                timeoutMs: attemptMs,
              },
            ),
            retryable: true,
            mayHaveApplied: true,
            retryAfterMs: null,
          },
        };
      }
      return { ok: false, failure: this.connectionFailure(call, spec.method, path, error) };
    } finally {
      clearTimeout(timer);
    }

    this.rateLimitGate.observe(response.headers, Date.now(), response.status === 429);
    this.log("debug", `${spec.method} ${path} → ${response.status}`);
    if (response.status >= 200 && response.status < 300)
      return this.parseSuccess(call, spec, path, response);
    return this.httpFailure(call, spec, path, response, afterAmbiguousAttempt);
  }

  /**
   * Waits, in line with every other caller of this client, until the rate-limit estimate
   * admits one more request (see RateLimitGate). Fails at once when the platform's explicit
   * pause (a 429's Retry-After) already outlasts the call's deadline, and when the deadline
   * passes in the queue. The caller must release the admission once the attempt is answered.
   */
  private async waitForRateLimit(call: CallContext, method: string, path: string): Promise<void> {
    const rateLimitError = (waitMs: number) => {
      const leftMs = Math.max(0, call.deadlineAtMs - Date.now());
      return new VpsRateLimitError(
        `Rate limited ${call.operation}: the platform's rate limit resets in ${describeDuration(waitMs)}, after this call's deadline (${describeDuration(leftMs)} left). Raise deadlineMs, or make fewer requests.`,
        {
          status: 429,
          method,
          path,
          operation: call.operation,
          serverMessage: null,
          retryAfterMs: waitMs,
        },
      );
    };
    const pausedMs = this.rateLimitGate.delayMs();
    if (pausedMs > call.deadlineAtMs - Date.now()) throw rateLimitError(pausedMs);
    await this.rateLimitGate.acquire({
      deadlineAtMs: call.deadlineAtMs,
      signal: call.signal,
      onQueued: () => {
        this.stats.rateLimitPauses += 1;
        this.log("debug", `${call.operation}: queued behind the platform's rate limit`);
      },
      timeoutError: () =>
        new VpsRateLimitError(
          `Rate limited ${call.operation}: the call's deadline passed while it waited its turn behind the platform's rate limit, which every caller of this client shares. Raise deadlineMs, or make fewer requests at once.`,
          {
            status: 429,
            method,
            path,
            operation: call.operation,
            serverMessage: null,
            retryAfterMs: null,
          },
        ),
      abortError: () => this.abortError(call),
    });
  }

  private connectionFailure(
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
        error: new VpsResponseValidationError(
          `The response to ${call.operation} was larger than maxResponseBytes (${this.maxResponseBytes} bytes): raise maxResponseBytes or use filters.`,
          { operation: call.operation, status: 200, method, path, issues: "body too large" },
        ),
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
        {
          operation: call.operation,
          method,
          path,
          code: codeText,
        },
      ),
      retryable: !permanent,
      mayHaveApplied: codeText === undefined || !NOT_SENT_CODES.has(codeText),
      retryAfterMs: null,
    };
  }

  private parseSuccess<T>(
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
    if (Buffer.byteLength(response.body) > this.maxResponseBytes) {
      return {
        ok: false,
        failure: {
          error: new VpsResponseValidationError(
            `The response to ${call.operation} was larger than maxResponseBytes (${this.maxResponseBytes} bytes): raise maxResponseBytes or use filters.`,
            {
              operation: call.operation,
              status: response.status,
              method: spec.method,
              path,
              issues: "body too large",
            },
          ),
          retryable: false,
          mayHaveApplied: !spec.idempotent,
          retryAfterMs: null,
        },
      };
    }
    if (!spec.parse) return { ok: true, value: undefined as T };
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      return invalid(
        "body: not JSON",
        response.body.trim() === "" ? "body was empty" : "body was not JSON",
      );
    }
    const parsed = spec.parse(json);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issues = describeIssues(parsed.error);
    return invalid(issues, `did not match the expected shape (${issues.slice(0, 300)})`);
  }

  private httpFailure<T>(
    call: CallContext,
    spec: RequestSpec<T>,
    path: string,
    response: TransportResponse,
    afterAmbiguousAttempt: boolean,
  ): AttemptResult<T> {
    const { status } = response;
    if (status === 409 && afterAmbiguousAttempt && spec.resultForConflictAfterAmbiguity) {
      this.log(
        "warn",
        `${call.operation}: 409 after an attempt with an unknown outcome — that attempt was accepted`,
      );
      return { ok: true, value: spec.resultForConflictAfterAmbiguity() };
    }
    const { serverMessage, fieldErrors, bodyNote } = this.readErrorBody(response.body);
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfterMs(response.headers["retry-after"]) : null;
    if (status === 429) {
      this.stats.rateLimited += 1;
      // Every caller of this client pauses, not only this one.
      this.rateLimitGate.pauseUntil(Date.now() + (retryAfterMs ?? 0));
    }
    const hint = this.statusHint(call, status, serverMessage, fieldErrors, response.headers);
    const said =
      serverMessage && status !== 400 && status !== 422
        ? ` (server said: ${JSON.stringify(serverMessage)})`
        : "";
    const message = `${describeStatus(status)} ${call.operation}: ${hint}${said}${bodyNote}`;
    const error = createApiError(message, {
      status,
      method: spec.method,
      path,
      operation: call.operation,
      serverMessage,
      ...(fieldErrors ? { fieldErrors } : {}),
      ...(status === 429 ? { retryAfterMs } : {}),
    });
    const retryable = isRetryableStatus(status);
    // A 429 is refused before any work; 408 and 5xx may come after the work was done.
    return {
      ok: false,
      failure: { error, retryable, mayHaveApplied: retryable && status !== 429, retryAfterMs },
    };
  }

  private readErrorBody(text: string): {
    serverMessage: string | null;
    fieldErrors?: Record<string, string[]>;
    bodyNote: string;
  } {
    const trimmed = text.trim();
    if (trimmed === "") return { serverMessage: null, bodyNote: " (the response body was empty)" };
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return {
        serverMessage: null,
        bodyNote:
          " (the response body was not JSON — probably a page from a proxy or load balancer)",
      };
    }
    // Redact before clipping, so a clipped echo of the token cannot survive as a fragment.
    const clip = (value: string) => {
      const redacted = redactSecrets(value);
      return redacted.length > MAX_SERVER_MESSAGE_LENGTH
        ? `${redacted.slice(0, MAX_SERVER_MESSAGE_LENGTH)}…`
        : redacted;
    };
    const detail = ApiDetailErrorSchema.safeParse(json);
    if (detail.success) return { serverMessage: clip(detail.data.detail), bodyNote: "" };
    const fields = ApiFieldErrorsSchema.safeParse(json);
    if (fields.success && Object.keys(fields.data).length > 0) {
      const fieldErrors = Object.fromEntries(
        Object.entries(fields.data).map(([name, reasons]) => [name, reasons.map(clip)]),
      );
      const joined = Object.entries(fieldErrors)
        .map(([name, reasons]) => `${name}: ${reasons.join(" ")}`)
        .join("; ");
      return { serverMessage: clip(joined), fieldErrors, bodyNote: "" };
    }
    return { serverMessage: null, bodyNote: " (the response body had no error detail)" };
  }

  private statusHint(
    call: CallContext,
    status: number,
    serverMessage: string | null,
    fieldErrors: Record<string, string[]> | undefined,
    headers: Record<string, string>,
  ): string {
    if (status >= 300 && status < 400) {
      const location = headers.location;
      let where = "another address";
      if (location) {
        try {
          where = new URL(location, this.baseUrl).origin;
        } catch {
          where = "an unparseable address";
        }
      }
      return `the API answered with a redirect to ${where}; the client never follows redirects, so the API token cannot leak to another host — set baseUrl (VPS_API_URL) to the final address`;
    }
    switch (status) {
      case 400:
      case 422:
        return `the platform rejected the request: ${fieldErrors ? serverMessage : (serverMessage ?? "no reason given")} — fix the argument${fieldErrors && Object.keys(fieldErrors).length > 1 ? "s" : ""} named`;
      case 401:
        return "the API token was rejected — check VPS_API_TOKEN or the apiToken option";
      case 403:
        return "the API token may not do this — check the token's permissions in the platform's control panel";
      case 404:
        return call.notFoundHint ?? "not found";
      case 408:
        return "the platform timed out reading the request — try again";
      case 409:
        return "the request conflicts with what the server is doing now — wait for the running operation to finish, then try again";
      case 429:
        return "rate limited by the platform — make fewer requests, or raise deadlineMs so the client can wait for Retry-After";
      default:
        if (status >= 500)
          return "the platform failed — try again later; if it persists, contact the platform's support";
        return "unexpected answer";
    }
  }
}
