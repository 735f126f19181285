/**
 * The ServerBackup provider against the real emulator: the methods the engine calls, in the
 * order it calls them.
 */
import { ResourceInitializationError } from "../../../../provider/core/errors";
import { serverBackup } from "../../../../provider/runtime";
import { interruptOperations, sharedClient } from "../../../../provider/runtime";
import {
  type ProviderFixture,
  configureStack,
  emulatedBackup,
  startProviderFixture,
} from "../provider-fixtures";

// Real work (an emulator, many requests): a budget that fits a loaded machine, per test and hook.
jest.setTimeout(60_000);

/**
 * How long a create in this file may wait for a backup that never completes: the waits end by
 * themselves well within a test's budget, should a test fail before it finishes the backup.
 */
const STUCK_CREATE_TIMEOUT = "30s";

let fixture: ProviderFixture;

beforeAll(async () => {
  fixture = await startProviderFixture();
});

// Ends every wait a failed test left behind (a passed test leaves none).
afterEach(() => {
  interruptOperations("test ended");
});

afterAll(async () => {
  await fixture?.stop();
});

/** create → the state the engine would record (outputs), as the engine passes them back later. */
async function createBackup(inputs: Record<string, unknown>) {
  const checked = await serverBackup.check({}, inputs);
  expect(checked.failures).toEqual([]);
  const created = await serverBackup.create(checked.inputs as Record<string, unknown>);
  return { id: created.id, outs: created.outs as Record<string, unknown> };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("create, read, delete", () => {
  it("creates a backup, waits until it is completed, and records every output", async () => {
    const serverId = fixture.serverIds[1]!;
    const { id, outs } = await createBackup({
      serverId,
      description: "Pre-deployment backup",
      triggers: ["v1"],
    });

    expect(Number(id)).toBeGreaterThan(0);
    expect(outs).toMatchObject({
      backupId: Number(id),
      serverId,
      description: "Pre-deployment backup",
      triggers: ["v1"],
      backupType: "manual",
      status: "completed",
      expiresAt: null,
    });
    expect(outs.serverName).toMatch(/^web-/);
    expect(typeof outs.sizeMb).toBe("number");
    expect(typeof outs.createdAt).toBe("string");
    expect(emulatedBackup(fixture.emulator, Number(id))?.status).toBe("completed");
  });

  it("reads the current state, then deletes the backup; a second delete is still a success", async () => {
    const serverId = fixture.serverIds[1]!;
    const { id, outs } = await createBackup({ serverId });

    const read = await serverBackup.read(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ backupId: Number(id), status: "completed", serverId });

    await serverBackup.delete(id, outs);
    expect(emulatedBackup(fixture.emulator, Number(id))).toBeUndefined();
    await expect(serverBackup.delete(id, outs)).resolves.toBeUndefined();
  });

  it("never records the stack token in the outputs", async () => {
    const { outs } = await createBackup({ serverId: fixture.serverIds[1]! });
    expect(JSON.stringify(outs)).not.toContain(fixture.token);
  });
});

describe("drift (refresh)", () => {
  it("reads a backup deleted outside Pulumi as gone (blank id)", async () => {
    const { id, outs } = await createBackup({ serverId: fixture.serverIds[2]! });
    fixture.emulator.state.deleteOutOfBand(Number(id));
    await expect(serverBackup.read(id, outs)).resolves.toEqual({});
  });

  it("reads an adopted automatic backup as gone once the platform's clock passes its expiry", async () => {
    const serverId = fixture.serverIds[0]!;
    const { id, outs } = await createBackup({
      serverId,
      adoptBackupId: fixture.seededAutomaticBackupId,
    });
    expect(outs).toMatchObject({ backupType: "automatic", status: "completed" });
    expect(outs.expiresAt).not.toBeNull();

    const read = await serverBackup.read(id, outs);
    expect(read.id).toBe(id);

    fixture.emulator.advanceClock(32 * 24 * 60 * 60 * 1000);
    await expect(serverBackup.read(id, outs)).resolves.toEqual({});
  });

  it("picks up a status change made on the platform", async () => {
    const { id, outs } = await createBackup({ serverId: fixture.serverIds[2]! });
    fixture.emulator.state.patchBackup(Number(id), { status: "archived" });
    const read = await serverBackup.read(id, outs);
    expect(read.props).toMatchObject({ status: "archived" });
  });
});

