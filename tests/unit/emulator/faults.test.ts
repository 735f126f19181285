/**
 * The fault injector on its own: validation, merge and replace, scope, the seeded draws, and
 * the rate limiter's token bucket on an explicit clock.
 */
import { FaultConfigSchema, FaultInjector } from "../../../emulator";

describe("fault settings", () => {
  test("off by default: no delay, no error, nothing dropped", () => {
    const decision = new FaultInjector({}, 1).decide("POST", "/backups/", true);
    expect(decision).toEqual({
      latencyMs: 0,
      hang: false,
      errorStatus: null,
      htmlError: false,
      dropAfterCommit: false,
      malformedJson: false,
      trickle: null,
      oversizedBytes: null,
    });
  });

  test.each([
    ["a rate above 1", { errorRate: 1.5 }],
    ["a negative latency", { latencyMs: -1 }],
    ["an error status below 500", { errorStatuses: [404] }],
    ["an unknown setting", { explode: true }],
    ["a rate limit of 0 per second", { rateLimit: { requestsPerSecond: 0, burst: 1 } }],
  ])("%s is refused, and the settings stay as they were", (_name, bad) => {
    const injector = new FaultInjector({ latencyMs: 3 }, 1);
    expect(() => injector.replace(bad)).toThrow();
    expect(() => injector.merge(bad)).toThrow();
    expect(injector.current).toEqual({ latencyMs: 3 });
    expect(FaultConfigSchema.safeParse(bad).success).toBe(false);
  });

  test("merge keeps the other settings, replace drops them; current is a copy", () => {
    const injector = new FaultInjector({ latencyMs: 3, errorRate: 0.5 }, 1);
    expect(injector.merge({ errorRate: 0 })).toEqual({ latencyMs: 3, errorRate: 0 });
    expect(injector.replace({ hangRate: 1 })).toEqual({ hangRate: 1 });
    const copy = injector.current;
    copy.hangRate = 0;
    expect(injector.current.hangRate).toBe(1);
  });

  test("methods are matched in any case", () => {
    const injector = new FaultInjector({ errorRate: 1, scope: { methods: ["post"] } }, 1);
    expect(injector.decide("POST", "/backups/", true).errorStatus).not.toBeNull();
    expect(injector.decide("get", "/backups/", false).errorStatus).toBeNull();
  });
});

describe("draws", () => {
  test("rate 1 always, rate 0 never; drops only on committing requests", () => {
    const injector = new FaultInjector(
      {
        errorRate: 1,
        errorStatuses: [503],
        htmlErrorRate: 1,
        dropAfterCommitRate: 1,
        malformedJsonRate: 1,
        trickleRate: 1,
        oversizedBodyRate: 1,
        hangRate: 0,
        latencyMs: 7,
      },
      1,
    );
    const commit = injector.decide("POST", "/backups/", true);
    expect(commit).toMatchObject({
      errorStatus: 503,
      htmlError: true,
      dropAfterCommit: true,
      malformedJson: true,
      trickle: { bytes: 16, intervalMs: 50 },
      oversizedBytes: 12 * 1024 * 1024,
      hang: false,
      latencyMs: 7,
    });
    expect(injector.decide("GET", "/backups/", false).dropAfterCommit).toBe(false);
  });

  test("out of scope, no fault is drawn at all", () => {
    const injector = new FaultInjector(
      { errorRate: 1, latencyMs: 9, scope: { methods: ["POST"], pathPrefixes: ["/backups/"] } },
      1,
    );
    expect(injector.decide("POST", "/servers/1/restore/", true)).toMatchObject({
      errorStatus: null,
      latencyMs: 0,
    });
    expect(injector.decide("GET", "/backups/", false).errorStatus).toBeNull();
    expect(injector.decide("POST", "/backups/", true).errorStatus).not.toBeNull();
  });

  test("the same seed draws the same faults in the same order; another seed differs", () => {
    const draws = (seed: number) => {
      const injector = new FaultInjector(
        { errorRate: 0.3, latencyJitterMs: 100, dropAfterCommitRate: 0.3 },
        seed,
      );
      return Array.from({ length: 50 }, () => injector.decide("POST", "/backups/", true));
    };
    expect(draws(11)).toEqual(draws(11));
    expect(draws(11)).not.toEqual(draws(12));
    const errors = draws(11).filter((decision) => decision.errorStatus !== null).length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(30);
    for (const decision of draws(11)) {
      expect(decision.latencyMs).toBeGreaterThanOrEqual(0);
      expect(decision.latencyMs).toBeLessThan(100);
    }
  });
});

describe("rate limit (token bucket per caller, on the wall clock)", () => {
  test("no limit set: no outcome and no headers", () => {
    expect(new FaultInjector({}, 1).rateLimit("caller", 0)).toBeNull();
  });

  test("a burst passes, the next is limited with Retry-After, and the bucket refills over time", () => {
    const injector = new FaultInjector({ rateLimit: { requestsPerSecond: 2, burst: 3 } }, 1);
    const at = 1_000_000;
    const passed = [0, 1, 2].map(() => injector.rateLimit("caller", at));
    expect(passed.map((outcome) => outcome?.limited)).toEqual([false, false, false]);
    expect(passed.map((outcome) => outcome?.headers["RateLimit-Remaining"])).toEqual([
      "2",
      "1",
      "0",
    ]);
    const limited = injector.rateLimit("caller", at);
    expect(limited).toMatchObject({ limited: true, retryAfterSeconds: 1 });
    expect(limited?.headers).toMatchObject({ "RateLimit-Limit": "3", "RateLimit-Reset": "1" });
    // Half a second refills one token at 2 per second.
    expect(injector.rateLimit("caller", at + 500)?.limited).toBe(false);
    expect(injector.rateLimit("caller", at + 500)?.limited).toBe(true);
    // Another caller has a bucket of its own.
    expect(injector.rateLimit("someone else", at + 500)?.limited).toBe(false);
  });

  test("replacing the settings empties every bucket", () => {
    const injector = new FaultInjector({ rateLimit: { requestsPerSecond: 0.001, burst: 1 } }, 1);
    injector.rateLimit("caller", 0);
    expect(injector.rateLimit("caller", 0)?.limited).toBe(true);
    injector.replace({ rateLimit: { requestsPerSecond: 0.001, burst: 1 } });
    expect(injector.rateLimit("caller", 0)?.limited).toBe(false);
  });

  test("oneBackupPerServer is a plain switch", () => {
    expect(new FaultInjector({}, 1).oneBackupPerServer).toBe(false);
    expect(new FaultInjector({ oneBackupPerServer: true }, 1).oneBackupPerServer).toBe(true);
  });
});
