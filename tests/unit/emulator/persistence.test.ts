/**
 * The data file on its own: what is saved loads back the same (row by row, including changes
 * made in place), closing leaves only the file, readable by its owner only, a missing file is
 * "no state yet", a file of the first (JSON) format is migrated, and anything else is refused
 * by name.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateSnapshot } from "../../../emulator";
import { migratedJsonPath, openDataFile } from "../../../emulator/persistence";
import { RowMirror } from "../../../emulator/persistence-rows";

const SNAPSHOT: StateSnapshot = {
  version: 1,
  clockOffsetMs: 86_400_000,
  nextBackupId: 503,
  nextServerId: 30_000,
  randomPosition: 12_345,
  accounts: [{ id: "demo-account", token: "YOUR_API_TOKEN" }],
  servers: [
    {
      id: 12345,
      accountId: "demo-account",
      name: "web-server-01",
      diskGb: 80,
      baseStatus: "active",
      restoringUntil: null,
      nextAutomaticBackupAt: null,
    },
  ],
  backups: [
    {
      id: 502,
      serverId: 12345,
      backupType: "manual",
      status: "in_progress",
      sizeMb: null,
      createdAt: 1_736_955_900_000,
      expiresAt: null,
      description: "Pre-deploy",
      finishesAt: 1_736_955_906_000,
      plannedOutcome: "completed",
      plannedSizeMb: 4_500,
    },
  ],
  nextBackupOverrides: { "12345": [{ outcome: "stuck" }] },
};

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "vps-persistence-unit-"));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Opens the file, hands its store to `use`, closes it; returns what was loaded on open. */
function withDataFile(
  file: string,
  use: (store: ReturnType<typeof openDataFile>["store"]) => void = () => undefined,
): StateSnapshot | undefined {
  const { store, initial } = openDataFile(file);
  try {
    use(store);
  } finally {
    store.close();
  }
  return initial;
}

test("what is saved loads back equal, with only the data file left, readable by its owner only", () => {
  const file = join(folder, "state.db");
  expect(withDataFile(file, (store) => store.save(SNAPSHOT))).toBeUndefined();
  expect(withDataFile(file)).toEqual(SNAPSHOT);
  expect(readdirSync(folder)).toEqual(["state.db"]);
  expect(statSync(file).mode & 0o077).toBe(0);
});

test("changes made in place, deletions, additions and a reordering are all written", () => {
  const file = join(folder, "state.db");
  const state = structuredClone(SNAPSHOT);
  const backup = (id: number) => ({ ...SNAPSHOT.backups[0]!, id, status: "completed" });
  withDataFile(file, (store) => {
    store.save(state);
    // In place, as the lifecycle settles a backup: the same object, a changed field.
    state.backups[0]!.status = "completed";
    state.backups.push(backup(503), backup(504), backup(505));
    state.nextBackupId = 506;
    store.save(state);
    state.backups = state.backups.filter((b) => b.id !== 504);
    state.servers[0]!.restoringUntil = 1_736_956_000_000;
    state.nextBackupOverrides = {};
    store.save(state);
  });
  expect(withDataFile(file)).toEqual(state);

  // A reset puts other records in another order: the tables follow, order included.
  const reordered = { ...state, backups: [backup(700), ...state.backups.slice(1), backup(600)] };
  withDataFile(file, (store) => store.save(reordered));
  expect(withDataFile(file)?.backups.map((b) => b.id)).toEqual([700, 503, 505, 600]);
});

test("a file that does not exist yet is no state, not an error", () => {
  expect(withDataFile(join(folder, "missing.db"))).toBeUndefined();
});

test("a data file of the first format (one JSON document) is migrated and kept beside", () => {
  const file = join(folder, "state.json");
  const json = JSON.stringify(SNAPSHOT);
  writeFileSync(file, json);
  expect(withDataFile(file)).toEqual(SNAPSHOT);
  expect(readFileSync(file).subarray(0, 15).toString()).toBe("SQLite format 3");
  expect(readFileSync(migratedJsonPath(file), "utf8")).toBe(json);
  expect(readdirSync(folder).sort()).toEqual(["state.json", "state.json.v1.json"]);
  expect(withDataFile(file)).toEqual(SNAPSHOT);
});

test.each([
  ["not JSON", "{ half", /Cannot read emulator data file .*broken\.json/],
  ["another JSON document", JSON.stringify({ hello: "world" }), /not a version 1 emulator state/],
  ["another version", JSON.stringify({ ...SNAPSHOT, version: 2 }), /not a version 1/],
  ["a version without backups", JSON.stringify({ ...SNAPSHOT, backups: null }), /not a version 1/],
])("%s is refused with the file's path, and left as it was", (_name, text, message) => {
  const file = join(folder, "broken.json");
  writeFileSync(file, text);
  expect(() => openDataFile(file)).toThrow(message);
  expect(() => openDataFile(file)).toThrow(file);
  expect(readFileSync(file, "utf8")).toBe(text);
});

describe("RowMirror", () => {
  const row = (id: number, status = "completed") => ({ id, status });

  test("finds inserted, updated and deleted records, and nothing when nothing changed", () => {
    const mirror = new RowMirror<{ id: number; status: string }>();
    const first = mirror.changes([row(1), row(2)]);
    expect(first).toEqual({
      rewrite: false,
      inserted: [row(1), row(2)],
      updated: [],
      deletedIds: [],
    });
    mirror.accept(first);
    const records = [row(1), row(2, "failed"), row(3)];
    const second = mirror.changes(records);
    expect(second).toEqual({
      rewrite: false,
      inserted: [row(3)],
      updated: [row(2, "failed")],
      deletedIds: [],
    });
    mirror.accept(second);
    expect(RowMirror.isEmpty(mirror.changes(records))).toBe(true);
    // A change in place after the save is seen: the mirror keeps copies, not the records.
    records[0]!.status = "failed";
    expect(mirror.changes(records).updated).toEqual([row(1, "failed")]);
    expect(mirror.changes([row(1), row(3)]).deletedIds).toEqual([2]);
  });

  test("a record moved, or a new one before known ones, rewrites the table in the new order", () => {
    const mirror = new RowMirror<{ id: number; status: string }>();
    mirror.accept(mirror.changes([row(1), row(2)]));
    expect(mirror.changes([row(2), row(1)])).toMatchObject({
      rewrite: true,
      inserted: [row(2), row(1)],
    });
    expect(mirror.changes([row(0), row(1), row(2)]).rewrite).toBe(true);
    expect(mirror.changes([row(1), row(2), row(3)]).rewrite).toBe(false);
  });
});
