/**
 * A fake transport for the client's unit tests: records every request and answers from a
 * script, so no test touches the network.
 */
import { randomBytes } from "node:crypto";
import {
  VpsClient,
  type TransportRequest,
  type TransportResponse,
  type VpsClientOptions,
  type VpsTransport,
} from "../../../sdk";

/** What the fake answers: a response, a transport failure (`{ fail: code }`), or `hang`. */
export type FakeReply = TransportResponse | { fail: string; message?: string } | "hang";

/** Replies with JSON. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TransportResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** Replies with raw text (HTML error pages, empty bodies). */
export function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): TransportResponse {
  return { status, headers, body };
}

/** A transport failure with a system error code. */
export function fail(code: string, message = `socket failure ${code}`): FakeReply {
  return { fail: code, message };
}

/** A random token that must never appear in any rendering of an error. */
export function canaryToken(): string {
  return `canary-${randomBytes(12).toString("hex")}`;
}

/** Scripted transport: a handler decides each reply; every request is recorded. */
export class FakeTransport {
  readonly requests: TransportRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private handler: ((request: TransportRequest) => FakeReply | Promise<FakeReply>) | undefined;

  /** Replies in order to the next requests (before the handler is consulted). */
  enqueue(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Answers every request the queue does not cover. */
  onRequest(handler: (request: TransportRequest) => FakeReply | Promise<FakeReply>): this {
    this.handler = handler;
    return this;
  }

  /** The requests whose method and URL path match. */
  requestsTo(method: string, pathname: string): TransportRequest[] {
    return this.requests.filter(
      (request) => request.method === method && new URL(request.url).pathname.endsWith(pathname),
    );
  }

  readonly transport: VpsTransport = async (request) => {
    this.requests.push(request);
    const reply = this.queue.length > 0 ? this.queue.shift() : await this.handler?.(request);
    if (reply === undefined)
      throw new Error(`FakeTransport: no reply scripted for ${request.method} ${request.url}`);
    if (reply === "hang") {
      return new Promise<TransportResponse>((_, reject) => {
        request.signal.addEventListener(
          "abort",
          () => reject(Object.assign(new Error("aborted"), { code: "ERR_CANCELED" })),
          { once: true },
        );
      });
    }
    if ("fail" in reply)
      throw Object.assign(new Error(reply.message ?? reply.fail), { code: reply.fail });
    return reply;
  };
}

/** Base URL of the fake API. */
export const FAKE_BASE_URL = "https://api.example.test/api/v1";

/** A client on a fake transport with tiny timings, so retries take milliseconds. */
export function fakeClient(fake: FakeTransport, options: VpsClientOptions = {}): VpsClient {
  return new VpsClient({
    baseUrl: FAKE_BASE_URL,
    apiToken: canaryToken(),
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 4,
    timeoutMs: 1_000,
    deadlineMs: 5_000,
    pollSchedule: () => 2,
    transport: fake.transport,
    ...options,
  });
}

let nextId = 1000 + Math.floor(Math.random() * 1000);
/** A fresh id for fixtures (random start, so fixtures differ between runs). */
export function freshId(): number {
  nextId += 1;
  return nextId;
}

/** A wire backup (snake_case) as the API returns it. */
export function wireBackup(
  overrides: Partial<{
    id: number;
    serverId: number;
    status: string;
    description: string | null;
    createdAt: string;
    backupType: string;
  }> = {},
) {
  const serverId = overrides.serverId ?? 12345;
  return {
    id: overrides.id ?? freshId(),
    server: { id: serverId, name: `web-${serverId}` },
    backup_type: overrides.backupType ?? "manual",
    status: overrides.status ?? "in_progress",
    size_mb: overrides.status === "completed" ? 4523 : null,
    created_at: overrides.createdAt ?? new Date().toISOString(),
    expires_at: null,
    description:
      overrides.description === undefined
        ? `fixture-${randomBytes(3).toString("hex")}`
        : overrides.description,
  };
}

/** A list page body. */
export function page(
  results: unknown[],
  extra: { count?: number; next?: string | null; previous?: string | null } = {},
) {
  return {
    count: extra.count ?? results.length,
    ...("next" in extra ? { next: extra.next } : { next: null }),
    previous: extra.previous ?? null,
    results,
  };
}

/** One day, in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Durations at the edge of Node's timers, which fire any delay above 2³¹−1 ms after 1 ms
 * (jest's fake timers do the same): the longest single timer, one more, and 30 days.
 */
export const LONG_DURATIONS: Array<[string, number]> = [
  ["2³¹−1 ms", 2 ** 31 - 1],
  ["2³¹ ms", 2 ** 31],
  ["30 days", 30 * DAY_MS],
];

/** Marks when `promise` settles, so a test on fake timers can check it has not yet. */
export function track<T>(promise: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let settled = false;
  const result = promise.finally(() => (settled = true));
  result.catch(() => undefined);
  return { settled: () => settled, result };
}
