import { randomBytes } from "node:crypto";
import type { TransportRequest } from "../../../../sdk";
import {
  VpsBadRequestError,
  VpsConflictError,
  VpsNotFoundError,
  VpsServerError,
  VpsTimeoutError,
} from "../../../../sdk";
import {
  FAKE_BASE_URL,
  FakeTransport,
  type FakeReply,
  fail,
  fakeClient,
  freshId,
  json,
  page,
  text,
  wireBackup,
} from "../fake-transport";

const SERVER_ID = 12345;

// A tiny fake platform: POST /backups/ commits a backup, then answers with `afterCommit`
// (the reply a flaky network turns into an ambiguous outcome); GET /backups/ lists them.
function fakePlatform(afterCommit: Array<FakeReply | "created">) {
  const backups: Array<ReturnType<typeof wireBackup>> = [];
  const fake = new FakeTransport();
  let postIndex = 0;
  fake.onRequest((request: TransportRequest) => {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname.endsWith("/backups/")) {
      const body = JSON.parse(request.body ?? "{}") as { server_id: number; description?: string };
      const reply = afterCommit[postIndex] ?? "created";
      postIndex += 1;
      if (
        reply !== "created" &&
        typeof reply === "object" &&
        "status" in reply &&
        reply.status >= 400 &&
        reply.status < 500
      )
        return reply;
      if (
        reply !== "created" &&
        typeof reply === "object" &&
        "fail" in reply &&
        reply.fail === "ECONNREFUSED"
      )
        return reply;
      const backup = wireBackup({
        id: freshId(),
        serverId: body.server_id,
        description: body.description ?? null,
        status: "in_progress",
      });
      backups.unshift(backup);
      return reply === "created"
        ? json(201, { ...backup, message: "Backup is being created." })
        : reply;
    }
    if (request.method === "GET" && url.pathname.endsWith("/backups/")) {
      const serverId = Number(url.searchParams.get("server_id"));
      return json(
        200,
        page(backups.filter((backup) => !serverId || backup.server.id === serverId)),
      );
    }
    throw new Error(`unexpected ${request.method} ${request.url}`);
  });
  return { fake, backups };
}

const description = () => `pre-deploy ${randomBytes(4).toString("hex")}`;

