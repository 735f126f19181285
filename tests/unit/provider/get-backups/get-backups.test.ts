/**
 * getBackups' core reads the list page by page and filters as it goes: the result is the same
 * as filtering the whole list (every page, each backup once, as first seen), newest first.
 */
import { findBackups, findOneBackup } from "../../../../provider/get-backups/get-backups";
import { BackupMatchError } from "../../../../provider/core/errors";
import type { OperationContext } from "../../../../provider/core/operation";
import {
  FAKE_BASE_URL,
  FakeTransport,
  fakeClient,
  json,
  page,
  wireBackup,
} from "../../sdk/fake-transport";

type WireBackup = ReturnType<typeof wireBackup>;

/** A context whose client answers from `fake`. */
function contextOf(fake: FakeTransport): OperationContext {
  return { client: () => fakeClient(fake) };
}

/** Queues `pages` as one list, each page linking to the next. */
function listOf(fake: FakeTransport, pages: WireBackup[][]): FakeTransport {
  const count = pages.reduce((sum, items) => sum + items.length, 0);
  return fake.enqueue(
    ...pages.map((items, index) =>
      json(
        200,
        page(items, {
          count,
          next: index + 1 < pages.length ? `${FAKE_BASE_URL}/backups/?page=${index + 2}` : null,
        }),
      ),
    ),
  );
}

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, "0")}:00Z`;

describe("findBackups over several pages", () => {
  const pages: WireBackup[][] = [
    [
      wireBackup({ id: 30, status: "completed", description: "release 3", createdAt: at(30) }),
      wireBackup({ id: 29, status: "failed", description: "release 2b", createdAt: at(29) }),
      wireBackup({ id: 28, status: "completed", description: "nightly", createdAt: at(28) }),
    ],
    [
      wireBackup({ id: 20, status: "completed", description: "release 2", createdAt: at(50) }),
      wireBackup({ id: 19, status: "completed", description: null, createdAt: at(19) }),
    ],
    [
      wireBackup({ id: 10, status: "completed", description: "release 1", createdAt: at(30) }),
      wireBackup({ id: 9, status: "in_progress", description: "release 0", createdAt: at(9) }),
    ],
  ];

  test.each([
    ["no filter", {}, [20, 30, 10, 29, 28, 19, 9]],
    ["status", { status: "completed" }, [20, 30, 10, 28, 19]],
    ["descriptionRegex", { descriptionRegex: "^release" }, [20, 30, 10, 29, 9]],
    ["both", { status: "completed", descriptionRegex: "^release \\d$" }, [20, 30, 10]],
  ])(
    "%s: matches from every page, newest first (creation time, then id)",
    async (_name, filters, ids) => {
      const fake = listOf(new FakeTransport(), pages);
      const result = await findBackups({ ...filters, serverId: 12345 }, contextOf(fake));
      expect(result.backups.map((backup) => backup.id)).toEqual(ids);
      expect(result.count).toBe(ids.length);
      expect(fake.requests.map((request) => request.url)).toEqual([
        `${FAKE_BASE_URL}/backups/?server_id=12345`,
        `${FAKE_BASE_URL}/backups/?page=2`,
        `${FAKE_BASE_URL}/backups/?page=3`,
      ]);
    },
  );

  test("a backup seen on two pages (the list shifted) counts once, as first seen", async () => {
    const first = wireBackup({ id: 7, status: "in_progress", createdAt: at(7) });
    const fake = listOf(new FakeTransport(), [
      [wireBackup({ id: 8, status: "completed", createdAt: at(8) }), first],
      [
        { ...first, status: "completed" },
        wireBackup({ id: 6, status: "completed", createdAt: at(6) }),
      ],
    ]);
    const all = await findBackups({}, contextOf(fake));
    expect(all.backups.map((backup) => [backup.id, backup.status])).toEqual([
      [8, "completed"],
      [7, "in_progress"],
      [6, "completed"],
    ]);

    const again = listOf(new FakeTransport(), [
      [wireBackup({ id: 8, status: "completed", createdAt: at(8) }), first],
      [{ ...first, status: "completed" }],
    ]);
    expect((await findBackups({ status: "completed" }, contextOf(again))).count).toBe(1);
  });

  test("timestamps of another shape are ordered by the time they mean", async () => {
    const fake = listOf(new FakeTransport(), [
      [wireBackup({ id: 1, createdAt: "2026-03-01T12:00:00+03:00" })],
      [wireBackup({ id: 2, createdAt: "2026-03-01T10:00:00Z" })],
    ]);
    const result = await findBackups({}, contextOf(fake));
    // 12:00+03:00 is 09:00Z: older than backup 2.
    expect(result.backups.map((backup) => backup.id)).toEqual([2, 1]);
  });

  test("getBackup counts matches across pages", async () => {
    const fake = listOf(new FakeTransport(), [
      [wireBackup({ id: 5, status: "completed", createdAt: at(5) })],
      [wireBackup({ id: 4, status: "completed", createdAt: at(4) })],
    ]);
    const error = await findOneBackup({ status: "completed" }, contextOf(fake)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BackupMatchError);
    expect((error as BackupMatchError).matchCount).toBe(2);
  });
});
