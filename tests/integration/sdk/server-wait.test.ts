/**
 * waitForServerActive against the emulator: a restore puts the server in `restoring`, and the
 * wait resolves once the emulator reports it `active` again.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { VpsClient, VpsNotFoundError, VpsTimeoutError } from "../../../sdk";

const TOKEN = `server-wait-${Math.random().toString(36).slice(2, 10)}`;
const SERVER_ID = 7100 + Math.floor(Math.random() * 100);

describe("waitForServerActive against the emulator", () => {
  let emulator: RunningEmulator;
  let client: VpsClient;

  beforeEach(async () => {
    emulator = await startEmulator({
      seed: {
        accounts: [
          {
            id: "server-wait",
            token: TOKEN,
            servers: [{ id: SERVER_ID, name: "restored", disk_gb: 20, backups: [] }],
          },
        ],
      },
      autoBackupIntervalMs: 0,
      timeScale: 0.01,
      // About 2 s of restoring: long enough that the first poll always sees it.
      restoreBaseMs: 200_000,
    });
    client = new VpsClient({ baseUrl: emulator.url, apiToken: TOKEN });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  test("resolves once a restore has finished, after seeing the server restoring", async () => {
    const backup = await client.createBackup({ serverId: SERVER_ID, description: "before" });
    await client.waitForBackup(backup.id, { serverId: SERVER_ID, timeoutMs: 50_000 });
    await client.restoreServer(SERVER_ID, backup.id);
    const seen: string[] = [];
    const server = await client.waitForServerActive(SERVER_ID, {
      timeoutMs: 50_000,
      onProgress: (s) => seen.push(s.status),
    });
    expect(server).toMatchObject({ id: SERVER_ID, status: "active" });
    expect(seen[0]).toBe("restoring");
    expect(seen[seen.length - 1]).toBe("active");
  }, 60_000);

  test("a server that does not exist fails with VpsNotFoundError", async () => {
    await expect(client.waitForServerActive(SERVER_ID + 1_000)).rejects.toBeInstanceOf(
      VpsNotFoundError,
    );
  });

  test("a restore that outlasts timeoutMs fails with VpsTimeoutError at the deadline", async () => {
    const backup = await client.createBackup({ serverId: SERVER_ID });
    await client.waitForBackup(backup.id, { serverId: SERVER_ID, timeoutMs: 50_000 });
    await client.restoreServer(SERVER_ID, backup.id);
    const error = await client
      .waitForServerActive(SERVER_ID, { timeoutMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsTimeoutError);
    expect(error).toMatchObject({ serverId: SERVER_ID, timeoutMs: 1 });
  }, 60_000);
});