describe("createBackup never repeats a POST blindly", () => {
  const ambiguous: Array<[string, FakeReply]> = [
    ["a per-attempt timeout", "hang"],
    ["a connection reset", fail("ECONNRESET", "socket hang up")],
    ["a 502", text(502, "<html>bad gateway</html>")],
    ["a 500", json(500, { detail: "Server error." })],
    ["a malformed 201", json(201, { id: "not-a-number" })],
    ["a 201 that is not JSON", text(201, "<html>ok</html>")],
  ];

  test.each(ambiguous)(
    "after %s that committed, it adopts the backup and POSTs once",
    async (_what, reply) => {
      const { fake, backups } = fakePlatform([reply]);
      const client = fakeClient(fake, { timeoutMs: 250 });
      const wanted = description();
      const created = await client.createBackup({ serverId: SERVER_ID, description: wanted });
      expect(fake.requestsTo("POST", "/backups/")).toHaveLength(1);
      expect(created.id).toBe(backups[0]!.id);
      expect(created).toMatchObject({ serverId: SERVER_ID, description: wanted, message: null });
      expect(client.stats.adoptedBackups).toBe(1);
      const listing = fake.requestsTo("GET", "/backups/")[0]!;
      expect(new URL(listing.url).searchParams.get("server_id")).toBe(String(SERVER_ID));
    },
  );

  test("when the ambiguous attempt created nothing, it POSTs again", async () => {
    const fake = new FakeTransport()
      .enqueue(fail("ECONNRESET", "socket hang up"), json(200, page([])))
      .onRequest(() =>
        json(201, {
          ...wireBackup({ id: 900, serverId: SERVER_ID }),
          message: "Backup is being created.",
        }),
      );
    const client = fakeClient(fake);
    const created = await client.createBackup({ serverId: SERVER_ID });
    expect(created.id).toBe(900);
    expect(fake.requests.map((request) => request.method)).toEqual(["POST", "GET", "POST"]);
    expect(client.stats.adoptedBackups).toBe(0);
  });

  test("a backup this client already knows is never adopted", async () => {
    const wanted = description();
    const { fake, backups } = fakePlatform(["created", "hang"]);
    const client = fakeClient(fake, { timeoutMs: 250 });
    const first = await client.createBackup({ serverId: SERVER_ID, description: wanted });
    // The second POST hangs after committing; the list then shows both: the known first one
    // and the new one; only the new one may be adopted.
    const second = await client.createBackup({ serverId: SERVER_ID, description: wanted });
    expect(second.id).not.toBe(first.id);
    expect(second.id).toBe(backups[0]!.id);
    expect(fake.requestsTo("POST", "/backups/")).toHaveLength(2);
  });

  test("a known backup alone is not adopted: the client POSTs again", async () => {
    const wanted = description();
    const known = wireBackup({ id: 700, serverId: SERVER_ID, description: wanted });
    const fake = new FakeTransport()
      .enqueue(json(201, { ...known, message: "ok" }), fail("ECONNRESET"), json(200, page([known])))
      .onRequest(() =>
        json(201, {
          ...wireBackup({ id: 701, serverId: SERVER_ID, description: wanted }),
          message: "ok",
        }),
      );
    const client = fakeClient(fake);
    await client.createBackup({ serverId: SERVER_ID, description: wanted });
    const second = await client.createBackup({ serverId: SERVER_ID, description: wanted });
    expect(second.id).toBe(701);
    expect(fake.requests.map((request) => request.method)).toEqual(["POST", "POST", "GET", "POST"]);
  });

  const rejected: Array<[string, Partial<Parameters<typeof wireBackup>[0]>]> = [
    ["another description", { description: "someone else's" }],
    ["status failed", { status: "failed" }],
    [
      "created long before the call",
      { createdAt: new Date(Date.now() - 10 * 60_000).toISOString() },
    ],
    ["another server", { serverId: SERVER_ID + 1 }],
  ];
  test.each(rejected)("a candidate with %s is not adopted", async (_what, overrides) => {
    const wanted = description();
    const candidate = wireBackup({
      id: 800,
      serverId: SERVER_ID,
      description: wanted,
      ...overrides,
    });
    const fake = new FakeTransport()
      .enqueue(text(503, ""), json(200, page([candidate])))
      .onRequest(() =>
        json(201, {
          ...wireBackup({ id: 801, serverId: SERVER_ID, description: wanted }),
          message: "ok",
        }),
      );
    const created = await fakeClient(fake).createBackup({
      serverId: SERVER_ID,
      description: wanted,
    });
    expect(created.id).toBe(801);
  });

  test("a candidate stamped slightly before the call (clock skew) is adopted", async () => {
    const wanted = description();
    const candidate = wireBackup({
      id: 802,
      serverId: SERVER_ID,
      description: wanted,
      createdAt: new Date(Date.now() - 30_000).toISOString(),
    });
    const fake = new FakeTransport().enqueue(text(504, ""), json(200, page([candidate])));
    const created = await fakeClient(fake).createBackup({
      serverId: SERVER_ID,
      description: wanted,
    });
    expect(created.id).toBe(802);
    expect(fake.requestsTo("POST", "/backups/")).toHaveLength(1);
  });

  test("a backup without a description matches a create without one", async () => {
    const candidate = wireBackup({ id: 803, serverId: SERVER_ID, description: null });
    const fake = new FakeTransport().enqueue(fail("ECONNRESET"), json(200, page([candidate])));
    const created = await fakeClient(fake).createBackup({ serverId: SERVER_ID });
    expect(created.id).toBe(803);
    expect(JSON.parse(fake.requests[0]!.body!)).toEqual({ server_id: SERVER_ID });
  });

  test("two concurrent ambiguous creates adopt two different backups", async () => {
    const wanted = description();
    const { fake, backups } = fakePlatform([
      json(500, { detail: "Boom." }),
      json(500, { detail: "Boom." }),
    ]);
    const client = fakeClient(fake);
    const [a, b] = await Promise.all([
      client.createBackup({ serverId: SERVER_ID, description: wanted }),
      client.createBackup({ serverId: SERVER_ID, description: wanted }),
    ]);
    expect(new Set([a.id, b.id])).toEqual(new Set(backups.map((backup) => backup.id)));
    expect(fake.requestsTo("POST", "/backups/")).toHaveLength(2);
  });

  test("a lost answer never adopts a backup whose own answer is still on its way", async () => {
    const wanted = description();
    const made: Array<ReturnType<typeof wireBackup>> = [];
    let releaseSlowAnswer: (() => void) | undefined;
    let posts = 0;
    const fake = new FakeTransport().onRequest(async (request) => {
      if (request.method === "GET") return json(200, page([...made].reverse()));
      posts += 1;
      const backup = wireBackup({ id: freshId(), serverId: SERVER_ID, description: wanted });
      made.push(backup);
      if (posts === 1) {
        // Committed first, answered last: the oldest candidate belongs to the slow caller.
        await new Promise<void>((resolve) => (releaseSlowAnswer = resolve));
        return json(201, { ...backup, message: "ok" });
      }
      return fail("ECONNRESET", "socket hang up");
    });
    const client = fakeClient(fake);
    const slow = client.createBackup({ serverId: SERVER_ID, description: wanted });
    while (!releaseSlowAnswer) await new Promise((resolve) => setTimeout(resolve, 1));
    const lost = client.createBackup({ serverId: SERVER_ID, description: wanted });
    // Let the lost answer's look-up start waiting, then deliver the slow answer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.requestsTo("GET", "/backups/")).toHaveLength(0);
    releaseSlowAnswer();
    const [slowResult, lostResult] = await Promise.all([slow, lost]);
    expect(slowResult.id).toBe(made[0]!.id);
    expect(lostResult.id).toBe(made[1]!.id);
    expect(posts).toBe(2);
  });

  const clean: Array<[string, FakeReply]> = [
    ["a 429", json(429, { detail: "Throttled." }, { "retry-after": "0" })],
    ["a refused connection", fail("ECONNREFUSED")],
  ];
  test.each(clean)(
    "after %s (nothing was sent or done) it POSTs again without looking",
    async (_what, reply) => {
      const fake = new FakeTransport()
        .enqueue(reply)
        .onRequest(() =>
          json(201, { ...wireBackup({ id: 950, serverId: SERVER_ID }), message: "ok" }),
        );
      const created = await fakeClient(fake).createBackup({ serverId: SERVER_ID });
      expect(created.id).toBe(950);
      expect(fake.requests.map((request) => request.method)).toEqual(["POST", "POST"]);
    },
  );

  const final: Array<[string, FakeReply, new (...args: never[]) => Error]> = [
    ["400", json(400, { server_id: ["A valid integer is required."] }), VpsBadRequestError],
    ["404", json(404, { detail: "Not found." }), VpsNotFoundError],
    [
      "409",
      json(409, { detail: "A backup of this server is already in progress." }),
      VpsConflictError,
    ],
  ];
  test.each(final)("a %s is final: one POST, no listing", async (_what, reply, errorClass) => {
    const fake = new FakeTransport().enqueue(reply);
    await expect(fakeClient(fake).createBackup({ serverId: SERVER_ID })).rejects.toBeInstanceOf(
      errorClass,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test("when checking the list fails too, the error says a backup may exist", async () => {
    const fake = new FakeTransport()
      .enqueue(text(502, ""))
      .onRequest(() => json(401, { detail: "Token revoked." }));
    const error = await fakeClient(fake)
      .createBackup({ serverId: SERVER_ID })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsServerError);
    expect((error as Error).message).toMatch(
      /^502 Bad Gateway creating a backup of server 12345: .*; then checking whether it was applied failed too \(401 Unauthorized listing backups of server 12345: .*\) — a backup may have been created anyway: look for it with listBackups\(\{ serverId: 12345 \}\) before trying again$/,
    );
    expect(fake.requestsTo("POST", "/backups/")).toHaveLength(1);
  });

  test("when retries run out after ambiguous attempts, the error says a backup may exist", async () => {
    const fake = new FakeTransport().onRequest((request) =>
      request.method === "POST" ? text(503, "") : json(200, page([])),
    );
    const error = await fakeClient(fake, { maxRetries: 2 })
      .createBackup({ serverId: SERVER_ID })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsServerError);
    expect((error as Error).message).toMatch(
      /\(gave up after 2 retries; a backup may have been created anyway: look for it with listBackups/,
    );
    expect(fake.requests.map((request) => request.method)).toEqual([
      "POST",
      "GET",
      "POST",
      "GET",
      "POST",
    ]);
  });

  test("a deadline during an ambiguous create says a backup may exist", async () => {
    const fake = new FakeTransport().onRequest(() => "hang");
    const error = await fakeClient(fake, { timeoutMs: 10_000 })
      .createBackup({ serverId: SERVER_ID }, { deadlineMs: 40 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect((error as Error).message).toMatch(
      /^Timed out creating a backup of server 12345: the deadline of 40 ms passed\. Note: a backup may have been created anyway/,
    );
  });
});

const completedBackups = (n: number, serverId = 12345) =>
  Array.from({ length: n }, () => wireBackup({ serverId, status: "completed" }));

describe("findBackup", () => {
  test("stops at the page that holds the backup", async () => {
    const [p1, p2] = [completedBackups(2), completedBackups(2)];
    const target = p2[1]!;
    const fake = new FakeTransport().enqueue(
      json(200, page(p1, { count: 6, next: `${FAKE_BASE_URL}/backups/?page=2&server_id=12345` })),
      json(200, page(p2, { count: 6, next: `${FAKE_BASE_URL}/backups/?page=3&server_id=12345` })),
    );
    const found = await fakeClient(fake).findBackup(target.id, { serverId: 12345 });
    expect(found).toMatchObject({ id: target.id, serverId: 12345, status: "completed" });
    expect(fake.requests).toHaveLength(2);
    expect(new URL(fake.requests[0]!.url).searchParams.get("server_id")).toBe("12345");
  });

  test("returns undefined when no page holds it", async () => {
    const fake = new FakeTransport().enqueue(json(200, page(completedBackups(3))));
    expect(await fakeClient(fake).findBackup(1)).toBeUndefined();
    expect(new URL(fake.requests[0]!.url).search).toBe("");
  });
});
