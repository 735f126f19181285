import { VpsClient, VpsConfigurationError, VpsInvalidArgumentError } from "../../../sdk";
import { FakeTransport, canaryToken, fakeClient } from "./fake-transport";

describe("invalid arguments are refused before any request", () => {
  const fake = new FakeTransport();
  const client = fakeClient(fake);
  afterEach(() => expect(fake.requests).toHaveLength(0));

  const badIds: Array<[string, unknown, RegExp]> = [
    ["a numeric string", "12345", /got the string "12345" — pass the number 12345, not a string/],
    ["a float", 1.5, /got 1\.5 — pass the .*numeric id/],
    ["zero", 0, /got 0/],
    ["a negative number", -3, /got -3/],
    ["NaN", Number.NaN, /got NaN/],
    ["an unsafe integer", 2 ** 53, /got 9007199254740992/],
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["an object", { id: 1 }, /got an object/],
  ];

  test.each(badIds)("deleteBackup with %s as backupId", async (_label, value, message) => {
    const error = await client.deleteBackup(value as number).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe("backupId");
    expect((error as Error).message).toMatch(/^backupId must be a positive whole number; /);
    expect((error as Error).message).toMatch(message);
  });

  test.each(badIds)("createBackup with %s as serverId", async (_label, value, message) => {
    const error = await client.createBackup({ serverId: value as number }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe("serverId");
    expect((error as Error).message).toMatch(message);
  });

  const calls: Array<[string, () => Promise<unknown>, string]> = [
    ["getServer", () => client.getServer("7" as unknown as number), "serverId"],
    ["restoreServer (server)", () => client.restoreServer(1.25, 501), "serverId"],
    ["restoreServer (backup)", () => client.restoreServer(12345, -1), "backupId"],
    ["findBackup (backup)", () => client.findBackup(0), "backupId"],
    ["findBackup (server)", () => client.findBackup(501, { serverId: 0.5 }), "serverId"],
    [
      "listBackups (server)",
      () => client.listBackups({ serverId: "12" as unknown as number }),
      "serverId",
    ],
    ["listBackups (type)", () => client.listBackups({ backupType: "daily" }), "backupType"],
    ["iterBackups (type)", async () => client.iterBackups({ backupType: "" }), "backupType"],
    [
      "waitForBackup (backup)",
      () => client.waitForBackup(Number.POSITIVE_INFINITY, { serverId: 1 }),
      "backupId",
    ],
    [
      "waitForBackup (server)",
      () => client.waitForBackup(501, { serverId: undefined as unknown as number }),
      "serverId",
    ],
    [
      "waitForBackup (timeout)",
      () => client.waitForBackup(501, { serverId: 1, timeoutMs: -5 }),
      "timeoutMs",
    ],
    [
      "createBackup (description type)",
      () => client.createBackup({ serverId: 1, description: 42 as unknown as string }),
      "description",
    ],
    [
      "createBackup (description length)",
      () => client.createBackup({ serverId: 1, description: "x".repeat(256) }),
      "description",
    ],
    ["deleteBackup (deadline)", () => client.deleteBackup(501, { deadlineMs: 0 }), "deadlineMs"],
  ];
  test.each(calls)("%s names the field", async (_label, call, field) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe(field);
    expect((error as Error).message.startsWith(`${field} must`)).toBe(true);
    expect((error as Error).message).toMatch(/ — /);
  });

  test("a 256-character description says how long it was and what to do", async () => {
    const error = await client
      .createBackup({ serverId: 1, description: "y".repeat(256) })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "description must be at most 255 characters; got 256 characters — shorten it",
    );
  });

  test("backupType is matched in any case", async () => {
    const ok = new FakeTransport().onRequest(() => ({
      status: 200,
      headers: {},
      body: '{"count":0,"next":null,"results":[]}',
    }));
    await fakeClient(ok).listBackups({ backupType: "MANUAL" });
    expect(new URL(ok.requests[0]!.url).searchParams.get("backup_type")).toBe("manual");
  });
});

