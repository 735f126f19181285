/**
 * Reliability 5 — 429 with `Retry-After` of 1 s, 30 s, an HTTP date, and longer than the
 * deadline.
 *
 * How time is measured: the long waits run on jest's fake clock (which fakes both `setTimeout`
 * and `Date`), with a transport that stamps every request with the fake `Date.now()`; so
 * "waited 30 s" is exact and takes no real time. One case runs over real sockets against a raw
 * server with `Retry-After: 1`, and one against the emulator's own rate limiter, both with the
 * server's receive times. Must hold: the retry waits at least what was asked, no request of the
 * client leaves during the cool-down (not even another caller's), and a wait past the deadline
 * fails at once with an error that says so. Figures: the measured waits.
 */
import type { RunningEmulator } from "../../../emulator";
import {
  type TransportRequest,
  type TransportResponse,
  VpsClient,
  VpsRateLimitError,
} from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { freshAccount, startFastEmulator } from "../../support/emulator";
import { sendJson, startRawServer } from "../../support/http";
import { fastClient, recordingTransport } from "../../support/client";

const START = Date.UTC(2025, 0, 16, 15, 45, 0);
const EMPTY_PAGE = { count: 0, next: null, previous: null, results: [] };
const SERVER = { id: 12345, name: "web-server-01", status: "active", disk_gb: 80 };

interface StampedRequest {
  atMs: number;
  method: string;
  path: string;
}

/** A transport on the fake clock: `script` answers each request (possibly after a fake delay). */
function scriptedTransport(
  script: (
    request: TransportRequest,
    index: number,
  ) => { response: TransportResponse; afterMs?: number },
) {
  const requests: StampedRequest[] = [];
  const transport = (request: TransportRequest) => {
    const index = requests.length;
    requests.push({
      atMs: Date.now() - START,
      method: request.method,
      path: new URL(request.url).pathname,
    });
    const { response, afterMs = 0 } = script(request, index);
    return new Promise<TransportResponse>((resolve, reject) => {
      const timer = setTimeout(() => resolve(response), afterMs);
      request.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(Object.assign(new Error("aborted"), { code: "ERR_CANCELED" }));
      });
    });
  };
  return { transport, requests };
}

function tooMany(retryAfter: string): TransportResponse {
  return {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": retryAfter },
    body: '{"detail":"Request was throttled."}',
  };
}

