/**
 * The emulator serves the OpenAPI document (generated from sdk/schemas.ts) at /openapi.json,
 * outside the API: no token, no rate limit, no faults, not counted. And the rate-limit headers
 * it sends are the ones the document names (the fuzz test runs without limits, so this checks
 * the 429 answer's part of the document).
 */
import type { RunningEmulator } from "../../../emulator";
import { buildOpenApiDocument } from "../../../sdk/openapi/document";
import { ApiDetailErrorSchema } from "../../../sdk/schemas";
import { startFastEmulator } from "../../support/emulator";
import { api } from "../../support/http";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startFastEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
afterEach(() => {
  emulator.faults.replace({});
});

const document = buildOpenApiDocument();

async function fetchDocument() {
  const response = await fetch(`${emulator.origin}/openapi.json`);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.json(),
  };
}

describe("GET /openapi.json", () => {
  it("is the generated document with this emulator first in servers, without a token", async () => {
    expect(await fetchDocument()).toEqual({
      status: 200,
      type: expect.stringMatching(/^application\/json/),
      body: {
        ...document,
        servers: [{ url: emulator.url, description: "This emulator." }, ...document.servers],
      },
    });
  });

  it("is outside the API's rate limit, faults and request counts", async () => {
    emulator.faults.merge({ rateLimit: { requestsPerSecond: 0.001, burst: 1 }, errorRate: 1 });
    emulator.requests.clear();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await fetchDocument()).status).toBe(200);
    }
    expect(emulator.requests.count()).toBe(0);
  });
});

describe("rate limit headers, as the document names them", () => {
  const headerNames = (response: { headers?: object }) => Object.keys(response.headers ?? {});
  const throttled = document.components.responses.Throttled;
  const integer = /^[0-9]+$/;

  it("are on a 200 and on the 429 (with Retry-After), as non-negative integers", async () => {
    emulator.faults.merge({ rateLimit: { requestsPerSecond: 0.001, burst: 1 } });
    const allowed = await api(emulator, "/servers/");
    const limited = await api(emulator, "/servers/");
    expect([allowed.status, limited.status]).toEqual([200, 429]);
    expect(ApiDetailErrorSchema.safeParse(limited.json).success).toBe(true);

    const okHeaders = headerNames(document.paths["/servers/"].get.responses["200"]);
    expect(okHeaders).toEqual(["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]);
    for (const name of okHeaders)
      expect([name, allowed.headers.get(name)]).toEqual([name, expect.stringMatching(integer)]);
    for (const name of headerNames(throttled)) {
      expect([name, limited.headers.get(name)]).toEqual([name, expect.stringMatching(integer)]);
    }
    expect(headerNames(throttled)).toContain("Retry-After");
  });
});
