/**
 * Several clients on one token (ten pipelines' provider processes, each with its own client)
 * against a rate-limited platform: only the platform's answers tell each client of the others.
 * Found by the pipelines benchmark: when each client paced as if the quota were its own, 35 of
 * 200 creates from ten `pulumi up`s gave up on 429s.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { VpsClient } from "../../../sdk";

const TOKEN = `shared-${Math.random().toString(36).slice(2, 10)}`;
const CLIENTS = 5;
const SERVERS_PER_CLIENT = 2;
const CREATES_PER_CLIENT = 40;

describe("clients of different processes sharing one account's rate limit", () => {
  let emulator: RunningEmulator;

  beforeEach(async () => {
    const servers = Array.from({ length: CLIENTS * SERVERS_PER_CLIENT }, (_, i) => ({
      id: 6000 + i,
      name: `shared-${i}`,
      disk_gb: 20 + i * 10,
      backups: [],
    }));
    emulator = await startEmulator({
      seed: { accounts: [{ id: "shared", token: TOKEN, servers }] },
      autoBackupIntervalMs: 0,
      timeScale: 0.05,
      faults: { rateLimit: { requestsPerSecond: 50, burst: 10 } },
    });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it("five clients' concurrent creates and waits on one token: none fails, none is made twice", async () => {
    const clients = Array.from(
      { length: CLIENTS },
      () => new VpsClient({ baseUrl: emulator.url, apiToken: TOKEN }),
    );
    const outcomes = await Promise.allSettled(
      clients.flatMap((client, c) =>
        Array.from({ length: CREATES_PER_CLIENT }, async (_, i) => {
          const serverId = 6000 + c * SERVERS_PER_CLIENT + (i % SERVERS_PER_CLIENT);
          const backup = await client.createBackup({ serverId, description: `shared ${c}-${i}` });
          return client.waitForBackup(backup.id, { serverId, timeoutMs: 120_000 });
        }),
      ),
    );
    const failures = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(failures).toEqual([]);
    expect(emulator.requests.count({ method: "POST", status: 201 })).toBe(
      CLIENTS * CREATES_PER_CLIENT,
    );
  }, 120_000);
});
