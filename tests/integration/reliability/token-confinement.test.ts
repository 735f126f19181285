/**
 * Reliability 13 — a redirect to another host, a `next` page on another host, and an
 * `http://` base URL to a host that is not this machine.
 *
 * Inject: server A (127.0.0.1) answers 301/302/303/307/308 pointing at server B (127.0.0.2,
 * another host as far as the client can tell), or a list page whose `next` is on B. Must hold:
 * B never receives a request (so never the Authorization header); the client raises a typed
 * error saying why. Plain http:// to a non-loopback host is refused at construction unless
 * `allowInsecureHttp` is set (those clients are never used: no packet leaves the machine).
 * Figure: requests that reached B, headers B saw.
 */
import {
  VpsClient,
  VpsConfigurationError,
  VpsError,
  VpsResponseValidationError,
} from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { type RawServer, sendJson, startRawServer, wireBackup } from "../../support/http";
import { fastClient } from "../../support/client";

const TOKEN = "confined-token-3c9b27e1d5";

describe("reliability 13: the token never leaves for another host", () => {
  let hostA: RawServer;
  let hostB: RawServer;
  let redirectStatus = 302;
  let listNext: string | null = null;

  beforeAll(async () => {
    resetFigures("13-token-confinement");
    hostB = await startRawServer(
      (_request, response) =>
        sendJson(response, 200, { count: 0, next: null, previous: null, results: [] }),
      "127.0.0.2",
    );
    hostA = await startRawServer((request, response) => {
      if (listNext !== null) {
        // A non-empty page (an empty one ends the walk whatever `next` says).
        sendJson(response, 200, {
          count: 2,
          next: listNext,
          previous: null,
          results: [wireBackup(501, 12345)],
        });
        return;
      }
      response.writeHead(redirectStatus, {
        location: `${hostB.origin}${request.url ?? "/"}`,
        "content-length": "0",
      });
      response.end();
    });
  });
  afterAll(async () => {
    recordFigure("13-token-confinement", "host B (127.0.0.2)", {
      requestsReachingB: hostB.requests.length,
      authorizationHeadersSeenByB: hostB.requests.filter(
        (request) => request.headers.authorization !== undefined,
      ).length,
      requestsToA: hostA.requests.length,
    });
    await hostA.close();
    await hostB.close();
  });

  it.each([301, 302, 303, 307, 308])("a %s to another host is not followed", async (status) => {
    redirectStatus = status;
    listNext = null;
    const client = fastClient(`${hostA.origin}/api/v1`, TOKEN);
    for (const call of [
      () => client.listBackups(),
      () => client.createBackup({ serverId: 12345 }),
      () => client.deleteBackup(501),
      () => client.getServer(12345),
    ]) {
      const error = await call().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(VpsError);
      expect((error as Error).message).toContain(`redirect to ${hostB.origin}`);
      expect((error as Error).message).not.toContain(TOKEN);
    }
    expect(hostB.requests).toEqual([]);
    // A's requests did carry the token: the confinement is about where it goes, not whether.
    expect(hostA.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("a list page whose next link is on another host is not followed", async () => {
    listNext = `http://127.0.0.2:${new URL(hostB.origin).port}/api/v1/backups/?page=2`;
    try {
      const client = fastClient(`${hostA.origin}/api/v1`, TOKEN);
      const error = await client.listBackups().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(VpsResponseValidationError);
      expect((error as Error).message).toMatch(/Refused to follow the next page/);
      expect(hostB.requests).toEqual([]);
    } finally {
      listNext = null;
    }
  });

  it.each([
    "http://192.0.2.10/api/v1",
    "http://admin.vps.org/api/v1",
    "HTTP://ADMIN.VPS.ORG/api/v1",
    "http://10.0.0.1:8080/api/v1",
    "http://localhost.evil.example/api/v1",
    "http://127.0.0.1.nip.io/api/v1",
    "http://[2001:db8::1]/api/v1",
  ])("plain http to %s is refused unless allowInsecureHttp", (baseUrl) => {
    let refused: unknown;
    try {
      new VpsClient({ baseUrl, apiToken: TOKEN });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(VpsConfigurationError);
    expect((refused as Error).message).toMatch(/unencrypted/);
    expect((refused as Error).message).not.toContain(TOKEN);
    // The explicit opt-in is honoured (the client is built, never used).
    expect(
      () => new VpsClient({ baseUrl, apiToken: TOKEN, allowInsecureHttp: true }),
    ).not.toThrow();
  });

  it.each([
    "http://127.0.0.1:8080/api/v1",
    "http://localhost:8080/api/v1",
    "http://[::1]:8080/api/v1",
    "http://127.1/api/v1",
    "https://admin.vps.org/api/v1",
  ])("%s is allowed without the opt-in (loopback or https)", (baseUrl) => {
    expect(() => new VpsClient({ baseUrl, apiToken: TOKEN })).not.toThrow();
  });
});
