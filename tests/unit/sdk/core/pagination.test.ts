import { VpsResponseValidationError } from "../../../../sdk";
import {
  FAKE_BASE_URL,
  FakeTransport,
  fakeClient,
  json,
  page,
  wireBackup,
} from "../fake-transport";

const backups = (n: number, serverId = 12345) =>
  Array.from({ length: n }, () => wireBackup({ serverId, status: "completed" }));

describe("pagination", () => {
  test("follows next through several pages; iterBackups yields one array per page", async () => {
    const [p1, p2, p3] = [backups(2), backups(2), backups(1)];
    const fake = new FakeTransport().enqueue(
      json(200, page(p1, { count: 5, next: `${FAKE_BASE_URL}/backups/?page=2&server_id=12345` })),
      json(
        200,
        page(p2, {
          count: 5,
          next: `${FAKE_BASE_URL}/backups/?page=3&server_id=12345`,
          previous: `${FAKE_BASE_URL}/backups/?server_id=12345`,
        }),
      ),
      json(200, page(p3, { count: 5, next: null })),
    );
    const pages: number[][] = [];
    for await (const items of fakeClient(fake).iterBackups({ serverId: 12345 }))
      pages.push(items.map((backup) => backup.id));
    expect(pages).toEqual([p1.map((b) => b.id), p2.map((b) => b.id), p3.map((b) => b.id)]);
    expect(fake.requests.map((request) => request.url)).toEqual([
      `${FAKE_BASE_URL}/backups/?server_id=12345`,
      `${FAKE_BASE_URL}/backups/?page=2&server_id=12345`,
      `${FAKE_BASE_URL}/backups/?page=3&server_id=12345`,
    ]);
  });

  test("listBackups returns every page's backups, each once", async () => {
    const [p1, p2] = [backups(3), backups(2)];
    // The list shifted between the two requests: the last backup of page 1 shows again on page 2.
    const fake = new FakeTransport().enqueue(
      json(200, page(p1, { count: 5, next: `${FAKE_BASE_URL}/backups/?page=2` })),
      json(200, page([p1[2], ...p2], { count: 6, next: null })),
    );
    const ids = (await fakeClient(fake).listBackups()).map((backup) => backup.id);
    expect(ids).toEqual([...p1, ...p2].map((backup) => backup.id).sort((a, b) => b - a));
  });

  test("listBackups returns newest first (descending id), whatever order the pages came in", async () => {
    const ids = [501, 499, 520, 495, 530, 12];
    const fake = new FakeTransport().enqueue(
      json(
        200,
        page(
          ids.slice(0, 3).map((id) => wireBackup({ id })),
          { count: 6, next: `${FAKE_BASE_URL}/backups/?page=2` },
        ),
      ),
      json(
        200,
        page(
          ids.slice(3).map((id) => wireBackup({ id })),
          { count: 6, next: null },
        ),
      ),
    );
    const listed = (await fakeClient(fake).listBackups()).map((backup) => backup.id);
    expect(listed).toEqual([530, 520, 501, 499, 495, 12]);
  });

  test("without next or previous keys, a page holding all of count is the only page", async () => {
    const items = backups(3);
    const fake = new FakeTransport().enqueue(json(200, { count: 3, results: items }));
    expect(await fakeClient(fake).listBackups()).toHaveLength(3);
    expect(fake.requests).toHaveLength(1);
  });

  test("without next keys but count above what was seen, it asks page=N+1 with the same filters", async () => {
    const [p1, p2, p3] = [backups(2), backups(2), backups(1)];
    const fake = new FakeTransport().enqueue(
      json(200, { count: 5, results: p1 }),
      json(200, { count: 5, results: p2 }),
      json(200, { count: 5, results: p3 }),
    );
    const client = fakeClient(fake, { pageSize: 2 });
    expect(await client.listBackups({ serverId: 12345, backupType: "Manual" })).toHaveLength(5);
    expect(fake.requests.map((request) => new URL(request.url).search)).toEqual([
      "?server_id=12345&backup_type=manual&page_size=2",
      "?server_id=12345&backup_type=manual&page_size=2&page=2",
      "?server_id=12345&backup_type=manual&page_size=2&page=3",
    ]);
  });

  test("page-number paging stops at an empty page even if count promised more", async () => {
    const fake = new FakeTransport().enqueue(
      json(200, { count: 9, results: backups(2) }),
      json(200, { count: 9, results: [] }),
    );
    expect(await fakeClient(fake).listBackups()).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  test("next: null ends the walk even if count says more", async () => {
    const fake = new FakeTransport().enqueue(
      json(200, page(backups(2), { count: 10, next: null })),
    );
    expect(await fakeClient(fake).listBackups()).toHaveLength(2);
    expect(fake.requests).toHaveLength(1);
  });

  test("a next URL already visited ends the walk instead of looping", async () => {
    const loop = `${FAKE_BASE_URL}/backups/?page=2`;
    const fake = new FakeTransport().enqueue(
      json(200, page(backups(1), { count: 9, next: loop })),
      json(200, page(backups(1), { count: 9, next: loop })),
    );
    expect(await fakeClient(fake).listBackups()).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  test("a relative next resolves against the current page", async () => {
    const fake = new FakeTransport().enqueue(
      json(200, page(backups(1), { count: 2, next: "?page=2" })),
      json(200, page(backups(1), { count: 2 })),
    );
    await fakeClient(fake).listBackups();
    expect(fake.requests[1]!.url).toBe(`${FAKE_BASE_URL}/backups/?page=2`);
  });

  test.each([
    ["another host", "https://evil.example.test/api/v1/backups/?page=2"],
    ["another port", "https://api.example.test:8443/api/v1/backups/?page=2"],
    ["plain http", "http://api.example.test/api/v1/backups/?page=2"],
  ])("a next on %s is refused and never requested", async (_what, next) => {
    const fake = new FakeTransport().enqueue(json(200, page(backups(1), { count: 2, next })));
    const error = await fakeClient(fake)
      .listBackups()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsResponseValidationError);
    expect((error as Error).message).toMatch(
      /^Refused to follow the next page while listing backups: the next page is on another origin .* The API token is only ever sent to https:\/\/api\.example\.test/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test("listServers follows pages too", async () => {
    const server = (id: number) => ({ id, name: `web-${id}`, status: "active", disk_gb: 20 });
    const fake = new FakeTransport().enqueue(
      json(
        200,
        page([server(3), server(2)], { count: 3, next: `${FAKE_BASE_URL}/servers/?page=2` }),
      ),
      json(200, page([server(1)], { count: 3, next: null })),
    );
    expect((await fakeClient(fake).listServers()).map((s) => [s.id, s.diskGb])).toEqual([
      [3, 20],
      [2, 20],
      [1, 20],
    ]);
  });
});
