/**
 * ServerBackup's check and diff, as the engine calls them (through the provider runtime): pure
 * functions of the inputs, no API involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN_INPUT } from "../../../../provider/core/inputs";
import { serverBackup } from "../../../../provider/runtime";

const TOKEN = `unit-canary-${Math.random().toString(36).slice(2)}`;

describe("ServerBackup check", () => {
  it("accepts valid inputs and returns only the inputs", async () => {
    const news = {
      serverId: 12345,
      description: "Pre-deployment backup",
      triggers: ["1.2.3", { any: "value" }],
      createTimeout: "1h30m",
      adoptBackupId: 501,
      apiUrl: "https://admin.vps.org/api/v1",
      apiToken: TOKEN,
      __provider: "exports.handler = ...",
      backupId: undefined,
    };
    const result = await serverBackup.check({}, news);
    expect(result.failures).toEqual([]);
    const { __provider: _provider, backupId: _backupId, ...inputs } = news;
    expect(result.inputs).toEqual(inputs);
  });

  it.each([
    [
      "serverId",
      undefined,
      /serverId must be a number, got undefined; set it to the numeric id, e\.g\. 12345/,
    ],
    ["serverId", "12345", /serverId must be a number, got "12345"/],
    ["serverId", -3, /serverId must be a positive number, got -3/],
    ["serverId", 1.5, /serverId must be a whole number, got 1\.5/],
    [
      "description",
      "x".repeat(256),
      /description must be at most 255 characters, got "x{40}"\.\.\. \(256 characters\); shorten it/,
    ],
    ["description", 42, /description must be a string, got 42/],
    ["triggers", "v1", /triggers must be a list, got "v1"; wrap the value in \[ \]/],
    ["createTimeout", "45", /createTimeout is not a duration: "45"/],
    ["createTimeout", "0m", /createTimeout must be longer than zero/],
    ["createTimeout", "48h", /createTimeout must be at most 24h/],
    ["adoptBackupId", 0, /adoptBackupId must be a positive number, got 0/],
    ["apiUrl", "admin.vps.org", /apiUrl is not a URL: "admin\.vps\.org"/],
    ["apiUrl", "ftp://admin.vps.org", /apiUrl must start with https:\/\//],
    ["apiToken", "", /apiToken must be a non-empty string/],
  ])("reports %s = %j with its reason and fix", async (property, value, reason) => {
    const news: Record<string, unknown> = { serverId: 12345, [property]: value };
    const result = await serverBackup.check({}, news);
    expect(result.failures).toHaveLength(1);
    expect(result.failures![0]!.property).toBe(property);
    expect(result.failures![0]!.reason).toMatch(reason);
  });

  it("reports every bad input at once", async () => {
    const result = await serverBackup.check(
      {},
      { serverId: "x", description: 1, createTimeout: "soon" },
    );
    expect(result.failures!.map((failure) => failure.property)).toEqual([
      "serverId",
      "description",
      "createTimeout",
    ]);
  });

  // Values that carry the token but are not a valid token, so the apiToken rule sees and refuses
  // them: a rule that echoed its value would put the token in the failure.
  it.each([
    ["the token in a list", [TOKEN]],
    ["the token in an object", { token: TOKEN }],
  ])("never repeats a token in a failure (%s)", async (_name, apiToken) => {
    const result = await serverBackup.check({}, { serverId: "x", apiToken });
    expect(result.failures!.map((failure) => failure.property)).toEqual(["serverId", "apiToken"]);
    expect(JSON.stringify(result.failures)).not.toContain(TOKEN);
  });

  it("treats the engine's unknown value as unknown, never as invalid, for every input", async () => {
    expect(UNKNOWN_INPUT).toBe(pulumi.runtime.unknownValue);
    const news = Object.fromEntries(
      [
        "serverId",
        "description",
        "triggers",
        "createTimeout",
        "adoptBackupId",
        "apiUrl",
        "apiToken",
      ].map((name) => [name, UNKNOWN_INPUT]),
    );
    await expect(serverBackup.check({}, news)).resolves.toMatchObject({ failures: [] });
    await expect(
      serverBackup.check({}, { serverId: 1, triggers: [UNKNOWN_INPUT] }),
    ).resolves.toMatchObject({ failures: [] });
  });
});

describe("ServerBackup diff", () => {
  const olds = {
    serverId: 12345,
    description: "before",
    triggers: ["v1"],
    createTimeout: "60m",
    apiUrl: "https://a.example/api/v1",
    apiToken: TOKEN,
    backupId: 600,
    status: "completed",
    serverName: "web",
    __provider: "old code",
  };
  const inputsOf = (state: Record<string, unknown>) => {
    const { backupId: _b, status: _s, serverName: _n, __provider: _p, ...inputs } = state;
    return inputs;
  };

  it.each([
    ["serverId", 23456, ["serverId"]],
    ["description", "after", ["description"]],
    ["triggers", ["v2"], ["triggers"]],
    ["adoptBackupId", 700, ["adoptBackupId"]],
    ["createTimeout", "2h", []],
    ["apiUrl", "https://b.example/api/v1", []],
    ["apiToken", `${TOKEN}-rotated`, []],
  ])("a change of %s gives replaces %j", async (name, value, replaces) => {
    const diff = await serverBackup.diff("600", olds, {
      ...inputsOf(olds),
      [name]: value,
      __provider: "old code",
    });
    expect(diff).toEqual({ changes: true, replaces, deleteBeforeReplace: false });
  });

  it("reports no change when only the provider code changed, or when a trigger object's keys are reordered", async () => {
    await expect(
      serverBackup.diff("600", olds, { ...inputsOf(olds), __provider: "new code" }),
    ).resolves.toMatchObject({
      changes: false,
      replaces: [],
    });
    const withObject = { ...olds, triggers: [{ a: 1, b: 2 }] };
    await expect(
      serverBackup.diff("600", withObject, { ...inputsOf(withObject), triggers: [{ b: 2, a: 1 }] }),
    ).resolves.toMatchObject({ changes: false });
  });

  it("replaces when a replacing input is unknown in preview, and only updates for an unknown in-place input", async () => {
    await expect(
      serverBackup.diff("600", olds, { ...inputsOf(olds), triggers: UNKNOWN_INPUT }),
    ).resolves.toMatchObject({
      changes: true,
      replaces: ["triggers"],
    });
    await expect(
      serverBackup.diff("600", olds, { ...inputsOf(olds), apiToken: UNKNOWN_INPUT }),
    ).resolves.toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  it("replaces a backup recorded as failed, and updates (resumes the wait) one recorded in progress", async () => {
    await expect(
      serverBackup.diff("600", { ...olds, status: "failed" }, inputsOf(olds)),
    ).resolves.toMatchObject({
      changes: true,
      replaces: ["status"],
    });
    await expect(
      serverBackup.diff("600", { ...olds, status: "in_progress" }, inputsOf(olds)),
    ).resolves.toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  it("adopting the backup already held changes nothing on the platform: no replacement unless the server changes", async () => {
    const news = { ...inputsOf(olds), description: "edited", adoptBackupId: 600 };
    await expect(serverBackup.diff("600", olds, news)).resolves.toMatchObject({
      changes: true,
      replaces: [],
    });
    await expect(serverBackup.diff("600", olds, { ...news, serverId: 1 })).resolves.toMatchObject({
      replaces: ["serverId"],
    });
  });
});
