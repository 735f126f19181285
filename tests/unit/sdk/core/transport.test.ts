import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  VpsApiError,
  VpsClient,
  VpsConnectionError,
  VpsResponseValidationError,
} from "../../../../sdk";
import { canaryToken } from "../fake-transport";

// The default transport against a real HTTP server on 127.0.0.1 (port 0): redirects, the
// size cap and connection failures behave as documented, and nothing leaks the token.
describe("the default axios transport", () => {
  let server: Server;
  let baseUrl: string;
  const seenAuthorization: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seenAuthorization.push(request.headers.authorization ?? "");
      if (request.url?.startsWith("/api/v1/servers/1/")) {
        response.writeHead(200, { "content-type": "application/json", "ratelimit-remaining": "5" });
        response.end(JSON.stringify({ id: 1, name: "web-1", status: "active", disk_gb: 10 }));
      } else if (request.url?.startsWith("/api/v1/servers/2/")) {
        response.writeHead(301, { location: "https://elsewhere.example.test/api/v1/servers/2/" });
        response.end();
      } else if (request.url?.startsWith("/api/v1/servers/")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            count: 1,
            next: null,
            results: [{ id: 3, name: "x".repeat(5_000), status: "active", disk_gb: 1 }],
          }),
        );
      } else {
        response.writeHead(404, { "content-type": "text/html" });
        response.end("<html>no</html>");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("sends the token and parses a real response", async () => {
    const token = canaryToken();
    const client = new VpsClient({ baseUrl, apiToken: token });
    await expect(client.getServer(1)).resolves.toEqual({
      id: 1,
      name: "web-1",
      status: "active",
      diskGb: 10,
    });
    expect(seenAuthorization).toContain(`Bearer ${token}`);
  });

  test("does not follow a redirect: 3xx is an error and the other host is never contacted", async () => {
    const token = canaryToken();
    const error = await new VpsClient({ baseUrl, apiToken: token })
      .getServer(2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsApiError);
    expect(error).toMatchObject({ status: 301 });
    expect((error as Error).message).toMatch(
      /redirect to https:\/\/elsewhere\.example\.test; the client never follows redirects/,
    );
  });

  test("caps the response size", async () => {
    const error = await new VpsClient({ baseUrl, apiToken: canaryToken(), maxResponseBytes: 1_000 })
      .listServers()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsResponseValidationError);
    expect((error as Error).message).toMatch(/larger than maxResponseBytes \(1000 bytes\)/);
  });

  test("a refused connection is a VpsConnectionError with its code and no axios internals", async () => {
    const token = canaryToken();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new VpsClient({
      baseUrl: `http://127.0.0.1:${port}/api/v1`,
      apiToken: token,
      maxRetries: 1,
      retryBaseDelayMs: 1,
    });
    const error = await client.getServer(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    for (const rendering of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 20, showHidden: true }),
      (error as Error).stack,
    ]) {
      expect(rendering).not.toContain(token);
      expect(rendering).not.toContain("Authorization");
    }
    expect(client.stats.requests).toBe(2);
  });
});
