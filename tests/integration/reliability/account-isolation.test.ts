/**
 * Reliability 14 — account isolation.
 *
 * Inject: account B's token used against account A's servers and backups, through every
 * client method. Must hold: a 404 every time for a named object (delete, restore, read a
 * server, create on a server), an empty list when filtering a list by A's server (docs/api.md, decision 3:
 * "a well-formed id of a server the caller cannot see gives an empty list", existence not
 * revealed either way), and A's inventory unchanged, byte for byte. Figure: answers by status.
 */
import type { RunningEmulator } from "../../../emulator";
import { VpsBackupNotFoundError, VpsNotFoundError } from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { freshAccount, startFastEmulator } from "../../support/emulator";
import { fastClient } from "../../support/client";

describe("reliability 14: one account's token against another account's objects", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    resetFigures("14-account-isolation");
    emulator = await startFastEmulator({ randomSeed: 1414 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("every call is a 404 (or an empty list), and nothing of A changes", async () => {
    const owner = freshAccount(emulator, { servers: 2 });
    const intruder = freshAccount(emulator);
    const ownerClient = fastClient(emulator.url, owner.token);
    const [serverA = 0, serverA2 = 0] = owner.serverIds;
    const intruderServer = intruder.serverIds[0] ?? 0;
    const completed = await ownerClient.createBackup({
      serverId: serverA,
      description: "owner's completed",
    });
    emulator.state.finishBackup(completed.id, "completed");
    emulator.state.queueNextBackup(serverA2, { outcome: "stuck" });
    const running = await ownerClient.createBackup({
      serverId: serverA2,
      description: "owner's running",
    });
    const intruderBackup = await fastClient(emulator.url, intruder.token).createBackup({
      serverId: intruderServer,
    });
    emulator.state.finishBackup(intruderBackup.id, "completed");

    const ownerBefore = JSON.stringify(
      emulator.state.inventory().accounts.find((account) => account.id === owner.accountId),
    );
    emulator.requests.clear();
    const client = fastClient(emulator.url, intruder.token);
    const attempts: {
      name: string;
      call: () => Promise<unknown>;
      expect: "404" | "empty" | "gone";
    }[] = [
      {
        name: "listBackups({ serverId: A })",
        call: () => client.listBackups({ serverId: serverA }),
        expect: "empty",
      },
      {
        name: "findBackup(A's backup)",
        call: () => client.findBackup(completed.id, { serverId: serverA }),
        expect: "empty",
      },
      {
        name: "findBackup(A's backup, no server)",
        call: () => client.findBackup(completed.id),
        expect: "empty",
      },
      {
        name: "deleteBackup(A's completed)",
        call: () => client.deleteBackup(completed.id),
        expect: "404",
      },
      {
        name: "deleteBackup(A's running)",
        call: () => client.deleteBackup(running.id),
        expect: "404",
      },
      {
        name: "restoreServer(A, A's backup)",
        call: () => client.restoreServer(serverA, completed.id),
        expect: "404",
      },
      {
        name: "restoreServer(own server, A's backup)",
        call: () => client.restoreServer(intruderServer, completed.id),
        expect: "404",
      },
      {
        name: "restoreServer(A, own backup)",
        call: () => client.restoreServer(serverA, intruderBackup.id),
        expect: "404",
      },
      { name: "getServer(A)", call: () => client.getServer(serverA), expect: "404" },
      {
        name: "createBackup(A)",
        call: () => client.createBackup({ serverId: serverA }),
        expect: "404",
      },
      {
        name: "waitForBackup(A's running)",
        call: () => client.waitForBackup(running.id, { serverId: serverA2, timeoutMs: 2_000 }),
        expect: "gone",
      },
    ];
    const outcomes: Record<string, string> = {};
    for (const attempt of attempts) {
      const result = await attempt.call().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      outcomes[attempt.name] =
        "error" in result ? (result.error as Error).name : JSON.stringify(result.value ?? null);
      if (attempt.expect === "404") {
        expect(["error", attempt.name, (result as { error?: unknown }).error]).toEqual([
          "error",
          attempt.name,
          expect.any(VpsNotFoundError),
        ]);
      } else if (attempt.expect === "gone") {
        expect((result as { error?: unknown }).error).toBeInstanceOf(VpsBackupNotFoundError);
      } else {
        expect([attempt.name, (result as { value?: unknown }).value ?? []]).toEqual([
          attempt.name,
          [],
        ]);
      }
    }
    const listedServers = await client.listServers();
    expect(listedServers.map((server) => server.id)).toEqual([intruderServer]);

    const ownerAfter = JSON.stringify(
      emulator.state.inventory().accounts.find((account) => account.id === owner.accountId),
    );
    const statuses = Object.fromEntries(
      emulator.requests
        .rows()
        .map((row) => [`${row.method} ${row.route} ${row.status}`, row.count]),
    );
    recordFigure("14-account-isolation", "intruder's calls", {
      outcomes,
      answers: statuses,
      ownerInventoryChanged: ownerAfter !== ownerBefore,
    });
    expect(ownerAfter).toBe(ownerBefore);
    // No answer ever said 403 (which would reveal that the object exists).
    expect(emulator.requests.count({ status: 403 })).toBe(0);
  });
});
