import { VpsRateLimitError } from "../../../../sdk";
import { DAY_MS, FakeTransport, fakeClient, json, page, text, track } from "../fake-transport";

const serverBody = { id: 7, name: "web-7", status: "active", disk_gb: 40 };

/** A platform whose first answer reports no quota left until 4 s later, then answers freely. */
function exhaustedThenOpen(): FakeTransport {
  const exhausted = {
    "ratelimit-limit": "10",
    "ratelimit-remaining": "0",
    "ratelimit-reset": "4",
  };
  return new FakeTransport()
    .enqueue(json(200, serverBody, exhausted))
    .onRequest(() => json(200, serverBody));
}

describe("the rate-limit gate shared by every caller of one client", () => {
  afterEach(() => jest.useRealTimers());

  test("RateLimit-Remaining: 0 makes later requests wait for RateLimit-Reset instead of earning a 429", async () => {
    jest.useFakeTimers();
    const fake = exhaustedThenOpen();
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

  test("after a 429 the quota comes back one probe first, then what it reports, spread over the reset window", async () => {
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
    // One probe, whose answer says 3 more may go before the reset 10 s later. The 429 says
    // others spend from the same quota, so the 3 go one every 10 s ÷ (3 + 1), not at once.
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2_499);
    expect(fake.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.requests).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(fake.requests).toHaveLength(5);
    // The last two wait for the quota's reset, 10 s after the probe's answer: one probe again.
    await jest.advanceTimersByTimeAsync(2_499);
    expect(fake.requests).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all([first, ...others]);
    expect(fake.requests).toHaveLength(7);
    expect(client.stats.rateLimited).toBe(1);
  });

  test("alone on the quota, a client sends at once what the platform reports", async () => {
    jest.useFakeTimers();
    const quota = (remaining: number) => ({
      "ratelimit-limit": "10",
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": "10",
    });
    const fake = new FakeTransport().enqueue(json(200, serverBody, quota(5)));
    for (let remaining = 4; remaining >= 0; remaining -= 1) {
      fake.enqueue(json(200, serverBody, quota(remaining)));
    }
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    await client.getServer(7);
    const later = Array.from({ length: 5 }, () => client.getServer(7));
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(6);
    await Promise.all(later);
    expect(client.stats.rateLimitPauses).toBe(0);
  });

  test("an answer lower than this client could have spent (another process shares the quota) spreads the rest over the reset window", async () => {
    jest.useFakeTimers();
    const quota = (remaining: number, reset: number) => ({
      "ratelimit-limit": "10",
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(reset),
    });
    const fake = new FakeTransport()
      .enqueue(json(200, serverBody, quota(10, 10)))
      // Alone, 9 would remain: 7 more went from someone else.
      .enqueue(json(200, serverBody, quota(2, 3)))
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 60_000, timeoutMs: 30_000 });
    await client.getServer(7);
    await client.getServer(7);
    const later = Array.from({ length: 3 }, () => client.getServer(7));
    // The 2 that remain go one every 3 s ÷ (2 + 1); the third waits for the reset.
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.requests).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(fake.requests).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.requests).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all(later);
    expect(fake.requests).toHaveLength(5);
  });

  test("with pacing off (benchmarks' baselines) every request goes at once, whatever the quota says", async () => {
    jest.useFakeTimers();
    const fake = exhaustedThenOpen();
    const client = fakeClient(fake, {
      deadlineMs: 60_000,
      timeoutMs: 30_000,
      paceRateLimit: false,
    });
    await client.getServer(7);
    const later = Array.from({ length: 3 }, () => client.getServer(7));
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(4);
    await Promise.all(later);
    expect(client.stats.rateLimitPauses).toBe(0);
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
});

describe("long rate-limit pauses", () => {
  afterEach(() => jest.useRealTimers());

  test("a RateLimit-Reset 25 days away, within a 30-day deadline, is waited for", async () => {
    jest.useFakeTimers();
    const resetMs = 25 * DAY_MS;
    const exhausted = {
      "ratelimit-limit": "10",
      "ratelimit-remaining": "0",
      "ratelimit-reset": String(resetMs / 1000),
    };
    const fake = new FakeTransport()
      .enqueue(json(200, serverBody, exhausted))
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 30 * DAY_MS, timeoutMs: 30_000 });
    await client.getServer(7);
    const later = track(client.getServer(7));
    await jest.advanceTimersByTimeAsync(resetMs - 1);
    expect(later.settled()).toBe(false);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(later.result).resolves.toMatchObject({ id: 7 });
    expect(client.stats.rateLimitPauses).toBe(1);
  });

  test("a 429 whose Retry-After is 25 days holds every caller that long", async () => {
    jest.useFakeTimers();
    const retryAfterMs = 25 * DAY_MS;
    const fake = new FakeTransport()
      .enqueue(json(429, { detail: "Slow down." }, { "retry-after": String(retryAfterMs / 1000) }))
      .onRequest(() => json(200, serverBody));
    const client = fakeClient(fake, { deadlineMs: 30 * DAY_MS, timeoutMs: 30_000 });
    const first = track(client.getServer(7));
    await jest.advanceTimersByTimeAsync(0);
    const second = track(client.getServer(7));
    await jest.advanceTimersByTimeAsync(retryAfterMs - 1);
    expect(fake.requests).toHaveLength(1);
    expect(second.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all([first.result, second.result]);
    expect(fake.requests).toHaveLength(3);
  });
});
