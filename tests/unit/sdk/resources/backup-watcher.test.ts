import type { Backup, TransportRequest } from "../../../../sdk";
import {
  VpsAbortError,
  VpsAuthenticationError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsTimeoutError,
} from "../../../../sdk";
import {
  DAY_MS,
  FakeTransport,
  LONG_DURATIONS,
  fakeClient,
  freshId,
  json,
  page,
  text,
  track,
  wireBackup,
} from "../fake-transport";

// A fake platform whose backups advance one step per list request of their server.
function scriptedServer(serverId: number, scripts: Record<number, Array<string | null>>) {
  let tick = 0;
  const fake = new FakeTransport().onRequest((request: TransportRequest) => {
    const url = new URL(request.url);
    if (Number(url.searchParams.get("server_id")) !== serverId) return json(200, page([]));
    const current = tick;
    tick += 1;
    const results = Object.entries(scripts).flatMap(([id, statuses]) => {
      const status = statuses[Math.min(current, statuses.length - 1)];
      return status === null || status === undefined
        ? []
        : [wireBackup({ id: Number(id), serverId, status })];
    });
    return json(200, page(results));
  });
  return fake;
}

describe("waitForBackup", () => {
  afterEach(() => jest.useRealTimers());

  test("resolves when completed, reporting every status seen (unknown ones mean not finished)", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress", "verifying", "completed"] });
    const seen: string[] = [];
    const backup = await fakeClient(fake).waitForBackup(id, {
      serverId: 12345,
      onProgress: (b: Backup) => seen.push(b.status),
    });
    expect(backup).toMatchObject({ id, serverId: 12345, status: "completed", sizeMb: 4523 });
    expect(seen).toEqual(["in_progress", "verifying", "completed"]);
    expect(fake.requests).toHaveLength(3);
    expect(new URL(fake.requests[0]!.url).searchParams.get("server_id")).toBe("12345");
  });

  test("an already completed backup resolves after one request", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["completed"] });
    await expect(fakeClient(fake).waitForBackup(id, { serverId: 12345 })).resolves.toMatchObject({
      id,
    });
    expect(fake.requests).toHaveLength(1);
  });

  test("a failed backup rejects with VpsBackupFailedError naming backup and server", async () => {
    const id = freshId();
    const fake = scriptedServer(777, { [id]: ["in_progress", "failed"] });
    const error = await fakeClient(fake)
      .waitForBackup(id, { serverId: 777 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsBackupFailedError);
    expect(error).toMatchObject({ backupId: id, serverId: 777, lastStatus: "failed" });
    expect((error as Error).message).toContain(`Backup ${id} of server 777 failed`);
  });

  test("a backup that disappears rejects with VpsBackupNotFoundError and its last status", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress", null] });
    const error = await fakeClient(fake)
      .waitForBackup(id, { serverId: 12345 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsBackupNotFoundError);
    expect(error).toMatchObject({ backupId: id, serverId: 12345, lastStatus: "in_progress" });
    expect(fake.requests).toHaveLength(3);
  });

  test("one missing list (a page shift) is not enough to declare it gone", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress", null, "completed"] });
    await expect(fakeClient(fake).waitForBackup(id, { serverId: 12345 })).resolves.toMatchObject({
      id,
      status: "completed",
    });
  });

  test("the deadline rejects with VpsTimeoutError naming the backup and its last status", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress"] });
    jest.useFakeTimers();
    const waiting = fakeClient(fake)
      .waitForBackup(id, { serverId: 12345, timeoutMs: 40 })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(39);
    expect(fake.requests.length).toBeGreaterThan(1);
    await jest.advanceTimersByTimeAsync(1);
    const error = await waiting;
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect(error).toMatchObject({
      backupId: id,
      serverId: 12345,
      lastStatus: "in_progress",
      timeoutMs: 40,
    });
  });

  test("aborting the signal rejects with VpsAbortError", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress"] });
    const controller = new AbortController();
    const waiting = fakeClient(fake).waitForBackup(id, {
      serverId: 12345,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsAbortError);
    expect(error).toMatchObject({ backupId: id, serverId: 12345 });
  });

  test("an already aborted signal rejects before any request", async () => {
    const fake = scriptedServer(12345, {});
    await expect(
      fakeClient(fake).waitForBackup(501, { serverId: 12345, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(VpsAbortError);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.requests).toHaveLength(0);
  });

  test("a transient list failure does not end the wait", async () => {
    const id = freshId();
    const fake = new FakeTransport().enqueue(
      text(503, ""),
      json(200, page([wireBackup({ id, status: "completed" })])),
    );
    const warnings: string[] = [];
    const client = fakeClient(fake, {
      maxRetries: 0,
      logger: { debug: () => undefined, warn: (line) => warnings.push(line) },
    });
    await expect(client.waitForBackup(id, { serverId: 12345 })).resolves.toMatchObject({ id });
    expect(warnings.join("\n")).toMatch(
      /Polling the backups of server 12345 failed, will poll again: 503 Service Unavailable/,
    );
  });

  test("a permanent list failure (401) rejects every waiter at once", async () => {
    const fake = new FakeTransport().onRequest(() => json(401, { detail: "Invalid token." }));
    const client = fakeClient(fake);
    const results = await Promise.allSettled([
      client.waitForBackup(1, { serverId: 9 }),
      client.waitForBackup(2, { serverId: 9 }),
    ]);
    for (const result of results)
      expect(result.status === "rejected" && result.reason).toBeInstanceOf(VpsAuthenticationError);
    expect(fake.requests).toHaveLength(1);
  });

  test("a throwing onProgress does not stop the wait", async () => {
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress", "completed"] });
    const waiting = fakeClient(fake).waitForBackup(id, {
      serverId: 12345,
      onProgress: () => {
        throw new Error("progress bar broke");
      },
    });
    await expect(waiting).resolves.toMatchObject({ id });
  });

  test("the client polls on that schedule", async () => {
    jest.useFakeTimers();
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress"] });
    const client = fakeClient(fake, {
      pollSchedule: undefined,
      deadlineMs: 60_000,
      timeoutMs: 30_000,
    });
    const waiting = client
      .waitForBackup(id, { serverId: 12345, timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(499);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(fake.requests).toHaveLength(7);
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.requests).toHaveLength(7);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.requests).toHaveLength(8);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await waiting).toBeInstanceOf(VpsTimeoutError);
  });
});

