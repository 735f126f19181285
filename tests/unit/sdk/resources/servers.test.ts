import type { Server } from "../../../../sdk";
import {
  VpsAbortError,
  VpsAuthenticationError,
  VpsBadRequestError,
  VpsConflictError,
  VpsNotFoundError,
  VpsTimeoutError,
} from "../../../../sdk";
import {
  DAY_MS,
  FakeTransport,
  LONG_DURATIONS,
  fail,
  fakeClient,
  json,
  text,
  track,
} from "../fake-transport";

const SERVER_ID = 12345;

describe("restoreServer never repeats a POST blindly", () => {
  const restoreBody = {
    message: "Restore started.",
    server_id: SERVER_ID,
    backup_id: 501,
    status: "restoring",
  };
  const server = (status: string) =>
    json(200, { id: SERVER_ID, name: "web-server-01", status, disk_gb: 80 });

  test("a server already restoring: a conflict, and no POST", async () => {
    const fake = new FakeTransport().enqueue(server("restoring"));
    const error = await fakeClient(fake)
      .restoreServer(SERVER_ID, 501)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsConflictError);
    expect((error as Error).message).toMatch(/already restoring/);
    expect(fake.requestsTo("POST", "/restore/")).toHaveLength(0);
  });

  test("a timeout, then the server is restoring: accepted, one POST", async () => {
    const fake = new FakeTransport().enqueue(server("active"), "hang", server("restoring"));
    const result = await fakeClient(fake, { timeoutMs: 250 }).restoreServer(SERVER_ID, 501);
    expect(result).toEqual({
      serverId: SERVER_ID,
      backupId: 501,
      status: "restoring",
      message: null,
    });
    expect(
      fake.requests.map((request) => `${request.method} ${new URL(request.url).pathname}`),
    ).toEqual([
      "GET /api/v1/servers/12345/",
      "POST /api/v1/servers/12345/restore/",
      "GET /api/v1/servers/12345/",
    ]);
  });

  test("a 502, then the server is active: POSTs again", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      text(502, ""),
      server("active"),
      json(202, restoreBody),
    );
    const result = await fakeClient(fake).restoreServer(SERVER_ID, 501);
    expect(result).toEqual({
      serverId: SERVER_ID,
      backupId: 501,
      status: "restoring",
      message: "Restore started.",
    });
    expect(fake.requestsTo("POST", "/restore/")).toHaveLength(2);
    expect(JSON.parse(fake.requests[3]!.body!)).toEqual({ backup_id: 501 });
  });

  test("a connection reset, then 409 already restoring: the first attempt was accepted", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      fail("ECONNRESET"),
      server("active"),
      json(409, { detail: "This server is already being restored." }),
    );
    const result = await fakeClient(fake).restoreServer(SERVER_ID, 501);
    expect(result).toMatchObject({ serverId: SERVER_ID, backupId: 501, status: "restoring" });
  });

  test("a 409 on the first attempt is a conflict", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      json(409, { detail: "This server is already being restored." }),
    );
    await expect(fakeClient(fake).restoreServer(SERVER_ID, 501)).rejects.toBeInstanceOf(
      VpsConflictError,
    );
    expect(fake.requests).toHaveLength(2);
  });

  test("a 400 (backup not completed) is final", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      json(400, { backup_id: ["Backup 501 is not completed."] }),
    );
    const error = await fakeClient(fake)
      .restoreServer(SERVER_ID, 501)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsBadRequestError);
    expect((error as VpsBadRequestError).fieldErrors).toEqual({
      backup_id: ["Backup 501 is not completed."],
    });
    expect((error as Error).message).toBe(
      "400 Bad Request restoring server 12345 from backup 501: the platform rejected the request: backup_id: Backup 501 is not completed. — fix the argument named",
    );
  });
});

