/**
 * Every fault the emulator can inject is observable over real HTTP, switchable at start and
 * at run time, and repeatable for the same seed.
 */
import { type FaultConfig, type RunningEmulator, startEmulator } from "../../../emulator";
import { ApiBackupPageSchema, ApiDetailErrorSchema } from "../../../sdk/schemas";
import { freshAccount } from "../../support/emulator";
import { api, control } from "../../support/http";

describe("emulator faults", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 0, autoBackupIntervalMs: 0 });
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(() => {
    emulator.reset();
  });

  const backupCount = () =>
    emulator.state.backupsOf("demo-account").length +
    emulator.state.backupsOf("other-account").length;

  test("added latency: a request cannot beat a short client timeout", async () => {
    emulator.faults.replace({ latencyMs: 5_000 });
    const error = await fetch(`${emulator.url}/servers/`, {
      headers: { Authorization: `Bearer ${emulator.demoToken}` },
      signal: AbortSignal.timeout(100),
    }).catch((caught: Error) => caught);
    expect((error as Error).name).toBe("TimeoutError");
    emulator.faults.replace({});
    expect((await api(emulator, "/servers/")).status).toBe(200);
  });

  test("error rate 1 answers 5xx DRF bodies from the configured statuses, before doing anything", async () => {
    emulator.faults.replace({ errorRate: 1, errorStatuses: [503] });
    const before = backupCount();
    const response = await api(emulator, "/backups/", {
      method: "POST",
      body: { server_id: 12345 },
    });
    expect(response.status).toBe(503);
    ApiDetailErrorSchema.parse(response.json);
    expect(backupCount()).toBe(before);
  });

  test("the error fault can be limited to some methods and paths", async () => {
    emulator.faults.replace({
      errorRate: 1,
      scope: { methods: ["POST"], pathPrefixes: ["/backups/"] },
    });
    expect((await api(emulator, "/backups/")).status).toBe(200);
    expect(
      (await api(emulator, "/servers/12345/restore/", { method: "POST", body: { backup_id: 501 } }))
        .status,
    ).toBe(202);
    const create = await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } });
    expect([500, 502, 503]).toContain(create.status);
  });

  test("a fractional error rate is repeatable for the same seed", async () => {
    const statuses = async () => {
      const run = await startEmulator({
        faults: { errorRate: 0.5 },
        randomSeed: 99,
        autoBackupIntervalMs: 0,
      });
      try {
        const seen: number[] = [];
        for (let i = 0; i < 30; i += 1) seen.push((await api(run, "/servers/")).status);
        return seen;
      } finally {
        await run.stop();
      }
    };
    const first = await statuses();
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(first.filter((s) => s >= 500).length).toBeGreaterThan(5);
    expect(await statuses()).toEqual(first);
  });

  test("a proxy's HTML error page: 502 text/html", async () => {
    emulator.faults.replace({ htmlErrorRate: 1 });
    const response = await api(emulator, "/backups/");
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.text).toContain("502 Bad Gateway");
    expect(response.json).toBeUndefined();
  });

  describe("rate limit (docs/api.md, decision 15)", () => {
    test("a burst passes, the next request is a 429 with Retry-After, every answer has the headers", async () => {
      emulator.faults.replace({ rateLimit: { requestsPerSecond: 0.2, burst: 3 } });
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await api(emulator, "/servers/"));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((a) => a.headers.get("ratelimit-remaining"))).toEqual([
        "2",
        "1",
        "0",
        "0",
      ]);
      for (const answer of answers) expect(answer.headers.get("ratelimit-limit")).toBe("3");
      const limited = answers[3];
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(limited?.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
      expect(ApiDetailErrorSchema.parse(limited?.json).detail).toMatch(/^Request was throttled/);
    });

    test("buckets are per token, and errors carry the headers too", async () => {
      emulator.faults.replace({ rateLimit: { requestsPerSecond: 0.2, burst: 1 } });
      expect((await api(emulator, "/servers/")).status).toBe(200);
      expect((await api(emulator, "/servers/")).status).toBe(429);
      const other = await api(emulator, "/servers/", { token: "OTHER_ACCOUNT_TOKEN" });
      expect(other.status).toBe(200);
      const notFound = await api(emulator, "/nothing/", { token: "fresh-token" });
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get("ratelimit-limit")).toBe("1");
    });

    test("without a rate limit there are no rate limit headers", async () => {
      const response = await api(emulator, "/servers/");
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    });
  });

  test("commit then drop: the create happens, the client gets no answer", async () => {
    emulator.faults.replace({ dropAfterCommitRate: 1 });
    const before = backupCount();
    const error = await api(emulator, "/backups/", {
      method: "POST",
      body: { server_id: 12345 },
    }).catch((caught: Error) => caught);
    // fetch failed: the socket was closed (errors come from another realm: compare names)
    expect((error as Error).name).toBe("TypeError");
    expect(backupCount()).toBe(before + 1);
    expect(emulator.requests.count({ method: "POST", route: "/backups/", status: "dropped" })).toBe(
      1,
    );
    // Reads are never dropped.
    expect((await api(emulator, "/backups/")).status).toBe(200);
  });

  test("commit then drop applies to restores too", async () => {
    emulator.faults.replace({ dropAfterCommitRate: 1 });
    // Restores that last for days, so the restore is still visible afterwards.
    emulator.state.options.timeScale = 1;
    emulator.state.options.restoreBaseMs = 1e12;
    try {
      const error = await api(emulator, "/servers/12345/restore/", {
        method: "POST",
        body: { backup_id: 501 },
      }).catch((caught: Error) => caught);
      expect((error as Error).name).toBe("TypeError");
      emulator.faults.replace({});
      const server = await api(emulator, "/servers/12345/");
      expect((server.json as { status: string }).status).toBe("restoring");
    } finally {
      emulator.state.options.restoreBaseMs = 3000;
      emulator.state.options.timeScale = 0;
    }
  });

  test("malformed JSON: the status is kept, the body does not parse", async () => {
    emulator.faults.replace({ malformedJsonRate: 1 });
    const response = await api(emulator, "/backups/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.text.length).toBeGreaterThan(0);
    expect(response.json).toBeUndefined();
  });

  test("a trickled body arrives in many small chunks, complete", async () => {
    emulator.faults.replace({ trickleRate: 1, trickleBytes: 64, trickleIntervalMs: 2 });
    const response = await fetch(`${emulator.url}/backups/`, {
      headers: { Authorization: `Bearer ${emulator.demoToken}` },
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const text = Buffer.concat(chunks).toString();
    expect(chunks.length).toBeGreaterThan(5);
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    expect(ApiBackupPageSchema.parse(JSON.parse(text)).count).toBe(3);
  });

  test("an oversized body is valid JSON of the configured size", async () => {
    emulator.faults.replace({ oversizedBodyRate: 1, oversizedBodyBytes: 2 * 1024 * 1024 });
    const response = await api(emulator, "/backups/");
    expect(response.status).toBe(200);
    expect(response.text.length).toBeGreaterThanOrEqual(2 * 1024 * 1024 - 100);
    expect(ApiBackupPageSchema.parse(response.json).count).toBe(3);
  });

  test("hang: no answer ever, nothing committed, counted as hung", async () => {
    emulator.faults.replace({ hangRate: 1 });
    const before = backupCount();
    const error = await fetch(`${emulator.url}/backups/`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${emulator.demoToken}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ server_id: 12345 }),
      signal: AbortSignal.timeout(200),
    }).catch((caught: Error) => caught);
    expect((error as Error).name).toBe("TimeoutError");
    expect(backupCount()).toBe(before);
    expect(emulator.requests.count({ method: "POST", route: "/backups/", status: "hung" })).toBe(1);
  });

  test("faults never touch the control endpoint", async () => {
    emulator.faults.replace({
      errorRate: 1,
      hangRate: 1,
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
    });
    for (let i = 0; i < 3; i += 1) expect((await control(emulator, "/inventory")).status).toBe(200);
  });

  describe("faults over the control endpoint", () => {
    test("PUT replaces, PATCH merges, GET reads, DELETE clears", async () => {
      const put = await control(emulator, "/faults", {
        method: "PUT",
        body: { latencyMs: 1, errorRate: 0 },
      });
      expect(put.status).toBe(200);
      expect(put.json).toEqual({ latencyMs: 1, errorRate: 0 });
      const patched = await control(emulator, "/faults", {
        method: "PATCH",
        body: { rateLimit: { requestsPerSecond: 5, burst: 10 } },
      });
      expect(patched.json).toEqual({
        latencyMs: 1,
        errorRate: 0,
        rateLimit: { requestsPerSecond: 5, burst: 10 },
      });
      expect((await control(emulator, "/faults")).json).toEqual(patched.json);
      expect((await api(emulator, "/servers/")).headers.get("ratelimit-limit")).toBe("10");
      const cleared = await control(emulator, "/faults", { method: "DELETE" });
      expect([cleared.status, cleared.json]).toEqual([200, {}]);
      expect((await control(emulator, "/faults")).json).toEqual({});
    });

    test.each<[string, unknown]>([
      ["a rate over 1", { errorRate: 2 }],
      ["an unknown fault", { explode: true }],
      ["a negative latency", { latencyMs: -5 }],
      ["a 4xx error status", { errorStatuses: [404] }],
    ])("%s is a 400 and changes nothing", async (_name, body) => {
      const response = await control(emulator, "/faults", { method: "PATCH", body });
      expect(response.status).toBe(400);
      expect(emulator.faults.current).toEqual({});
    });
  });

  test("faults given at start are active from the first request, and reset() brings them back", async () => {
    const startFaults: FaultConfig = {
      errorRate: 1,
      errorStatuses: [500],
      scope: { methods: ["DELETE"] },
    };
    const run = await startEmulator({ faults: startFaults, autoBackupIntervalMs: 0 });
    try {
      expect((await api(run, "/backups/501/", { method: "DELETE" })).status).toBe(500);
      run.faults.replace({});
      expect((await api(run, "/backups/501/", { method: "DELETE" })).status).toBe(204);
      run.reset();
      expect(run.faults.current).toEqual(startFaults);
    } finally {
      await run.stop();
    }
  });

  test("a fresh account is unaffected by another token's exhausted bucket", async () => {
    const { token } = freshAccount(emulator);
    emulator.faults.replace({ rateLimit: { requestsPerSecond: 0.1, burst: 1 } });
    await api(emulator, "/servers/");
    expect((await api(emulator, "/servers/")).status).toBe(429);
    expect((await api(emulator, "/servers/", { token })).status).toBe(200);
  });
});
