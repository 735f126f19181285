/**
 * Seeds on their own: the demo seed is the page's sample moved to "now", seed documents are
 * validated with their bad fields named, and a seed becomes the starting state exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_LIFECYCLE_OPTIONS,
  DEMO_TOKEN,
  OTHER_ACCOUNT_TOKEN,
  type SeedDocument,
  SeedDocumentSchema,
  addOneMonth,
  demoSeed,
  loadSeedFile,
} from "../../../emulator";
import { snapshotFromSeed } from "../../../emulator/seed";

const NOW = Date.UTC(2025, 0, 16, 15, 45, 0);
const HOUR_MS = 60 * 60 * 1000;
const options = DEFAULT_LIFECYCLE_OPTIONS;

describe("the demo seed", () => {
  const snapshot = snapshotFromSeed(demoSeed(), NOW, options, 1);

  test("is the page's sample: backups 501, 499, 495 of web-server-01, at the sample's ages", () => {
    const web = snapshot.backups.filter((backup) => backup.serverId === 12345);
    expect(web.map((backup) => backup.id)).toEqual([501, 499, 495]);
    const byId = new Map(web.map((backup) => [backup.id, backup]));
    expect(byId.get(501)).toMatchObject({
      backupType: "automatic",
      status: "completed",
      sizeMb: 4523,
      createdAt: NOW - 12.75 * HOUR_MS,
      expiresAt: addOneMonth(NOW - 12.75 * HOUR_MS),
    });
    expect(byId.get(499)).toMatchObject({
      backupType: "manual",
      expiresAt: null,
      createdAt: NOW - (2 * 24 + 5.25) * HOUR_MS,
      description: "Pre-update backup",
    });
    expect(byId.get(495)?.createdAt).toBe(NOW - 36.75 * HOUR_MS);
  });

  test("has the demo and the other account, new ids after the largest, and a fresh clock", () => {
    expect(snapshot.accounts).toEqual([
      { id: "demo-account", token: DEMO_TOKEN },
      { id: "other-account", token: OTHER_ACCOUNT_TOKEN },
    ]);
    expect(snapshot.servers.map((server) => [server.id, server.diskGb])).toEqual([
      [12345, 80],
      [12346, 160],
      [22222, 40],
    ]);
    expect(snapshot.nextBackupId).toBe(502);
    expect(snapshot.nextServerId).toBe(30_000);
    expect(snapshot.clockOffsetMs).toBe(0);
    expect(snapshot.nextBackupOverrides).toEqual({});
  });

  test("is the same for the same random seed", () => {
    expect(snapshotFromSeed(demoSeed(), NOW, options, 1)).toEqual(snapshot);
  });
});

describe("seed documents", () => {
  const seed = (servers: unknown[]): SeedDocument =>
    ({ accounts: [{ id: "acct", token: "t", servers }] }) as SeedDocument;

  test("defaults: disk 80 GB, active, completed backups get a size, in-progress ones start now", () => {
    const snapshot = snapshotFromSeed(
      seed([
        {
          id: 7,
          name: "s",
          backups: [
            { id: 1, backup_type: "manual" },
            { id: 2, backup_type: "manual", status: "in_progress", created_ago: "1m" },
            { id: 3, backup_type: "automatic", created_at: "2025-01-10T00:00:00Z" },
            { id: 4, backup_type: "manual", status: "failed", size_mb: null },
          ],
        },
      ]),
      NOW,
      options,
      1,
    );
    expect(snapshot.servers[0]).toMatchObject({ diskGb: 80, baseStatus: "active" });
    const [completed, running, automatic, failed] = snapshot.backups;
    expect(completed).toMatchObject({ status: "completed", createdAt: NOW, finishesAt: null });
    expect(completed?.sizeMb).toBeGreaterThan(0);
    expect(running).toMatchObject({
      status: "in_progress",
      sizeMb: null,
      createdAt: NOW - 60_000,
      finishesAt: NOW + options.backupBaseMs + options.backupPerGbMs * 80,
    });
    expect(automatic?.expiresAt).toBe(addOneMonth(Date.parse("2025-01-10T00:00:00Z")));
    expect(failed).toMatchObject({ status: "failed", sizeMb: null });
  });

  test.each<[string, SeedDocument, RegExp]>([
    [
      "two accounts with one token",
      {
        accounts: [
          { id: "a", token: "same" },
          { id: "b", token: "same" },
        ],
      },
      /two accounts share a token/,
    ],
    [
      "an account twice",
      {
        accounts: [
          { id: "a", token: "1" },
          { id: "a", token: "2" },
        ],
      },
      /account a appears twice/,
    ],
    [
      "a server twice",
      {
        accounts: [
          { id: "a", token: "1", servers: [{ id: 5, name: "x" }] },
          { id: "b", token: "2", servers: [{ id: 5, name: "y" }] },
        ],
      },
      /server 5 appears twice/,
    ],
    [
      "a backup twice",
      seed([
        {
          id: 5,
          name: "x",
          backups: [
            { id: 9, backup_type: "manual" },
            { id: 9, backup_type: "manual" },
          ],
        },
      ]),
      /backup 9 appears twice/,
    ],
    [
      "an unknown backup type",
      seed([{ id: 5, name: "x", backups: [{ id: 9, backup_type: "weekly" }] }]),
      /backup_type/,
    ],
    [
      "a bad age",
      seed([
        { id: 5, name: "x", backups: [{ id: 9, backup_type: "manual", created_ago: "3 days" }] },
      ]),
      /created_ago/,
    ],
    ["an unknown field", seed([{ id: 5, name: "x", colour: "red" }]), /colour/],
  ])("%s is refused", (_name, document, message) => {
    expect(() => snapshotFromSeed(document, NOW, options, 1)).toThrow(message);
  });

  test("the schema accepts the demo seed and refuses a missing accounts list", () => {
    expect(SeedDocumentSchema.safeParse(demoSeed()).success).toBe(true);
    expect(SeedDocumentSchema.safeParse({}).success).toBe(false);
  });

  test("a seed file is read and validated, its path named in every error", () => {
    const folder = mkdtempSync(join(tmpdir(), "vps-seed-unit-"));
    try {
      const good = join(folder, "good.json");
      writeFileSync(good, JSON.stringify(demoSeed()));
      expect(loadSeedFile(good)).toEqual(demoSeed());
      const broken = join(folder, "broken.json");
      writeFileSync(broken, "{");
      expect(() => loadSeedFile(broken)).toThrow(`Cannot read seed file ${broken}`);
      const invalid = join(folder, "invalid.json");
      writeFileSync(invalid, JSON.stringify({ accounts: [{ id: "", token: "t" }] }));
      expect(() => loadSeedFile(invalid)).toThrow(`Invalid seed file ${invalid}`);
      expect(() => loadSeedFile(join(folder, "missing.json"))).toThrow(/missing\.json/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
