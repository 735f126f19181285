/**
 * Every method a path does not answer is a 405 with `Allow`, as Django REST Framework answers:
 * TRACE and QUERY too (Schemathesis found TRACE answered 404, and a QUERY without a
 * Content-Type answered 400). Sent with node:http, as fetch refuses TRACE.
 */
import * as http from "node:http";
import type { RunningEmulator } from "../../../emulator";
import { startFastEmulator } from "../../support/emulator";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startFastEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function send(
  method: string,
  path: string,
): Promise<{ status: number; allow?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${emulator.url}${path}`,
      { method, headers: { Authorization: `Bearer ${emulator.demoToken}` } },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

describe.each(["TRACE", "QUERY", "PUT", "PATCH"])("%s on API paths", (method) => {
  it.each([
    ["/backups/", "GET, POST, HEAD"],
    ["/backups/501/", "DELETE"],
    ["/servers/", "GET, HEAD"],
    ["/servers/12345/", "GET, HEAD"],
    ["/servers/12345/restore/", "POST"],
  ])("%s is a 405 with Allow: %s", async (path, allow) => {
    const answer = await send(method, path);
    expect(answer).toEqual({
      status: 405,
      allow,
      body: JSON.stringify({ detail: `Method "${method}" not allowed.` }),
    });
  });
});
