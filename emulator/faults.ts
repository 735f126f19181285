/**
 * Fault injection: the ways a real platform (and the proxies in front of it) misbehave, each
 * switchable at start and at run time, drawn from a seeded generator so tests repeat exactly.
 * Faults apply to the API under /api/v1 only, never to the control endpoint.
 */
import { z } from "zod";
import { SeededRandom } from "./seeded-random";

const Rate = z.number().min(0).max(1);

/** Which requests the probabilistic faults apply to. */
const FaultScopeSchema = z.strictObject({
  /** HTTP methods (upper case); default every method. */
  methods: z.array(z.string().min(1).toUpperCase()).optional(),
  /** Path prefixes relative to /api/v1 (e.g. "/backups/"); default every path. */
  pathPrefixes: z.array(z.string().min(1)).optional(),
});

/** The fault settings (every field optional; all off by default). Units in the names. */
export const FaultConfigSchema = z.strictObject({
  /** Added delay before each answer, ms. */
  latencyMs: z.number().min(0).optional(),
  /** Extra random delay on top of latencyMs, uniformly 0..latencyJitterMs ms. */
  latencyJitterMs: z.number().min(0).optional(),
  /** Fraction of requests answered with a 5xx DRF-style body before doing anything. */
  errorRate: Rate.optional(),
  /** Statuses the error fault picks from. Default [500, 502, 503]. */
  errorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
  /** Fraction of requests answered 502 with an HTML page, as a proxy in front would. */
  htmlErrorRate: Rate.optional(),
  /** Token bucket per API token: `requestsPerSecond` refill, `burst` capacity. */
  rateLimit: z
    .strictObject({ requestsPerSecond: z.number().positive(), burst: z.number().int().positive() })
    .nullable()
    .optional(),
  /** Fraction of creates and restores whose effect is committed, then the connection dropped. */
  dropAfterCommitRate: Rate.optional(),
  /** Fraction of JSON answers cut in half (status kept, body unparseable). */
  malformedJsonRate: Rate.optional(),
  /** Fraction of answers sent slowly, `trickleBytes` bytes every `trickleIntervalMs` ms. */
  trickleRate: Rate.optional(),
  trickleBytes: z.number().int().positive().optional(),
  trickleIntervalMs: z.number().min(0).optional(),
  /** Fraction of JSON answers padded to `oversizedBodyBytes` (a valid JSON, just huge). */
  oversizedBodyRate: Rate.optional(),
  /** Size of an oversized answer, bytes. Default 12 MiB (over the client's 10 MiB cap). */
  oversizedBodyBytes: z.number().int().positive().optional(),
  /** Refuse a second backup of a server while one runs: 409 (docs/api.md, decision 12). */
  oneBackupPerServer: z.boolean().optional(),
  /** Fraction of requests never answered (nothing is committed; the socket stays open). */
  hangRate: Rate.optional(),
  /** Which requests the probabilistic faults above apply to (not the rate limit). */
  scope: FaultScopeSchema.optional(),
});
/** Fault settings; see {@link FaultConfigSchema} and the README, "Faults". */
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

/** What the injector decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  hang: boolean;
  errorStatus: number | null;
  htmlError: boolean;
  dropAfterCommit: boolean;
  malformedJson: boolean;
  trickle: { bytes: number; intervalMs: number } | null;
  oversizedBytes: number | null;
}

/** The answer of the rate limiter for one request. */
export interface RateLimitOutcome {
  limited: boolean;
  /** Headers to put on the answer, whatever it is (docs/api.md, decision 15). */
  headers: Record<string, string>;
  /** Seconds until a request would pass (set when limited). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Holds the fault settings, the rate limit buckets and the seeded generator. */
export class FaultInjector {
  private config: FaultConfig = {};
  private readonly random: SeededRandom;
  private readonly buckets = new Map<string, Bucket>();

  /** @param randomSeed seed of the fault generator (separate from the lifecycle's). */
  constructor(initial: FaultConfig, randomSeed: number) {
    this.random = new SeededRandom(randomSeed ^ 0x5bd1e995);
    this.replace(initial);
  }

  /** The current settings. */
  get current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Replaces every setting (validated; throws a ZodError on a bad value). */
  replace(next: unknown): FaultConfig {
    this.config = FaultConfigSchema.parse(next);
    this.buckets.clear();
    return this.current;
  }

  /** Changes the given settings, keeps the others. */
  merge(patch: unknown): FaultConfig {
    return this.replace({ ...this.config, ...FaultConfigSchema.parse(patch) });
  }

  /** True when the emulator must refuse a second concurrent backup of a server. */
  get oneBackupPerServer(): boolean {
    return this.config.oneBackupPerServer === true;
  }

  /**
   * Takes one token from the caller's bucket. `key` identifies the caller (a token digest),
   * `nowMs` is real time: rate limits follow the wall clock, not the virtual one.
   */
  rateLimit(key: string, nowMs: number): RateLimitOutcome | null {
    const limit = this.config.rateLimit;
    if (!limit) return null;
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedAt: nowMs };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((nowMs - bucket.updatedAt) / 1000) * limit.requestsPerSecond,
    );
    bucket.updatedAt = nowMs;
    this.buckets.set(key, bucket);
    const limited = bucket.tokens < 1;
    if (!limited) bucket.tokens -= 1;
    const secondsUntilFull = Math.ceil((limit.burst - bucket.tokens) / limit.requestsPerSecond);
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
    return {
      limited,
      retryAfterSeconds,
      headers: {
        "RateLimit-Limit": String(limit.burst),
        "RateLimit-Remaining": String(Math.max(0, Math.floor(bucket.tokens))),
        "RateLimit-Reset": String(limited ? retryAfterSeconds : secondsUntilFull),
      },
    };
  }

  /** Draws the faults of one API request. `path` is relative to /api/v1. */
  decide(method: string, path: string, isCommittingRequest: boolean): FaultDecision {
    const c = this.config;
    const decision: FaultDecision = {
      latencyMs: 0,
      hang: false,
      errorStatus: null,
      htmlError: false,
      dropAfterCommit: false,
      malformedJson: false,
      trickle: null,
      oversizedBytes: null,
    };
    const scope = c.scope;
    const inScope =
      (!scope?.methods || scope.methods.includes(method.toUpperCase())) &&
      (!scope?.pathPrefixes || scope.pathPrefixes.some((prefix) => path.startsWith(prefix)));
    if (!inScope) return decision;
    decision.latencyMs =
      (c.latencyMs ?? 0) + (c.latencyJitterMs ? this.random.next() * c.latencyJitterMs : 0);
    decision.hang = this.random.chance(c.hangRate ?? 0);
    if (this.random.chance(c.errorRate ?? 0)) {
      decision.errorStatus = this.random.pick(c.errorStatuses ?? [500, 502, 503]);
    }
    decision.htmlError = this.random.chance(c.htmlErrorRate ?? 0);
    decision.dropAfterCommit =
      isCommittingRequest && this.random.chance(c.dropAfterCommitRate ?? 0);
    decision.malformedJson = this.random.chance(c.malformedJsonRate ?? 0);
    if (this.random.chance(c.trickleRate ?? 0)) {
      decision.trickle = { bytes: c.trickleBytes ?? 16, intervalMs: c.trickleIntervalMs ?? 50 };
    }
    if (this.random.chance(c.oversizedBodyRate ?? 0)) {
      decision.oversizedBytes = c.oversizedBodyBytes ?? 12 * 1024 * 1024;
    }
    return decision;
  }
}
