/**
 * The Pulumi surface under `pulumi.runtime.setMocks`: exports, types, secrets, option merging,
 * and the functions' argument checks. setMocks never runs dynamic providers, so the mock plays
 * the engine: it answers registrations with outputs built from the inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vps from "../../../..";

const TOKEN = `mock-canary-${Math.random().toString(36).slice(2)}`;
const registrations: pulumi.runtime.MockResourceArgs[] = [];

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

function useMocks(preview: boolean): void {
  registrations.length = 0;
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registrations.push(args);
        const observed =
          args.type === "pulumi-nodejs:dynamic/vps:ServerBackup"
            ? {
                backupId: 501,
                serverName: "web-server-01",
                backupType: "manual",
                status: "completed",
                sizeMb: 4523,
                createdAt: "2025-01-16T03:00:00Z",
                expiresAt: null,
              }
            : {
                status: "active",
                restoredAt: "2025-01-16T04:00:00Z",
                message: "Server restore has started.",
              };
        return { id: `${args.name}-id`, state: { ...args.inputs, ...observed } };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    preview,
  );
}

describe("exports from the package root", () => {
  it.each([
    "VpsClient",
    "ServerBackup",
    "ServerRestore",
    "getBackups",
    "getBackupsOutput",
    "getBackup",
    "getBackupOutput",
    "restoreServer",
    "restoreServerOutput",
  ])("exports %s", (name) => {
    expect(typeof (vps as Record<string, unknown>)[name]).toBe("function");
  });
});

describe("ServerBackup", () => {
  beforeEach(() => useMocks(false));

  it("registers a dynamic resource of type pulumi-nodejs:dynamic/vps:ServerBackup with typed outputs", async () => {
    const backup = new vps.ServerBackup("pre-deploy", {
      serverId: 12345,
      description: "Pre-deployment backup",
      triggers: ["1.0.0"],
    });
    expect(await valueOf(backup.backupId)).toBe(501);
    expect(await valueOf(backup.status)).toBe("completed");
    expect(await valueOf(backup.serverName)).toBe("web-server-01");
    expect(await valueOf(backup.triggers)).toEqual(["1.0.0"]);
    expect(registrations[0]).toMatchObject({
      type: "pulumi-nodejs:dynamic/vps:ServerBackup",
      name: "pre-deploy",
    });
  });

  it("stores a small, token-free provider in __provider even when the token is an input", async () => {
    const backup = new vps.ServerBackup("with-token", { serverId: 12345, apiToken: TOKEN });
    await valueOf(backup.id);
    const inputs = registrations[0]!.inputs as Record<string, unknown>;
    expect(typeof inputs.__provider).toBe("string");
    expect(inputs.__provider as string).not.toContain(TOKEN);
    expect(inputs.__provider as string).toContain("pulumi-vps-backups/provider/runtime");
  });

  it("makes the apiToken output secret, whether or not the caller marked it", async () => {
    const plain = new vps.ServerBackup("plain-token", { serverId: 12345, apiToken: TOKEN });
    expect(await pulumi.isSecret(plain.apiToken)).toBe(true);
    expect(await pulumi.isSecret(plain.backupId)).toBe(false);
  });

  it("merges its additionalSecretOutputs with the caller's options", async () => {
    const seen: pulumi.ResourceOptions[] = [];
    new vps.ServerBackup(
      "merged",
      { serverId: 12345 },
      {
        additionalSecretOutputs: ["serverName"],
        retainOnDelete: true,
        transformations: [(args) => (seen.push(args.opts), undefined)],
      },
    );
    expect(seen).toHaveLength(1);
    const opts = seen[0] as pulumi.CustomResourceOptions;
    expect(opts.additionalSecretOutputs).toEqual(
      expect.arrayContaining(["serverName", "apiToken"]),
    );
    expect(opts.retainOnDelete).toBe(true);
  });
});

describe("ServerRestore", () => {
  beforeEach(() => useMocks(false));

  it("registers pulumi-nodejs:dynamic/vps:ServerRestore with typed outputs and a secret apiToken", async () => {
    const restore = new vps.ServerRestore("rollback", {
      serverId: 12345,
      backupId: 499,
      apiToken: TOKEN,
    });
    expect(await valueOf(restore.status)).toBe("active");
    expect(await valueOf(restore.backupId)).toBe(499);
    expect(await pulumi.isSecret(restore.apiToken)).toBe(true);
    expect(registrations[0]).toMatchObject({ type: "pulumi-nodejs:dynamic/vps:ServerRestore" });
  });
});

describe("function arguments are checked before any request", () => {
  // No emulator: a request would fail with a connection error, not with these.
  const offline = { apiUrl: "http://127.0.0.1:9/api/v1", apiToken: TOKEN };

  it.each([
    [
      "getBackups",
      "serverId",
      () => vps.getBackups({ serverId: -1, ...offline }),
      /serverId must be a positive number, got -1/,
    ],
    [
      "getBackups",
      "backupType",
      () => vps.getBackups({ backupType: "weekly", ...offline }),
      /backupType must be "manual" or "automatic" \(any case\), got "weekly"/,
    ],
    [
      "getBackups",
      "status",
      () => vps.getBackups({ status: "", ...offline }),
      /status must be a non-empty string/,
    ],
    [
      "getBackups",
      "descriptionRegex",
      () => vps.getBackups({ descriptionRegex: "(", ...offline }),
      /descriptionRegex is not a valid regular expression: "\("/,
    ],
    [
      "getBackups",
      "apiUrl",
      () => vps.getBackups({ apiUrl: "nowhere", apiToken: TOKEN }),
      /apiUrl is not a URL/,
    ],
    [
      "getBackup",
      "mostRecent",
      () => vps.getBackup({ mostRecent: "yes" as unknown as boolean, ...offline }),
      /mostRecent must be true or false, got "yes"/,
    ],
    [
      "restoreServer",
      "serverId",
      () => vps.restoreServer({ backupId: 1, ...offline } as vps.RestoreServerArgs),
      /serverId must be a number, got undefined/,
    ],
    [
      "restoreServer",
      "backupId",
      () => vps.restoreServer({ serverId: 1, backupId: 2.5, ...offline }),
      /backupId must be a whole number, got 2\.5/,
    ],
    [
      "restoreServer",
      "timeout",
      () => vps.restoreServer({ serverId: 1, backupId: 2, timeout: "1 hour", ...offline }),
      /timeout is not a duration/,
    ],
    [
      "restoreServer",
      "backupFirst",
      () =>
        vps.restoreServer({
          serverId: 1,
          backupId: 2,
          backupFirst: 1 as unknown as boolean,
          ...offline,
        }),
      /backupFirst must be true or false/,
    ],
  ])("%s refuses a bad %s", async (functionName, field, call, reason) => {
    const error = await call().then(
      () => undefined,
      (rejected: unknown) => rejected,
    );
    expect(error).toBeInstanceOf(vps.VpsInvalidArgumentError);
    expect((error as vps.VpsInvalidArgumentError).field).toBe(field);
    expect((error as Error).message).toMatch(new RegExp(`^${functionName}: `));
    expect((error as Error).message).toMatch(reason);
  });

  it("names every bad field at once and never echoes the token", async () => {
    const error = (await vps
      .getBackups({ serverId: 0, backupType: "x", apiToken: "" })
      .catch((rejected: unknown) => rejected)) as Error;
    expect(error.message).toContain("serverId");
    expect(error.message).toContain("backupType");
    expect(error.message).toContain("apiToken must be a non-empty string");
  });

  it("says where a token can come from when none is set anywhere", async () => {
    const saved = process.env.VPS_API_TOKEN;
    delete process.env.VPS_API_TOKEN;
    try {
      await expect(vps.getBackups({ serverId: 1 })).rejects.toThrow(
        /getBackups has no API token: set the apiToken input.*vps:apiToken.*VPS_API_TOKEN/,
      );
    } finally {
      if (saved !== undefined) process.env.VPS_API_TOKEN = saved;
    }
  });
});

describe("restoreServer during preview", () => {
  beforeEach(() => useMocks(true));

  it("does nothing and says so (no request: the URL points nowhere)", async () => {
    const result = await vps.restoreServer({
      serverId: 12345,
      backupId: 499,
      apiUrl: "http://127.0.0.1:9/api/v1",
      apiToken: TOKEN,
    });
    expect(result).toEqual({
      performed: false,
      serverId: 12345,
      backupId: 499,
      status: "preview",
      message: null,
      restoredAt: null,
      safetyBackupId: null,
    });
  });

  it("gives an unknown Output", async () => {
    const output = vps.restoreServerOutput({
      serverId: 12345,
      backupId: 499,
      apiUrl: "http://127.0.0.1:9/api/v1",
      apiToken: TOKEN,
    });
    const known = await (output as unknown as { isKnown: Promise<boolean> }).isKnown;
    expect(known).toBe(false);
  });
});
