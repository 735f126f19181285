/**
 * The data file on its own: what is written reads back the same, the write leaves no
 * temporary file, a missing file is "no state yet", and anything else is refused by name.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateSnapshot } from "../../../emulator";
import { loadSnapshot, saveSnapshot } from "../../../emulator/persistence";

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

test("what is saved loads back equal, with only the data file left, readable by its owner only", () => {
  const file = join(folder, "state.json");
  saveSnapshot(file, SNAPSHOT);
  expect(loadSnapshot(file)).toEqual(SNAPSHOT);
  saveSnapshot(file, { ...SNAPSHOT, nextBackupId: 504 });
  expect(loadSnapshot(file)?.nextBackupId).toBe(504);
  expect(readdirSync(folder)).toEqual(["state.json"]);
  expect(statSync(file).mode & 0o077).toBe(0);
});

test("a file that does not exist yet is no state, not an error", () => {
  expect(loadSnapshot(join(folder, "missing.json"))).toBeUndefined();
});

test.each([
  ["not JSON", "{ half", /Cannot read emulator data file .*broken\.json/],
  ["another JSON document", JSON.stringify({ hello: "world" }), /not a version 1 emulator state/],
  ["another version", JSON.stringify({ ...SNAPSHOT, version: 2 }), /not a version 1/],
  ["a version without backups", JSON.stringify({ ...SNAPSHOT, backups: null }), /not a version 1/],
])("%s is refused with the file's path", (_name, text, message) => {
  const file = join(folder, "broken.json");
  writeFileSync(file, text);
  expect(() => loadSnapshot(file)).toThrow(message);
  expect(() => loadSnapshot(file)).toThrow(file);
});