describe("coalesced polling", () => {
  test("100 waiters on one server share one list request per tick", async () => {
    const ids = Array.from({ length: 100 }, () => freshId());
    const statuses = ["in_progress", "in_progress", "completed"];
    const fake = scriptedServer(4242, Object.fromEntries(ids.map((id) => [id, statuses])));
    const client = fakeClient(fake);
    const backups = await Promise.all(
      ids.map((id) => client.waitForBackup(id, { serverId: 4242 })),
    );
    expect(backups.map((backup) => backup.id)).toEqual(ids);
    expect(fake.requests).toHaveLength(3);
    expect(client.stats.requests).toBe(3);
  });

  test("waiters finishing at different ticks each resolve from the shared list", async () => {
    const [fast, slow] = [freshId(), freshId()];
    const fake = scriptedServer(4242, {
      [fast]: ["in_progress", "completed"],
      [slow]: ["in_progress", "in_progress", "in_progress", "completed"],
    });
    const client = fakeClient(fake);
    const order: number[] = [];
    await Promise.all(
      [fast, slow].map((id) =>
        client.waitForBackup(id, { serverId: 4242 }).then(() => order.push(id)),
      ),
    );
    expect(order).toEqual([fast, slow]);
    expect(fake.requests).toHaveLength(4);
  });

  test("waiters on two servers poll each server separately", async () => {
    const [a, b] = [freshId(), freshId()];
    const fake = new FakeTransport().onRequest((request) => {
      const serverId = Number(new URL(request.url).searchParams.get("server_id"));
      return json(
        200,
        page([wireBackup({ id: serverId === 1 ? a : b, serverId, status: "completed" })]),
      );
    });
    const client = fakeClient(fake);
    await Promise.all([
      client.waitForBackup(a, { serverId: 1 }),
      client.waitForBackup(b, { serverId: 2 }),
    ]);
    expect(
      fake.requests.map((request) => new URL(request.url).searchParams.get("server_id")).sort(),
    ).toEqual(["1", "2"]);
  });

  test("with coalescePolls: false every waiter polls on its own", async () => {
    const ids = Array.from({ length: 5 }, () => freshId());
    const fake = new FakeTransport().onRequest(() =>
      json(200, page(ids.map((id) => wireBackup({ id, serverId: 4242, status: "completed" })))),
    );
    const client = fakeClient(fake, { coalescePolls: false });
    await Promise.all(ids.map((id) => client.waitForBackup(id, { serverId: 4242 })));
    expect(fake.requests).toHaveLength(5);
  });

  test("a waiter that joins while a list is in flight is not judged by that list", async () => {
    const [early, late] = [freshId(), freshId()];
    let release: (() => void) | undefined;
    let listCalls = 0;
    const fake = new FakeTransport().onRequest(async () => {
      listCalls += 1;
      if (listCalls === 1) {
        await new Promise<void>((resolve) => (release = resolve));
        return json(200, page([wireBackup({ id: early, serverId: 4242, status: "in_progress" })]));
      }
      if (listCalls === 2)
        return json(200, page([wireBackup({ id: early, serverId: 4242, status: "in_progress" })]));
      return json(
        200,
        page([
          wireBackup({ id: early, serverId: 4242, status: "completed" }),
          wireBackup({ id: late, serverId: 4242, status: "completed" }),
        ]),
      );
    });
    const client = fakeClient(fake);
    const first = client.waitForBackup(early, { serverId: 4242 });
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
    const second = client.waitForBackup(late, { serverId: 4242 });
    release();
    // The first list predates `late`; with it counted, `late` would be "gone" after list 2.
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });
});

