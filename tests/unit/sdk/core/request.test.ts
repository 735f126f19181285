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
} from "../../../../sdk";
import {
  DAY_MS,
  FakeTransport,
  type FakeReply,
  LONG_DURATIONS,
  fail,
  fakeClient,
  json,
  page,
  text,
  track,
} from "../fake-transport";

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
    const client = fakeClient(fake, { timeoutMs: 250 });
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

describe("Retry-After, deadlines and timeouts", () => {
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

  test("backoff that would pass the deadline stops retrying", async () => {
    const fake = new FakeTransport().onRequest(() => text(503, ""));
    const client = fakeClient(fake, {
      deadlineMs: 5_000,
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

  test("a timeout is a VpsTimeoutError even after retries", async () => {
    const fake = new FakeTransport().onRequest(() => "hang");
    const error = await fakeClient(fake, { timeoutMs: 20, maxRetries: 2 })
      .getServer(7)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect(fake.requests).toHaveLength(3);
  });
});

describe("long timeouts and deadlines", () => {
  afterEach(() => jest.useRealTimers());

  test.each(LONG_DURATIONS)(
    "a timeoutMs and deadlineMs of %s are waited out, not ended after 1 ms",
    async (_what, durationMs) => {
      jest.useFakeTimers();
      const fake = new FakeTransport().onRequest(() => "hang");
      const client = fakeClient(fake, {
        timeoutMs: durationMs,
        deadlineMs: durationMs,
        maxRetries: 0,
      });
      const reading = track(client.getServer(7));
      await jest.advanceTimersByTimeAsync(durationMs - 1);
      expect(reading.settled()).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await expect(reading.result).rejects.toBeInstanceOf(VpsTimeoutError);
      expect(fake.requests).toHaveLength(1);
    },
  );

  test("a Retry-After of 25 days within a 30-day deadline is waited for in full", async () => {
    jest.useFakeTimers();
    const retryAfterMs = 25 * DAY_MS;
    const fake = new FakeTransport()
      .enqueue(
        json(503, { detail: "Maintenance." }, { "retry-after": String(retryAfterMs / 1000) }),
      )
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 30 * DAY_MS, timeoutMs: 30_000 });
    const reading = track(client.getServer(7));
    await jest.advanceTimersByTimeAsync(retryAfterMs - 1);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(reading.result).resolves.toMatchObject({ id: 7 });
    expect(fake.requests).toHaveLength(2);
  });
});
