/**
 * Under load (200 concurrent creates and lists) the emulator loses nothing, hands out unique
 * ids and never answers 5xx.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { ApiBackupPageSchema, ApiCreatedBackupSchema } from "../../../sdk/schemas";
import { freshAccount } from "../../support/emulator";
import { api } from "../../support/http";

describe("emulator under load", () => {
  let emulator: RunningEmulator;
  let folder: string;
  let dataFile: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "vps-emulator-load-"));
    dataFile = join(folder, "state.json");
    // Persistence on, so every create also goes through the atomic write.
    emulator = await startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0, dataFile });
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test("200 concurrent creates and lists over 4 accounts: every create kept, ids unique, no 5xx", async () => {
    const accounts = Array.from({ length: 4 }, () => freshAccount(emulator, { diskGb: 10 }));
    const requests = Array.from({ length: 200 }, (_, index) => {
      const account = accounts[index % accounts.length];
      if (!account) throw new Error("no account");
      return Promise.all([
        api(emulator, "/backups/", {
          method: "POST",
          body: { server_id: account.serverId, description: `load ${index}` },
          token: account.token,
        }),
        api(emulator, `/backups/?server_id=${account.serverId}&page_size=500`, {
          token: account.token,
        }),
      ]);
    });
    const answers = await Promise.all(requests);

    const created = answers.map(([create]) => {
      expect(create.status).toBe(201);
      return ApiCreatedBackupSchema.parse(create.json);
    });
    for (const [, list] of answers) {
      expect(list.status).toBe(200);
      ApiBackupPageSchema.parse(list.json);
    }
    expect(new Set(created.map((b) => b.id)).size).toBe(200);
    expect(new Set(created.map((b) => b.description))).toEqual(
      new Set(Array.from({ length: 200 }, (_, i) => `load ${i}`)),
    );

    for (const account of accounts) {
      const page = ApiBackupPageSchema.parse(
        (await api(emulator, `/backups/?page_size=500`, { token: account.token })).json,
      );
      expect(page.count).toBe(50);
      expect(page.results.every((b) => b.server.id === account.serverId)).toBe(true);
    }
    const serverErrors = emulator.requests
      .rows()
      .filter((row) => typeof row.status !== "number" || row.status >= 500);
    expect(serverErrors).toEqual([]);
    expect(emulator.requests.count({ method: "POST", route: "/backups/", status: 201 })).toBe(200);

    // What was persisted holds all 200 as well.
    await emulator.stop();
    emulator = await startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0, dataFile });
    for (const account of accounts) {
      expect(emulator.state.backupsOf(account.accountId)).toHaveLength(50);
    }
    // Hundreds of fsynced writes of the data file: a busy disk makes that slow, not wrong.
  }, 180_000);
});
