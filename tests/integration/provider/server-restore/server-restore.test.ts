/**
 * The ServerRestore provider and the restoreServer function against the real emulator.
 */
import { ResourceInitializationError } from "../../../../provider/core/errors";
import { restoreServer } from "../../../../provider/dynamic/restore-server";
import { interruptOperations, serverRestore, sharedClient } from "../../../../provider/runtime";
import { type ProviderFixture, emulatedBackup, startProviderFixture } from "../provider-fixtures";

// Real work (an emulator, waits for backups and restores): a budget that fits a loaded machine.
jest.setTimeout(60_000);

let fixture: ProviderFixture;
const RESTORE_ROUTE = "/servers/{serverId}/restore/";
/** The longest any wait of this file may take: waits end by themselves within a test's budget. */
const WAIT_TIMEOUT_MS = 30_000;

beforeAll(async () => {
  fixture = await startProviderFixture();
});

// Ends every resource wait a failed test left behind (a passed test leaves none).
afterEach(() => {
  interruptOperations("test ended");
});

afterAll(async () => {
  await fixture?.stop();
});

function client() {
  return sharedClient({ apiUrl: fixture.emulator.url, apiToken: fixture.token });
}

/** A completed backup of the server, made through the client. */
async function completedBackupOf(serverId: number): Promise<number> {
  const created = await client().createBackup({ serverId, description: "restore point" });
  await client().waitForBackup(created.id, { serverId, timeoutMs: WAIT_TIMEOUT_MS });
  return created.id;
}

function serverStatus(serverId: number): string {
  fixture.emulator.state.tick();
  const server = fixture.emulator.state.serverById(serverId);
  if (!server) throw new Error(`no server ${serverId}`);
  return fixture.emulator.state.serverStatus(server);
}