describe("client options", () => {
  const savedToken = process.env.VPS_API_TOKEN;
  const savedUrl = process.env.VPS_API_URL;
  afterEach(() => {
    if (savedToken === undefined) delete process.env.VPS_API_TOKEN;
    else process.env.VPS_API_TOKEN = savedToken;
    if (savedUrl === undefined) delete process.env.VPS_API_URL;
    else process.env.VPS_API_URL = savedUrl;
  });

  test("a missing token is a VpsConfigurationError naming both ways to set it", () => {
    delete process.env.VPS_API_TOKEN;
    const error = (() => {
      try {
        return new VpsClient({ transport: new FakeTransport().transport });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VpsConfigurationError);
    expect((error as VpsConfigurationError).option).toBe("apiToken");
    expect((error as Error).message).toMatch(/VPS_API_TOKEN.*apiToken/);
  });

  test("the token and base URL fall back to VPS_API_TOKEN and VPS_API_URL", async () => {
    const token = canaryToken();
    process.env.VPS_API_TOKEN = token;
    process.env.VPS_API_URL = "https://env.example.test/api/v1/";
    const fake = new FakeTransport().onRequest(() => ({
      status: 200,
      headers: {},
      body: '{"count":0,"next":null,"results":[]}',
    }));
    const client = new VpsClient({ transport: fake.transport });
    expect(client.baseUrl).toBe("https://env.example.test/api/v1");
    await client.listServers();
    expect(fake.requests[0]!.url).toBe("https://env.example.test/api/v1/servers/");
    expect(fake.requests[0]!.headers.Authorization).toBe(`Bearer ${token}`);
  });

  test("the default base URL is the platform's", () => {
    delete process.env.VPS_API_URL;
    expect(new VpsClient({ apiToken: canaryToken() }).baseUrl).toBe("https://admin.vps.org/api/v1");
  });

  const insecure: Array<[string, boolean, boolean]> = [
    ["http://api.example.test/api/v1", false, true],
    ["http://api.example.test/api/v1", true, false],
    ["http://127.0.0.1:8080/api/v1", false, false],
    ["http://localhost:8080/api/v1", false, false],
    ["http://[::1]:8080/api/v1", false, false],
    ["http://10.0.0.5/api/v1", false, true],
    ["https://api.example.test/api/v1", false, false],
    ["ftp://api.example.test/", true, true],
    ["not a url", false, true],
    ["https://user:pw@api.example.test/api/v1", false, true],
  ];
  test.each(insecure)(
    "baseUrl %s with allowInsecureHttp=%s refused: %s",
    (baseUrl, allowInsecureHttp, refused) => {
      const build = () =>
        new VpsClient({
          baseUrl,
          allowInsecureHttp,
          apiToken: canaryToken(),
          transport: new FakeTransport().transport,
        });
      if (refused) expect(build).toThrow(VpsConfigurationError);
      else expect(build).not.toThrow();
    },
  );

  test("plain http to a remote host explains the risk and the escape hatch", () => {
    expect(
      () => new VpsClient({ baseUrl: "http://api.example.test/api/v1", apiToken: canaryToken() }),
    ).toThrow(/travel unencrypted.*allowInsecureHttp: true/);
  });

  const badOptions: Array<[string, object]> = [
    ["timeoutMs", { timeoutMs: 0 }],
    ["deadlineMs", { deadlineMs: -1 }],
    ["maxRetries", { maxRetries: 1.5 }],
    ["maxResponseBytes", { maxResponseBytes: Number.NaN }],
    ["pageSize", { pageSize: 501 }],
    ["apiToken", { apiToken: "two\nlines-token" }],
    ["userAgent", { userAgent: "x\r\nInjected: yes" }],
  ];
  test.each(badOptions)("a bad %s is a VpsConfigurationError naming it", (option, options) => {
    let thrown: unknown;
    try {
      new VpsClient({
        apiToken: canaryToken(),
        transport: new FakeTransport().transport,
        ...options,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VpsConfigurationError);
    expect((thrown as VpsConfigurationError).option).toBe(option);
  });
});
