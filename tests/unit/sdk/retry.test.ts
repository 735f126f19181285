import {
  VpsAuthenticationError,
  VpsBadRequestError,
  VpsClient,
  VpsConflictError,
  VpsConnectionError,
  VpsNotFoundError,
  VpsPermissionError,
  VpsRateLimitError,
  VpsResponseValidationError,
  VpsServerError,
  VpsTimeoutError,
  computeBackoffMs,
  isRetryableStatus,
  parseRetryAfterMs,
} from "../../../sdk";
import {
  FakeTransport,
  type FakeReply,
  fail,
  fakeClient,
  json,
  page,
  text,
} from "./fake-transport";

const serverBody = { id: 7, name: "web-7", status: "active", disk_gb: 40 };
const reads: Array<[string, (client: VpsClient) => Promise<unknown>, FakeReply]> = [
  ["GET (getServer)", (client) => client.getServer(7), json(200, serverBody)],
  ["GET (listBackups)", (client) => client.listBackups(), json(200, page([]))],
  ["DELETE (deleteBackup)", (client) => client.deleteBackup(501), text(204, "")],
];

describe("GET and DELETE retry what may succeed next time", () => {
  const retried: Array<[string, FakeReply]> = [
    ["408", json(408, { detail: "Request timeout." })],
    ["429", json(429, { detail: "Throttled." })],
    ["500", json(500, { detail: "Boom." })],
    ["502 (HTML)", text(502, "<html>bad gateway</html>")],
    ["503", text(503, "")],
    ["504", text(504, "")],
    ["ECONNRESET", fail("ECONNRESET", "socket hang up")],
    ["ECONNREFUSED", fail("ECONNREFUSED")],
    ["ETIMEDOUT", fail("ETIMEDOUT")],
    ["a per-attempt timeout", "hang"],
  ];
  const cases = reads.flatMap(([call, run, success]) =>
    retried.map(([what, reply]) => [call, what, run, reply, success] as const),
  );
  test.each(cases)("%s after %s", async (_call, _what, run, reply, success) => {
    const fake = new FakeTransport().enqueue(reply, success);
    const client = fakeClient(fake, { timeoutMs: 50 });
    await expect(run(client)).resolves.not.toThrow();
    expect(fake.requests).toHaveLength(2);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  test("gives up after maxRetries retries with the last error", async () => {
    const fake = new FakeTransport().onRequest(() => json(503, { detail: "Down." }));
    const client = fakeClient(fake, { maxRetries: 3 });
    const error = await client.getServer(7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsServerError);
    expect((error as Error).message).toMatch(
      /^503 Service Unavailable reading server 7: .*\(gave up after 3 retries\)$/,
    );
    expect(fake.requests).toHaveLength(4);
  });

  test("maxRetries 0 means one attempt", async () => {
    const fake = new FakeTransport().onRequest(() => text(500, ""));
    await expect(fakeClient(fake, { maxRetries: 0 }).listServers()).rejects.toBeInstanceOf(
      VpsServerError,
    );
    expect(fake.requests).toHaveLength(1);
  });
});

describe("what never retries", () => {
  const never: Array<[string, FakeReply, new (...args: never[]) => Error]> = [
    ["400", json(400, { server_id: ["Invalid."] }), VpsBadRequestError],
    ["401", json(401, { detail: "Invalid token." }), VpsAuthenticationError],
    ["403", json(403, { detail: "Forbidden." }), VpsPermissionError],
    ["404", json(404, { detail: "Not found." }), VpsNotFoundError],
    ["409", json(409, { detail: "Busy." }), VpsConflictError],
    ["422", json(422, { detail: "Unprocessable." }), VpsBadRequestError],
    ["a malformed 200", json(200, { unexpected: true }), VpsResponseValidationError],
    [
      "a TLS certificate failure",
      fail("CERT_HAS_EXPIRED", "certificate has expired"),
      VpsConnectionError,
    ],
  ];
  const cases = reads.flatMap(([call, run]) =>
    never.map(([what, reply, errorClass]) => [call, what, run, reply, errorClass] as const),
  );
  test.each(cases)("%s on %s", async (call, what, run, reply, errorClass) => {
    // DELETE answers 204 without a body, so "a malformed 200" does not apply to it.
    if (call.startsWith("DELETE") && what === "a malformed 200") return;
    const fake = new FakeTransport().enqueue(reply).onRequest(() => json(200, serverBody));
    const client = fakeClient(fake);
    await expect(run(client)).rejects.toBeInstanceOf(errorClass);
    expect(fake.requests).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });
});

describe("Retry-After and rate limits", () => {
  afterEach(() => jest.useRealTimers());

  test("Retry-After in seconds is waited for exactly", async () => {
    jest.useFakeTimers();
    const fake = new FakeTransport().enqueue(
      json(429, { detail: "Slow down." }, { "retry-after": "2" }),
      json(200, serverBody),
    );
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    const result = client.getServer(7);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ id: 7 });
    expect(fake.requests).toHaveLength(2);
    expect(client.stats.rateLimited).toBe(1);
  });

  test("Retry-After as an HTTP date is waited for", async () => {
    jest.useFakeTimers({ now: Date.parse("2025-01-16T15:45:00Z") });
    const retryAt = new Date(Date.now() + 3_000).toUTCString();
    const fake = new FakeTransport().enqueue(
      json(503, { detail: "Maintenance." }, { "retry-after": retryAt }),
      json(200, serverBody),
    );
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    const result = client.getServer(7);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ id: 7 });
  });

  test("a Retry-After past the deadline fails at once with a clear error", async () => {
    const fake = new FakeTransport().enqueue(
      json(429, { detail: "Slow down." }, { "retry-after": "3600" }),
    );
    const client = fakeClient(fake, { deadlineMs: 10_000 });
    const error = await client.listBackups().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsRateLimitError);
    expect((error as VpsRateLimitError).retryAfterMs).toBe(3_600_000);
    expect((error as Error).message).toMatch(
      /^429 Too Many Requests listing backups: the platform asks to retry after 3600 s, which is past this call's deadline \(\d+(\.\d)? s left\), so the client gave up at once\. Raise deadlineMs/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test("RateLimit-Remaining: 0 makes later requests wait for RateLimit-Reset instead of earning a 429", async () => {
    jest.useFakeTimers();
    const exhausted = {
      "ratelimit-limit": "10",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "4",
    };
    const fake = new FakeTransport()
      .enqueue(json(200, serverBody, exhausted))
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    await client.getServer(7);
    const later = [client.getServer(7), client.listBackups(), client.deleteBackup(9)];
    await jest.advanceTimersByTimeAsync(3_999);
    expect(fake.requests).toHaveLength(1);
    fake.onRequest((request) =>
      request.method === "DELETE"
        ? text(204, "")
        : request.url.includes("/servers/")
          ? json(200, serverBody)
          : json(200, page([])),
    );
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all(later);
    expect(fake.requests).toHaveLength(4);
    expect(client.stats).toMatchObject({ rateLimited: 0, rateLimitPauses: 3 });
  });

  test("a 429 pauses every caller of the client, not only the one that got it", async () => {
    jest.useFakeTimers();
    const fake = new FakeTransport()
      .enqueue(json(429, { detail: "Slow down." }, { "retry-after": "1" }))
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    const first = client.getServer(7);
    await jest.advanceTimersByTimeAsync(0);
    const second = client.getServer(7);
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all([first, second]);
    expect(fake.requests).toHaveLength(3);
  });

  test("after a 429 the quota comes back one probe first, then as many requests as it reports", async () => {
    jest.useFakeTimers();
    const refused = {
      "retry-after": "1",
      "ratelimit-limit": "10",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "1",
    };
    const fake = new FakeTransport()
      .enqueue(json(429, { detail: "Slow down." }, refused))
      .enqueue(
        json(200, serverBody, {
          "ratelimit-limit": "10",
          "ratelimit-remaining": "3",
          "ratelimit-reset": "10",
        }),
      )
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    const first = client.getServer(7);
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(1);
    const others = Array.from({ length: 5 }, () => client.getServer(7));
    await jest.advanceTimersByTimeAsync(999);
    // Nobody is sent into the pause.
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    // One probe, whose answer says 3 more may go now.
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(5);
    // The last two wait for the quota's reset, 10 s after the probe's answer.
    await jest.advanceTimersByTimeAsync(9_000);
    expect(fake.requests).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1_000);
    await Promise.all([first, ...others]);
    expect(fake.requests).toHaveLength(7);
    expect(client.stats.rateLimited).toBe(1);
  });

  test("a rate-limit pause past the deadline fails at once", async () => {
    const exhausted = { "ratelimit-remaining": "0", "ratelimit-reset": "120" };
    const fake = new FakeTransport().enqueue(json(200, serverBody, exhausted));
    const client = fakeClient(fake, { deadlineMs: 5_000 });
    await client.getServer(7);
    const error = await client.getServer(7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsRateLimitError);
    expect((error as Error).message).toMatch(
      /^Rate limited reading server 7: the platform's rate limit resets in 120 s, after this call's deadline/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test("backoff that would pass the deadline stops retrying", async () => {
    const fake = new FakeTransport().onRequest(() => text(503, ""));
    const client = fakeClient(fake, {
      deadlineMs: 50,
      retryBaseDelayMs: 10_000,
      retryMaxDelayMs: 10_000,
    });
    const error = await client.getServer(7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsServerError);
    expect((error as Error).message).toMatch(
      /no time was left before the deadline for another attempt/,
    );
    expect(fake.requests).toHaveLength(1);
  });
});

describe("retry timing helpers", () => {
  test.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 8_000],
    [10, 8_000],
  ])(
    "backoff before retry %i without jitter is %i ms, and at most 25 %% less with it",
    (retryIndex, full) => {
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 0)).toBe(full);
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 1)).toBe(full * 0.75);
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 0.5)).toBe(Math.round(full * 0.875));
    },
  );

  const now = Date.parse("2025-01-16T15:45:00Z");
  test.each([
    ["0", 0],
    ["7", 7_000],
    ["1.5", 1_500],
    ["Thu, 16 Jan 2025 15:45:30 GMT", 30_000],
    ["Thu, 16 Jan 2025 15:00:00 GMT", 0],
    ["soon", null],
    ["", null],
    ["-3", null],
  ])("Retry-After %j is %p ms", (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  test.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])("status %i retryable: %p", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  test("a timeout is a VpsTimeoutError even after retries", async () => {
    const fake = new FakeTransport().onRequest(() => "hang");
    const error = await fakeClient(fake, { timeoutMs: 20, maxRetries: 2 })
      .getServer(7)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect(fake.requests).toHaveLength(3);
  });
});