describe("waitForServerActive", () => {
  afterEach(() => jest.useRealTimers());

  const server = (status: string) =>
    json(200, { id: SERVER_ID, name: "web-server-01", status, disk_gb: 80 });
  // A fake platform whose server goes through `statuses`, one per read (the last one stays).
  const serverGoingThrough = (...statuses: string[]) => {
    let reads = 0;
    return new FakeTransport().onRequest(() => {
      const status = statuses[Math.min(reads, statuses.length - 1)]!;
      reads += 1;
      return server(status);
    });
  };

  test("resolves with the server once it is active, reporting every status read (unknown ones mean not yet)", async () => {
    const fake = serverGoingThrough("restoring", "verifying", "active");
    const seen: string[] = [];
    const active = await fakeClient(fake).waitForServerActive(SERVER_ID, {
      onProgress: (s: Server) => seen.push(s.status),
    });
    expect(active).toEqual({ id: SERVER_ID, name: "web-server-01", status: "active", diskGb: 80 });
    expect(seen).toEqual(["restoring", "verifying", "active"]);
    expect(fake.requestsTo("GET", `/servers/${SERVER_ID}/`)).toHaveLength(3);
  });

  test("a server already active resolves after one read", async () => {
    const fake = serverGoingThrough("active");
    await expect(fakeClient(fake).waitForServerActive(SERVER_ID)).resolves.toMatchObject({
      status: "active",
    });
    expect(fake.requests).toHaveLength(1);
  });

  test("polls on the client's schedule, or on the one the call passes", async () => {
    jest.useFakeTimers();
    const fake = serverGoingThrough("restoring");
    const client = fakeClient(fake, { pollSchedule: () => 1_000 });
    const clientSchedule = track(client.waitForServerActive(SERVER_ID, { timeoutMs: 10_000 }));
    await jest.advanceTimersByTimeAsync(2_500);
    expect(fake.requests).toHaveLength(3);
    const callSchedule = track(
      client.waitForServerActive(SERVER_ID, { timeoutMs: 10_000, pollSchedule: () => 4_000 }),
    );
    await jest.advanceTimersByTimeAsync(4_000);
    // 4 more from the first wait (at 3, 4, 5 and 6 s), 2 from the second (at 2.5 and 6.5 s).
    expect(fake.requests).toHaveLength(9);
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(clientSchedule.result).rejects.toBeInstanceOf(VpsTimeoutError);
    await expect(callSchedule.result).rejects.toBeInstanceOf(VpsTimeoutError);
  });

  test("the deadline ends the wait exactly: the last sleep is cut to it, with no poll after", async () => {
    jest.useFakeTimers();
    const fake = serverGoingThrough("restoring");
    const waiting = track(
      fakeClient(fake, { pollSchedule: () => 7_000 }).waitForServerActive(SERVER_ID, {
        timeoutMs: 10_000,
      }),
    );
    await jest.advanceTimersByTimeAsync(9_999);
    expect(waiting.settled()).toBe(false);
    expect(fake.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    const error = await waiting.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect(error).toMatchObject({
      serverId: SERVER_ID,
      lastStatus: "restoring",
      timeoutMs: 10_000,
    });
    expect((error as Error).message).toBe(
      `Timed out after 10 s waiting for server ${SERVER_ID} to become active (its last status was "restoring"). It may still get there: wait longer (raise timeoutMs) or check it later with getServer(${SERVER_ID}).`,
    );
    expect(fake.requests).toHaveLength(2);
  });

  test("a poll still unanswered at the deadline does not hold the wait past it", async () => {
    jest.useFakeTimers();
    const fake = new FakeTransport().enqueue(server("restoring")).onRequest(() => "hang");
    const client = fakeClient(fake, {
      pollSchedule: () => 1_000,
      timeoutMs: 60_000,
      deadlineMs: 120_000,
    });
    const waiting = track(client.waitForServerActive(SERVER_ID, { timeoutMs: 5_000 }));
    await jest.advanceTimersByTimeAsync(4_999);
    expect(waiting.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(waiting.result).rejects.toBeInstanceOf(VpsTimeoutError);
    expect(fake.requests).toHaveLength(2);
  });

  test.each(LONG_DURATIONS)(
    "a timeoutMs of %s runs to its deadline instead of ending after 1 ms",
    async (_what, timeoutMs) => {
      jest.useFakeTimers();
      const fake = serverGoingThrough("restoring");
      const client = fakeClient(fake, { pollSchedule: () => DAY_MS });
      const waiting = track(client.waitForServerActive(SERVER_ID, { timeoutMs }));
      await jest.advanceTimersByTimeAsync(5);
      expect(waiting.settled()).toBe(false);
      await jest.advanceTimersByTimeAsync(timeoutMs - 6);
      expect(waiting.settled()).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const error = await waiting.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VpsTimeoutError);
      expect(error).toMatchObject({ timeoutMs, lastStatus: "restoring" });
      expect(fake.requests).toHaveLength(Math.ceil(timeoutMs / DAY_MS));
    },
  );

  test("aborting the signal during a sleep rejects with VpsAbortError", async () => {
    jest.useFakeTimers();
    const fake = serverGoingThrough("restoring");
    const controller = new AbortController();
    const waiting = track(
      fakeClient(fake, { pollSchedule: () => 1_000 }).waitForServerActive(SERVER_ID, {
        signal: controller.signal,
      }),
    );
    await jest.advanceTimersByTimeAsync(1_500);
    controller.abort();
    const error = await waiting.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsAbortError);
    expect(error).toMatchObject({ serverId: SERVER_ID });
    expect((error as Error).message).toBe(
      `Stopped waiting for server ${SERVER_ID} to become active: the signal was aborted`,
    );
    expect(fake.requests).toHaveLength(2);
  });

  test("aborting the signal during a poll rejects with VpsAbortError", async () => {
    const fake = new FakeTransport().onRequest(() => "hang");
    const controller = new AbortController();
    const waiting = fakeClient(fake).waitForServerActive(SERVER_ID, { signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(VpsAbortError);
  });

  test("an already aborted signal rejects before any request", async () => {
    const fake = serverGoingThrough("restoring");
    await expect(
      fakeClient(fake).waitForServerActive(SERVER_ID, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(VpsAbortError);
    expect(fake.requests).toHaveLength(0);
  });

  test("a server that disappears rejects with VpsNotFoundError naming the wait", async () => {
    const fake = new FakeTransport()
      .enqueue(server("restoring"))
      .onRequest(() => json(404, { detail: "Not found." }));
    const error = await fakeClient(fake)
      .waitForServerActive(SERVER_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsNotFoundError);
    expect(error).toMatchObject({ status: 404, path: `/servers/${SERVER_ID}/` });
    expect((error as Error).message).toMatch(
      /^404 Not Found reading server 12345: .*\(while waiting for server 12345 to become active; its last status was "restoring"\)/,
    );
  });

  test("a transient poll failure does not end the wait", async () => {
    const fake = new FakeTransport().enqueue(text(503, ""), server("active"));
    const warnings: string[] = [];
    const client = fakeClient(fake, {
      maxRetries: 0,
      logger: { debug: () => undefined, warn: (line) => warnings.push(line) },
    });
    await expect(client.waitForServerActive(SERVER_ID)).resolves.toMatchObject({
      status: "active",
    });
    expect(warnings.join("\n")).toMatch(
      /Polling server 12345 failed, will poll again: 503 Service Unavailable/,
    );
  });

  test("a permanent poll failure (401) ends the wait at once", async () => {
    const fake = new FakeTransport().onRequest(() => json(401, { detail: "Invalid token." }));
    await expect(fakeClient(fake).waitForServerActive(SERVER_ID)).rejects.toBeInstanceOf(
      VpsAuthenticationError,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test("a throwing onProgress does not stop the wait", async () => {
    const fake = serverGoingThrough("restoring", "active");
    const waiting = fakeClient(fake).waitForServerActive(SERVER_ID, {
      onProgress: () => {
        throw new Error("progress bar broke");
      },
    });
    await expect(waiting).resolves.toMatchObject({ status: "active" });
  });
});