function ok(request: TransportRequest): TransportResponse {
  const body = new URL(request.url).pathname.endsWith("/servers/")
    ? { ...EMPTY_PAGE, count: 1, results: [SERVER] }
    : new URL(request.url).pathname.includes("/servers/")
      ? SERVER
      : EMPTY_PAGE;
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

function fakeClockClient(
  transport: VpsClient extends never
    ? never
    : (request: TransportRequest) => Promise<TransportResponse>,
  deadlineMs = 120_000,
) {
  return new VpsClient({
    baseUrl: "https://admin.vps.org/api/v1",
    apiToken: "retry-after-token",
    transport,
    deadlineMs,
    timeoutMs: 60_000,
  });
}

/** Settles `promise` while advancing the fake clock in steps. */
async function runOnFakeClock<T>(
  promise: Promise<T>,
  totalMs: number,
): Promise<{ value?: T; error?: unknown; settledAtMs?: number }> {
  const outcome: { value?: T; error?: unknown; done?: boolean; settledAtMs?: number } = {};
  promise.then(
    (value) => Object.assign(outcome, { value, done: true, settledAtMs: Date.now() - START }),
    (error: unknown) =>
      Object.assign(outcome, { error, done: true, settledAtMs: Date.now() - START }),
  );
  for (let elapsed = 0; elapsed <= totalMs && !outcome.done; elapsed += 250)
    await jest.advanceTimersByTimeAsync(250);
  if (!outcome.done) throw new Error(`still pending after ${totalMs} ms of fake time`);
  return outcome;
}

describe("reliability 5: 429 with Retry-After", () => {
  beforeAll(() => resetFigures("05-retry-after"));

  describe("on the fake clock", () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: START });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it.each([
      { label: "1 s", header: "1", askedMs: 1_000 },
      { label: "30 s", header: "30", askedMs: 30_000 },
      {
        label: "an HTTP date 45 s ahead",
        header: new Date(START + 45_000).toUTCString(),
        askedMs: 45_000,
      },
      { label: "fractional 2.5 s", header: "2.5", askedMs: 2_500 },
    ])(
      "Retry-After $label: the retry leaves after at least that long, nothing before",
      async ({ label, header, askedMs }) => {
        const { transport, requests } = scriptedTransport((request, index) => ({
          response: index === 0 ? tooMany(header) : ok(request),
        }));
        const client = fakeClockClient(transport);
        const outcome = await runOnFakeClock(client.listBackups(), askedMs + 5_000);

        expect(outcome.error).toBeUndefined();
        expect(requests).toHaveLength(2);
        const waitedMs = (requests[1]?.atMs ?? 0) - (requests[0]?.atMs ?? 0);
        recordFigure("05-retry-after", `Retry-After ${label}`, {
          askedMs,
          waitedMs,
          requests: requests.length,
        });
        expect(waitedMs).toBeGreaterThanOrEqual(askedMs);
        expect(client.stats.rateLimited).toBe(1);
      },
    );

    it.each([
      { label: "600 s (seconds)", header: "600" },
      { label: "an HTTP date 10 min ahead", header: new Date(START + 600_000).toUTCString() },
    ])(
      "Retry-After $label, past a 120 s deadline: fails at once with a clear error",
      async ({ label, header }) => {
        const { transport, requests } = scriptedTransport((request, index) => ({
          response: index === 0 ? tooMany(header) : ok(request),
        }));
        const client = fakeClockClient(transport, 120_000);
        const outcome = await runOnFakeClock(client.listBackups(), 1_000);

        expect(outcome.error).toBeInstanceOf(VpsRateLimitError);
        const error = outcome.error as VpsRateLimitError;
        expect(error.status).toBe(429);
        expect(error.retryAfterMs).toBe(600_000);
        expect(error.message).toMatch(/retry after 600 s, which is past this call's deadline/);
        expect(error.message).toContain("Raise deadlineMs");
        expect(requests).toHaveLength(1);
        recordFigure("05-retry-after", `Retry-After ${label} > deadline`, {
          requests: requests.length,
          failedAfterMs: outcome.settledAtMs,
          message: error.message,
        });
        expect(outcome.settledAtMs).toBe(0);
      },
    );

    it("no request of the client leaves during a cool-down, whoever the caller", async () => {
      // Call A is answered 429 Retry-After 10; call C, sent at the same moment, is answered
      // 3 s later with 429 Retry-After 30 (the platform extended the cool-down). Call B starts
      // at 1 s. Nothing may leave before 33 s.
      const { transport, requests } = scriptedTransport((request, index) => {
        if (index === 0) return { response: tooMany("10") };
        if (index === 1) return { response: tooMany("30"), afterMs: 3_000 };
        return { response: ok(request) };
      });
      const client = fakeClockClient(transport);
      const callA = client.listBackups();
      const callC = client.listServers();
      await jest.advanceTimersByTimeAsync(1_000);
      const callB = client.getServer(12345);
      const outcomes = await runOnFakeClock(Promise.all([callA, callB, callC]), 60_000);

      expect(outcomes.error).toBeUndefined();
      const coolDownEndsMs = 33_000;
      const during = requests.slice(2).filter((request) => request.atMs < coolDownEndsMs);
      recordFigure("05-retry-after", "overlapping cool-downs (10 s, then 30 s from 3 s)", {
        requestTimesMs: requests.map((request) => request.atMs),
        requestsDuringCoolDown: during.length,
      });
      expect(during).toEqual([]);
      expect(requests).toHaveLength(5);
    });
  });

  describe("over real sockets", () => {
    let emulator: RunningEmulator | undefined;
    afterAll(async () => {
      await emulator?.stop();
    });

    it("Retry-After: 1 from a raw server: the server sees the retry at least 1 s later", async () => {
      const server = await startRawServer((_request, response, index) => {
        if (index === 0)
          sendJson(
            response,
            429,
            { detail: "Request was throttled. Expected available in 1 second." },
            { "retry-after": "1" },
          );
        else sendJson(response, 200, EMPTY_PAGE);
      });
      try {
        const client = fastClient(`${server.origin}/api/v1`, "raw-retry-after-token");
        await client.listBackups();
        expect(server.requests).toHaveLength(2);
        const gapMs =
          (server.requests[1]?.receivedAtMs ?? 0) - (server.requests[0]?.receivedAtMs ?? 0);
        recordFigure("05-retry-after", "real socket, Retry-After 1", {
          askedMs: 1_000,
          serverSeenGapMs: gapMs,
        });
        expect(gapMs).toBeGreaterThanOrEqual(1_000);
      } finally {
        await server.close();
      }
    });

    it("the emulator's rate limiter (2 req/s, burst 2): 8 concurrent calls, none sent during a cool-down", async () => {
      emulator = await startFastEmulator({ randomSeed: 505 });
      const account = freshAccount(emulator);
      emulator.faults.replace({ rateLimit: { requestsPerSecond: 2, burst: 2 } });
      const { transport, requests } = recordingTransport();
      const sent: { atMs: number; answeredAtMs?: number; retryAfterMs?: number }[] = [];
      const client = fastClient(emulator.url, account.token, {
        transport: async (request) => {
          const entry: { atMs: number; answeredAtMs?: number; retryAfterMs?: number } = {
            atMs: Date.now(),
          };
          sent.push(entry);
          const response = await transport(request);
          entry.answeredAtMs = Date.now();
          if (response.status === 429)
            entry.retryAfterMs = Number(response.headers["retry-after"]) * 1000;
          return response;
        },
      });
      const serverId = account.serverIds[0] ?? 0;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => client.listBackups({ serverId })),
      );
      const failures = outcomes.flatMap((outcome) =>
        outcome.status === "rejected" ? [outcome.reason as unknown] : [],
      );

      // A request sent after a 429 was answered and before its Retry-After ran out breaks the rule.
      const violations = sent.filter((request) =>
        sent.some(
          (limited) =>
            limited.retryAfterMs !== undefined &&
            limited.answeredAtMs !== undefined &&
            request.atMs > limited.answeredAtMs &&
            request.atMs < limited.answeredAtMs + limited.retryAfterMs,
        ),
      );
      recordFigure("05-retry-after", "emulator rate limit, 8 concurrent calls", {
        calls: 8,
        succeeded: outcomes.length - failures.length,
        requests: requests.length,
        rateLimited: client.stats.rateLimited,
        pauses: client.stats.rateLimitPauses,
        requestsDuringCoolDown: violations.length,
      });
      expect(violations).toEqual([]);
      // A call that ran out of retries says so with the typed error, never anything else.
      for (const failure of failures) expect(failure).toBeInstanceOf(VpsRateLimitError);
    });
  });
});