describe("replacement", () => {
  // The engine's order for a replacement (create-before-delete): diff says replace, the new
  // resource is created, then the old one is deleted.
  it.each([
    ["serverId", (serverIds: number[]) => ({ serverId: serverIds[4]! })],
    ["description", () => ({ description: "after the change" })],
    ["triggers", () => ({ triggers: ["v2"] })],
  ])(
    "replaces the backup when %s changes: the new one exists, the old one is gone",
    async (name, change) => {
      const before = { serverId: fixture.serverIds[3]!, description: "before", triggers: ["v1"] };
      const old = await createBackup(before);
      const after = { ...before, ...change(fixture.serverIds) };

      const diff = await serverBackup.diff(old.id, old.outs, after);
      expect(diff).toMatchObject({ changes: true, replaces: [name], deleteBeforeReplace: false });

      const replacement = await createBackup(after);
      await serverBackup.delete(old.id, old.outs);
      expect(emulatedBackup(fixture.emulator, Number(old.id))).toBeUndefined();
      expect(emulatedBackup(fixture.emulator, Number(replacement.id))?.status).toBe("completed");
      expect(replacement.outs).toMatchObject(after);
    },
  );

  it("replaces a made backup by an adopted one when adoptBackupId is set", async () => {
    const serverId = fixture.serverIds[3]!;
    const old = await createBackup({ serverId });
    const kept = await createBackup({ serverId, description: "made elsewhere" });
    const after = { serverId, adoptBackupId: Number(kept.id) };

    const diff = await serverBackup.diff(old.id, old.outs, after);
    expect(diff.replaces).toEqual(["adoptBackupId"]);
    const replacement = await createBackup(after);
    expect(replacement.id).toBe(kept.id);
    expect(replacement.outs).toMatchObject({ adoptBackupId: Number(kept.id), status: "completed" });
    expect(replacement.outs).not.toHaveProperty("description");
  });

  it("updates in place, with no API call, when only createTimeout, apiUrl or apiToken change", async () => {
    const old = await createBackup({ serverId: fixture.serverIds[3]! });
    const after = {
      serverId: fixture.serverIds[3]!,
      createTimeout: "2h",
      apiUrl: fixture.emulator.url,
      apiToken: fixture.token,
    };
    const diff = await serverBackup.diff(old.id, old.outs, after);
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    const requestsBefore = fixture.emulator.requests.count();
    const updated = await serverBackup.update!(old.id, old.outs, after);
    expect(fixture.emulator.requests.count()).toBe(requestsBefore);
    expect(updated.outs).toEqual({ ...old.outs, ...after });
  });
});

describe("a backup that fails on the platform", () => {
  it("is recorded as partially created (the error carries its id), and the next diff replaces it", async () => {
    const serverId = fixture.serverIds[4]!;
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "failed" });

    const error = await rejectionOf(createBackup({ serverId, description: "doomed" }));
    expect(error).toBeInstanceOf(ResourceInitializationError);
    const failure = error as ResourceInitializationError;
    expect(emulatedBackup(fixture.emulator, Number(failure.id))?.status).toBe("failed");
    expect(failure.message).toContain(`backup ${failure.id} of server ${serverId} failed`);
    expect(failure.message).toContain("run `pulumi up` again to replace it");
    expect(failure.reasons).toEqual([failure.message]);
    expect(failure.properties).toMatchObject({
      backupId: Number(failure.id),
      status: "failed",
      serverId,
    });

    const diff = await serverBackup.diff(failure.id, failure.properties, {
      serverId,
      description: "doomed",
    });
    expect(diff).toMatchObject({ changes: true, replaces: ["status"] });
  });
});