function restoreRequests(): number {
  return fixture.emulator.requests.count({ method: "POST", route: RESTORE_ROUTE });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("ServerRestore provider", () => {
  it("restores on create and waits until the server is active again", async () => {
    const serverId = fixture.serverIds[0]!;
    const backupId = await completedBackupOf(serverId);
    const before = restoreRequests();

    const created = await serverRestore.create({ serverId, backupId });
    expect(restoreRequests()).toBe(before + 1);
    expect(created.id).toMatch(new RegExp(`^restore-${serverId}-`));
    expect(created.outs).toMatchObject({ serverId, backupId, status: "active" });
    expect(Date.parse(created.outs.restoredAt)).not.toBeNaN();
    expect(serverStatus(serverId)).toBe("active");
  });

  it("returns while the server is still restoring when waitForCompletion is false", async () => {
    const serverId = fixture.serverIds[1]!;
    const backupId = await completedBackupOf(serverId);
    const created = await serverRestore.create({ serverId, backupId, waitForCompletion: false });
    expect(created.outs).toMatchObject({ status: "restoring" });
  });

  it("restores again only when backupId or triggers change; other changes update with no API call", async () => {
    const serverId = fixture.serverIds[2]!;
    const firstBackup = await completedBackupOf(serverId);
    const secondBackup = await completedBackupOf(serverId);
    const created = await serverRestore.create({
      serverId,
      backupId: firstBackup,
      triggers: ["a"],
    });
    let state = created.outs as Record<string, unknown>;

    const cases: [Record<string, unknown>, boolean][] = [
      [{ serverId, backupId: firstBackup, triggers: ["a"], timeout: "1h" }, false],
      [{ serverId, backupId: secondBackup, triggers: ["a"], timeout: "1h" }, true],
      [{ serverId, backupId: secondBackup, triggers: ["b"], timeout: "1h" }, true],
      [
        {
          serverId,
          backupId: secondBackup,
          triggers: ["b"],
          timeout: "1h",
          waitForCompletion: true,
        },
        false,
      ],
    ];
    for (const [news, restores] of cases) {
      const diff = await serverRestore.diff(created.id, state, news);
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      const requestsBefore = fixture.emulator.requests.count();
      const restoresBefore = restoreRequests();
      const updated = await serverRestore.update!(created.id, state, news);
      expect(restoreRequests() - restoresBefore).toBe(restores ? 1 : 0);
      if (!restores) expect(fixture.emulator.requests.count()).toBe(requestsBefore);
      expect(updated.outs).toMatchObject(news);
      state = updated.outs as Record<string, unknown>;
    }
    const unchanged = await serverRestore.diff(created.id, state, cases[3]![0]);
    expect(unchanged).toMatchObject({ changes: false, replaces: [] });
  });

  it("replaces the resource when serverId changes", async () => {
    const diff = await serverRestore.diff(
      "restore-1",
      { serverId: fixture.serverIds[0]!, backupId: 1, status: "active" },
      { serverId: fixture.serverIds[1]!, backupId: 1 },
    );
    expect(diff).toMatchObject({ changes: true, replaces: ["serverId"] });
  });

  it.each([
    ["a backup of another server", () => fixture.foreignBackupId, "has no backup"],
    [
      "a backup that is still in progress",
      async () => {
        fixture.emulator.state.queueNextBackup(fixture.serverIds[3]!, { outcome: "stuck" });
        return (await client().createBackup({ serverId: fixture.serverIds[3]! })).id;
      },
      "only a completed backup can be restored",
    ],
  ])("refuses %s before requesting anything", async (_name, backupIdOf, words) => {
    const serverId = fixture.serverIds[3]!;
    const backupId = await backupIdOf();
    const before = restoreRequests();
    const error = await rejectionOf(serverRestore.create({ serverId, backupId }));
    expect(error).not.toBeInstanceOf(ResourceInitializationError);
    expect(error.message).toContain(`cannot restore server ${serverId} from backup ${backupId}`);
    expect(error.message).toContain(words);
    expect(restoreRequests()).toBe(before);
  });

  it("records a restore whose wait ran out (the error carries the id), so it is not requested again", async () => {
    const serverId = fixture.serverIds[4]!;
    const backupId = await completedBackupOf(serverId);
    const error = await rejectionOf(serverRestore.create({ serverId, backupId, timeout: "5ms" }));
    expect(error).toBeInstanceOf(ResourceInitializationError);
    const partial = error as ResourceInitializationError;
    expect(partial.id).toMatch(new RegExp(`^restore-${serverId}-`));
    expect(partial.message).toContain("will not be requested again");
    expect(partial.properties).toMatchObject({ serverId, backupId, status: "restoring" });

    const restoresBefore = restoreRequests();
    const updated = await serverRestore.update!(partial.id, partial.properties, {
      serverId,
      backupId,
      timeout: "1m",
    });
    expect(restoreRequests()).toBe(restoresBefore);
    expect(updated.outs).toMatchObject({ timeout: "1m" });
  });

  it("refreshes the server's status, and drops the record of a server that no longer exists", async () => {
    const serverId = fixture.serverIds[0]!;
    const read = await serverRestore.read("restore-x", {
      serverId,
      backupId: 1,
      status: "restoring",
      restoredAt: "t",
    });
    expect(read).toMatchObject({ id: "restore-x", props: { status: "active", restoredAt: "t" } });
    await expect(
      serverRestore.read("restore-y", { serverId: 99_999_999, backupId: 1 }),
    ).resolves.toEqual({});
  });
});

describe("restoreServer function", () => {
  // The credentials, and a timeout that ends the function's waits within the test's budget.
  const credentials = () => ({
    apiUrl: fixture.emulator.url,
    apiToken: fixture.token,
    timeout: `${WAIT_TIMEOUT_MS}ms`,
  });

  it("takes a safety backup first, restores, and waits until the server is active", async () => {
    const serverId = fixture.serverIds[1]!;
    const backupId = await completedBackupOf(serverId);
    const result = await restoreServer({ serverId, backupId, backupFirst: true, ...credentials() });
    expect(result).toMatchObject({ performed: true, serverId, backupId, status: "active" });
    expect(result.safetyBackupId).not.toBeNull();
    expect(emulatedBackup(fixture.emulator, result.safetyBackupId!)?.status).toBe("completed");
    expect(emulatedBackup(fixture.emulator, result.safetyBackupId!)?.description).toContain(
      `before restoring backup ${backupId}`,
    );
    expect(serverStatus(serverId)).toBe("active");
  });

  it("does not restore when the safety backup fails", async () => {
    const serverId = fixture.serverIds[2]!;
    const backupId = await completedBackupOf(serverId);
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "failed" });
    const before = restoreRequests();
    const error = await rejectionOf(
      restoreServer({ serverId, backupId, backupFirst: true, ...credentials() }),
    );
    expect(error.name).toBe("VpsBackupFailedError");
    expect(restoreRequests()).toBe(before);
  });

  it("refuses a backup of another server before calling the API", async () => {
    const serverId = fixture.serverIds[1]!;
    const before = restoreRequests();
    const error = await rejectionOf(
      restoreServer({ serverId, backupId: fixture.foreignBackupId, ...credentials() }),
    );
    expect(error.name).toBe("VpsInvalidArgumentError");
    expect(error.message).toContain(`server ${serverId} has no backup ${fixture.foreignBackupId}`);
    expect(restoreRequests()).toBe(before);
  });
});