describe("long waits", () => {
  afterEach(() => jest.useRealTimers());

  test.each(LONG_DURATIONS)(
    "a timeoutMs of %s runs to its deadline instead of ending after 1 ms",
    async (_what, timeoutMs) => {
      jest.useFakeTimers();
      const id = freshId();
      const fake = scriptedServer(12345, { [id]: ["in_progress"] });
      const client = fakeClient(fake, { pollSchedule: () => DAY_MS });
      const waiting = track(client.waitForBackup(id, { serverId: 12345, timeoutMs }));
      await jest.advanceTimersByTimeAsync(5);
      expect(waiting.settled()).toBe(false);
      await jest.advanceTimersByTimeAsync(timeoutMs - 6);
      expect(waiting.settled()).toBe(false);
      expect(fake.requests.length).toBeGreaterThanOrEqual(Math.floor(timeoutMs / DAY_MS));
      await jest.advanceTimersByTimeAsync(1);
      const error = await waiting.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VpsTimeoutError);
      expect(error).toMatchObject({ timeoutMs, lastStatus: "in_progress" });
    },
  );

  test("a poll schedule that asks for more than 24.8 days between polls is honoured", async () => {
    jest.useFakeTimers();
    const id = freshId();
    const fake = scriptedServer(12345, { [id]: ["in_progress", "completed"] });
    const client = fakeClient(fake, { pollSchedule: () => 2 ** 31 });
    const waiting = track(client.waitForBackup(id, { serverId: 12345, timeoutMs: 60 * DAY_MS }));
    await jest.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(fake.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(waiting.result).resolves.toMatchObject({ id, status: "completed" });
    expect(fake.requests).toHaveLength(2);
  });
});