describe("a create that does not finish in time", () => {
  it("leaves a partially created record with the backup id; the next update resumes the wait", async () => {
    const serverId = fixture.serverIds[4]!;
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
    const inputs = { serverId, createTimeout: "300ms" };

    const error = await rejectionOf(createBackup(inputs));
    expect(error).toBeInstanceOf(ResourceInitializationError);
    const partial = error as ResourceInitializationError;
    expect(partial.message).toContain("createTimeout (300ms)");
    expect(partial.message).toContain("run `pulumi up` again to keep waiting");
    expect(partial.properties).toMatchObject({
      backupId: Number(partial.id),
      status: "in_progress",
    });
    expect(emulatedBackup(fixture.emulator, Number(partial.id))?.status).toBe("in_progress");

    const diff = await serverBackup.diff(partial.id, partial.properties, inputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    fixture.emulator.state.finishBackup(Number(partial.id), "completed");
    const updated = await serverBackup.update!(partial.id, partial.properties, {
      ...inputs,
      createTimeout: "1m",
    });
    expect(updated.outs).toMatchObject({
      backupId: Number(partial.id),
      status: "completed",
      createTimeout: "1m",
    });
  });

  it("records the backup when the wait is interrupted (Ctrl-C)", async () => {
    const serverId = fixture.serverIds[4]!;
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
    const postsBefore = backupPosts();
    const creating = rejectionOf(createBackup({ serverId, createTimeout: STUCK_CREATE_TIMEOUT }));
    // Interrupt as soon as the platform has accepted the backup: whether the provider is still
    // reading the answer or already waiting, the wait ends at once and the backup is recorded.
    await waitUntil("the backup POST is answered", () => backupPosts() > postsBefore);
    interruptOperations("test interruption");

    const error = await creating;
    expect(error).toBeInstanceOf(ResourceInitializationError);
    expect((error as ResourceInitializationError).message).toContain("interrupted");
    expect(
      emulatedBackup(fixture.emulator, Number((error as ResourceInitializationError).id))?.status,
    ).toBe("in_progress");
    fixture.emulator.state.finishBackup(
      Number((error as ResourceInitializationError).id),
      "completed",
    );
  });

  it("records the backup when Ctrl-C comes while the backup is still being requested", async () => {
    const serverId = fixture.serverIds[4]!;
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
    const checked = await serverBackup.check({}, { serverId, createTimeout: STUCK_CREATE_TIMEOUT });
    const postsBefore = backupPosts();
    const creating = rejectionOf(serverBackup.create(checked.inputs as Record<string, unknown>));
    // The create has started and its POST is not answered yet: the wait has not begun.
    expect(backupPosts()).toBe(postsBefore);
    interruptOperations("test interruption");

    const error = (await creating) as ResourceInitializationError;
    expect(error).toBeInstanceOf(ResourceInitializationError);
    expect(error.message).toContain("interrupted");
    expect(backupPosts()).toBe(postsBefore + 1);
    expect(emulatedBackup(fixture.emulator, Number(error.id))?.status).toBe("in_progress");
    fixture.emulator.state.finishBackup(Number(error.id), "completed");
  });
});

describe("adoption", () => {
  it("refuses a backup of another server without creating anything", async () => {
    const serverId = fixture.serverIds[0]!;
    const postsBefore = fixture.emulator.requests.count({ method: "POST" });
    const error = await rejectionOf(
      createBackup({ serverId, adoptBackupId: fixture.foreignBackupId }),
    );
    expect(error).not.toBeInstanceOf(ResourceInitializationError);
    expect(error.message).toContain(
      `cannot adopt backup ${fixture.foreignBackupId} of server ${serverId}`,
    );
    expect(fixture.emulator.requests.count({ method: "POST" })).toBe(postsBefore);
  });

  it("waits for an adopted backup that is still in progress", async () => {
    const serverId = fixture.serverIds[2]!;
    fixture.emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
    const client = sharedClient({ apiUrl: fixture.emulator.url, apiToken: fixture.token });
    const running = await client.createBackup({ serverId, description: "started by hand" });

    const listsBefore = fixture.emulator.requests.count({ method: "GET", route: "/backups/" });
    let settled = false;
    const adopting = createBackup({
      serverId,
      adoptBackupId: running.id,
      createTimeout: STUCK_CREATE_TIMEOUT,
    }).finally(() => {
      settled = true;
    });
    // The lookup, then at least two polls of the wait.
    await waitUntil(
      "the lookup and two polls of the wait",
      () =>
        fixture.emulator.requests.count({ method: "GET", route: "/backups/" }) >= listsBefore + 3,
    );
    expect(settled).toBe(false);
    fixture.emulator.state.finishBackup(running.id, "completed");
    const adopted = await adopting;
    expect(adopted.id).toBe(String(running.id));
    expect(adopted.outs).toMatchObject({
      status: "completed",
      adoptBackupId: running.id,
      createTimeout: STUCK_CREATE_TIMEOUT,
    });
  });

  it("changing adoptBackupId to the backup already held is an in-place update (no re-adopt, no delete)", async () => {
    const serverId = fixture.serverIds[2]!;
    const made = await createBackup({ serverId, triggers: ["a"] });
    const diff = await serverBackup.diff(made.id, made.outs, {
      serverId,
      triggers: ["b"],
      adoptBackupId: Number(made.id),
    });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("credentials", () => {
  it("prefers the resource's apiToken over the stack config", async () => {
    await configureStack({
      "vps:apiUrl": fixture.emulator.url,
      "vps:apiToken": "wrong-stack-token",
    });
    try {
      const { outs } = await createBackup({
        serverId: fixture.serverIds[1]!,
        apiToken: fixture.token,
      });
      expect(outs).toMatchObject({ status: "completed", apiToken: fixture.token });
      const error = await rejectionOf(createBackup({ serverId: fixture.serverIds[1]! }));
      expect(error.name).toBe("VpsAuthenticationError");
    } finally {
      await configureStack({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token });
    }
  });

  it("falls back to VPS_API_TOKEN / VPS_API_URL, and names all three places when no token is set", async () => {
    await configureStack({});
    const saved = { token: process.env.VPS_API_TOKEN, url: process.env.VPS_API_URL };
    try {
      process.env.VPS_API_TOKEN = fixture.token;
      process.env.VPS_API_URL = fixture.emulator.url;
      const { outs } = await createBackup({ serverId: fixture.serverIds[1]! });
      expect(outs.status).toBe("completed");

      delete process.env.VPS_API_TOKEN;
      const error = await rejectionOf(createBackup({ serverId: fixture.serverIds[1]! }));
      expect(error.message).toContain("apiToken input");
      expect(error.message).toContain("vps:apiToken");
      expect(error.message).toContain("VPS_API_TOKEN");
    } finally {
      restoreEnv("VPS_API_TOKEN", saved.token);
      restoreEnv("VPS_API_URL", saved.url);
      await configureStack({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token });
    }
  });

  it("says on a refresh or destroy rejected with 401 that they use the config recorded at the last up", async () => {
    const { id, outs } = await createBackup({ serverId: fixture.serverIds[1]! });
    // What the engine passes back after a token rotation without an `up`: the recorded config.
    await configureStack({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": "revoked-token" });
    try {
      for (const operation of [serverBackup.read(id, outs), serverBackup.delete(id, outs)]) {
        const error = await rejectionOf(operation);
        expect(error.name).toBe("VpsAuthenticationError");
        expect(error.message).toContain("the API token was rejected");
        expect(error.message).toContain("recorded at the last `pulumi up`");
        expect(error.message).toContain("--run-program");
      }
      expect(emulatedBackup(fixture.emulator, Number(id))?.status).toBe("completed");
    } finally {
      await configureStack({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token });
    }
  });

  it("reads the stack config under the vps namespace whatever the project is called", async () => {
    await configureStack(
      { "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token },
      "vps-is-not-the-project",
    );
    const { outs } = await createBackup({ serverId: fixture.serverIds[1]! });
    expect(outs.status).toBe("completed");
  });
});

describe("many backups in one stack", () => {
  it("runs 50 creates on 5 servers concurrently, one POST each, resolving all of a server's waits from one list call", async () => {
    const { emulator, serverIds } = fixture;
    const accountId = accountOf(serverIds[0]!);
    for (const serverId of serverIds) {
      for (let i = 0; i < 10; i += 1)
        emulator.state.queueNextBackup(serverId, { outcome: "stuck" });
    }
    const postsBefore = emulator.requests.count({ method: "POST", route: "/backups/" });
    const inProgressBefore = new Set(
      emulator.state
        .backupsOf(accountId)
        .filter((b) => b.status === "in_progress")
        .map((b) => b.id),
    );
    const creates = serverIds.flatMap((serverId) =>
      Array.from({ length: 10 }, (_, index) =>
        createBackup({
          serverId,
          description: `batch ${index}`,
          createTimeout: STUCK_CREATE_TIMEOUT,
        }),
      ),
    );
    const newInProgress = () =>
      emulator.state
        .backupsOf(accountId)
        .filter((b) => b.status === "in_progress" && !inProgressBefore.has(b.id));

    // Every backup exists and every wait has polled at least twice since: all 50 are waiting.
    await waitUntil("all 50 backups exist", () => newInProgress().length === 50);
    const listsWhenAllExist = emulator.requests.count({ method: "GET", route: "/backups/" });
    await waitUntil(
      "ten more list calls",
      () =>
        emulator.requests.count({ method: "GET", route: "/backups/" }) >= listsWhenAllExist + 10,
    );

    const listsBeforeFinish = emulator.requests.count({ method: "GET", route: "/backups/" });
    for (const backup of newInProgress()) emulator.state.finishBackup(backup.id, "completed");
    const results = await Promise.all(creates);
    const listsToResolve =
      emulator.requests.count({ method: "GET", route: "/backups/" }) - listsBeforeFinish;

    expect(results.every((result) => result.outs.status === "completed")).toBe(true);
    expect(new Set(results.map((result) => result.id)).size).toBe(50);
    expect(emulator.requests.count({ method: "POST", route: "/backups/" }) - postsBefore).toBe(50);
    // Coalesced: each server's 10 waits are resolved by at most 2 list calls (one possibly in
    // flight when the backups finished, then one after); uncoalesced waits would need >= 50.
    expect(listsToResolve).toBeLessThanOrEqual(2 * serverIds.length);
  });
});

function accountOf(serverId: number): string {
  const account = fixture.emulator.state
    .accounts()
    .find((candidate) =>
      fixture.emulator.state.serversOf(candidate.id).some((server) => server.id === serverId),
    );
  if (!account) throw new Error(`no account holds server ${serverId}`);
  return account.id;
}

function backupPosts(): number {
  return fixture.emulator.requests.count({ method: "POST", route: "/backups/" });
}

/** Resolves once `condition` holds (checked every few ms); fails after 30 s of wall time. */
async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  const giveUpAtMs = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > giveUpAtMs) throw new Error(`${what}: not seen within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
