import { VpsClient, VpsConfigurationError } from "../../../../sdk";
import { FakeTransport, canaryToken } from "../fake-transport";

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
