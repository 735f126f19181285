import { inspect } from "node:util";
import {
  VpsAbortError,
  VpsApiError,
  VpsAuthenticationError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsBadRequestError,
  VpsClient,
  VpsConfigurationError,
  VpsConflictError,
  VpsConnectionError,
  VpsError,
  VpsInvalidArgumentError,
  VpsNotFoundError,
  VpsPermissionError,
  VpsRateLimitError,
  VpsResponseValidationError,
  VpsServerError,
  VpsTimeoutError,
} from "../../../sdk";
import {
  FakeTransport,
  type FakeReply,
  canaryToken,
  fail,
  fakeClient,
  json,
  page,
  text,
  wireBackup,
} from "./fake-transport";

type Scenario = {
  name: string;
  replies: FakeReply[];
  call: (client: VpsClient) => Promise<unknown>;
  errorClass: new (...args: never[]) => VpsError;
  message: RegExp;
  fields?: Record<string, unknown>;
  options?: ConstructorParameters<typeof VpsClient>[0];
};

// Each reply echoes the token where a careless client would copy it into an error.
function scenarios(token: string): Scenario[] {
  return [
    {
      name: "401 on a list",
      replies: [json(401, { detail: `Invalid token ${token}.` })],
      call: (c) => c.listBackups(),
      errorClass: VpsAuthenticationError,
      message:
        /^401 Unauthorized listing backups: the API token was rejected — check VPS_API_TOKEN or the apiToken option \(server said: "Invalid token \[redacted\]\."\)$/,
      fields: { status: 401, method: "GET", path: "/backups/", operation: "listing backups" },
    },
    {
      name: "403 on a delete",
      replies: [json(403, { detail: "You do not have permission to perform this action." })],
      call: (c) => c.deleteBackup(501),
      errorClass: VpsPermissionError,
      message: /^403 Forbidden deleting backup 501: the API token may not do this/,
      fields: { status: 403, method: "DELETE", path: "/backups/501/" },
    },
    {
      name: "404 on a delete",
      replies: [json(404, { detail: "Not found." })],
      call: (c) => c.deleteBackup(501),
      errorClass: VpsNotFoundError,
      message:
        /^404 Not Found deleting backup 501: backup 501 does not exist \(or belongs to another account\) — .*\(server said: "Not found\."\)$/,
      fields: { serverMessage: "Not found." },
    },
    {
      name: "404 on a create names the server",
      replies: [json(404, { detail: "Not found." })],
      call: (c) => c.createBackup({ serverId: 777 }),
      errorClass: VpsNotFoundError,
      message: /^404 Not Found creating a backup of server 777: server 777 does not exist/,
    },
    {
      name: "400 with field errors",
      replies: [
        json(400, {
          server_id: [`Invalid pk "${token}" - object does not exist.`],
          description: ["Too long."],
        }),
      ],
      call: (c) => c.createBackup({ serverId: 12345 }),
      errorClass: VpsBadRequestError,
      message:
        /^400 Bad Request creating a backup of server 12345: the platform rejected the request: server_id: Invalid pk "\[redacted\]" - object does not exist\.; description: Too long\. — fix the arguments named$/,
      fields: {
        fieldErrors: {
          server_id: ['Invalid pk "[redacted]" - object does not exist.'],
          description: ["Too long."],
        },
      },
    },
    {
      name: "422 is a bad request too",
      // restoreServer reads the server first (is it already restoring?), then POSTs.
      replies: [
        json(200, { id: 12345, name: "web-server-01", status: "active", disk_gb: 80 }),
        json(422, { detail: "Unprocessable." }),
      ],
      call: (c) => c.restoreServer(12345, 501),
      errorClass: VpsBadRequestError,
      message:
        /^422 Unprocessable Entity restoring server 12345 from backup 501: the platform rejected the request: Unprocessable\./,
    },
    {
      name: "409 on a restore",
      replies: [
        json(200, { id: 12345, name: "web-server-01", status: "active", disk_gb: 80 }),
        json(409, { detail: "This server is already being restored." }),
      ],
      call: (c) => c.restoreServer(12345, 501),
      errorClass: VpsConflictError,
      message:
        /^409 Conflict restoring server 12345 from backup 501: .*wait for the running operation.*\(server said: "This server is already being restored\."\)$/,
    },
    {
      name: "429 after every retry",
      replies: [
        json(429, { detail: "Throttled." }, { "retry-after": "0" }),
        json(429, { detail: "Throttled." }, { "retry-after": "0" }),
      ],
      call: (c) => c.getServer(12345),
      errorClass: VpsRateLimitError,
      message:
        /^429 Too Many Requests reading server 12345: rate limited by the platform.*\(gave up after 1 retry\)$/,
      fields: { retryAfterMs: 0 },
      options: { maxRetries: 1 },
    },
    {
      name: "5xx with an HTML body",
      replies: [
        text(502, `<html><body>Bad gateway for ${token}</body></html>`),
        text(502, "<html>Bad gateway</html>"),
      ],
      call: (c) => c.listServers(),
      errorClass: VpsServerError,
      message:
        /^502 Bad Gateway listing servers: the platform failed — try again later.* \(the response body was not JSON — probably a page from a proxy or load balancer\) \(gave up after 1 retry\)$/,
      fields: { serverMessage: null, status: 502 },
      options: { maxRetries: 1 },
    },
    {
      name: "5xx with an empty body",
      replies: [text(500, "")],
      call: (c) => c.listServers(),
      errorClass: VpsServerError,
      message: /^500 Internal Server Error listing servers: .*\(the response body was empty\)$/,
      options: { maxRetries: 0 },
    },
    {
      name: "a redirect is not followed",
      replies: [text(302, "", { location: `https://elsewhere.example.test/steal?t=${token}` })],
      call: (c) => c.listBackups(),
      errorClass: VpsApiError,
      message:
        /^302 Found listing backups: the API answered with a redirect to https:\/\/elsewhere\.example\.test; the client never follows redirects/,
    },
    {
      name: "a connection error",
      replies: [
        fail("ECONNREFUSED", `connect ECONNREFUSED 127.0.0.1:9 while sending Bearer ${token}`),
      ],
      call: (c) => c.getServer(5),
      errorClass: VpsConnectionError,
      message:
        /^Could not reach the API reading server 5: connect ECONNREFUSED 127\.0\.0\.1:9 while sending Bearer \[redacted\] — check the network path/,
      fields: { code: "ECONNREFUSED" },
      options: { maxRetries: 0 },
    },
    {
      name: "a per-attempt timeout",
      replies: ["hang"],
      call: (c) => c.getServer(5),
      errorClass: VpsTimeoutError,
      message:
        /^Timed out reading server 5: no answer within 100 ms \(timeoutMs\)\. Raise timeoutMs/,
      options: { maxRetries: 0, timeoutMs: 100 },
    },
    {
      name: "the overall deadline",
      replies: ["hang"],
      call: (c) => c.getServer(5, { deadlineMs: 50 }),
      errorClass: VpsTimeoutError,
      message: /^Timed out reading server 5: the deadline of 50 ms passed\. Raise deadlineMs/,
      fields: { timeoutMs: 50 },
    },
    {
      name: "an aborted signal",
      replies: ["hang"],
      call: (c) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 5);
        return c.getServer(5, { signal: controller.signal });
      },
      errorClass: VpsAbortError,
      message: /^Stopped reading server 5: the signal was aborted$/,
    },
    {
      name: "a 2xx that does not match the schema",
      replies: [json(200, { id: "five", name: token })],
      call: (c) => c.getServer(5),
      errorClass: VpsResponseValidationError,
      message:
        /^200 OK reading server 5: the response did not match the expected shape \(id: .*\)\. The platform's API may have changed/,
    },
    {
      name: "a 2xx that is not JSON",
      replies: [text(200, `<html>${token}</html>`)],
      call: (c) => c.getServer(5),
      errorClass: VpsResponseValidationError,
      message: /^200 OK reading server 5: the response body was not JSON\./,
    },
    {
      name: "a body over maxResponseBytes",
      replies: [json(200, page([wireBackup()]))],
      call: (c) => c.listBackups(),
      errorClass: VpsResponseValidationError,
      message: /larger than maxResponseBytes \(64 bytes\)/,
      options: { maxResponseBytes: 64 },
    },
    {
      name: "a next page on another origin",
      replies: [
        json(
          200,
          page([wireBackup()], {
            count: 2,
            next: `https://evil.example.test/api/v1/backups/?page=2&t=${token}`,
          }),
        ),
      ],
      call: (c) => c.listBackups(),
      errorClass: VpsResponseValidationError,
      message:
        /^Refused to follow the next page while listing backups: the next page is on another origin \(https:\/\/evil\.example\.test\)/,
    },
    {
      name: "an invalid argument that is the token itself",
      replies: [],
      call: (c) => c.deleteBackup(token as unknown as number),
      errorClass: VpsInvalidArgumentError,
      message: /^backupId must be a positive whole number; got "\[redacted\]"/,
    },
    {
      name: "a failed backup",
      replies: [json(200, page([wireBackup({ id: 501, serverId: 12345, status: "failed" })]))],
      call: (c) => c.waitForBackup(501, { serverId: 12345 }),
      errorClass: VpsBackupFailedError,
      message:
        /^Backup 501 of server 12345 failed on the platform \(status "failed"\)\. It holds no usable data: delete it \(deleteBackup\(501\)\) and create a new one/,
      fields: { backupId: 501, serverId: 12345, lastStatus: "failed" },
    },
    {
      name: "a backup that disappeared",
      replies: [json(200, page([])), json(200, page([]))],
      call: (c) => c.waitForBackup(501, { serverId: 12345 }),
      errorClass: VpsBackupNotFoundError,
      message:
        /^Backup 501 of server 12345 is no longer in the server's backup list \(it was never seen\): it was deleted/,
      fields: { backupId: 501, serverId: 12345, lastStatus: null },
    },
    {
      name: "a wait that runs out of time",
      replies: [],
      call: (c) => c.waitForBackup(501, { serverId: 12345, timeoutMs: 1_000 }),
      errorClass: VpsTimeoutError,
      message:
        /^Timed out after 1 s waiting for backup 501 of server 12345 to complete \(its last status was "in_progress"\)\. The backup may still finish/,
      fields: { backupId: 501, serverId: 12345, lastStatus: "in_progress", timeoutMs: 1_000 },
      // One poll, then none before the deadline: the outcome cannot depend on machine speed.
      options: { pollSchedule: () => 60_000 },
    },
  ];
}

describe("every error path: class, message, fields, and no token in any rendering", () => {
  const token = canaryToken();
  test.each(scenarios(token).map((scenario) => [scenario.name, scenario] as const))(
    "%s",
    async (_name, scenario) => {
      const fake = new FakeTransport().enqueue(...scenario.replies);
      // Anything not scripted: a backup still in progress (the wait scenarios poll until their end).
      fake.onRequest(() =>
        json(200, page([wireBackup({ id: 501, serverId: 12345, status: "in_progress" })])),
      );
      const client = fakeClient(fake, { apiToken: token, ...scenario.options });
      const error = await scenario.call(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(scenario.errorClass);
      expect(error).toBeInstanceOf(VpsError);
      const vpsError = error as VpsError;
      expect(vpsError.name).toBe(scenario.errorClass.name);
      expect(vpsError.message).toMatch(scenario.message);
      if (scenario.fields) expect(vpsError).toMatchObject(scenario.fields);

      const renderings = [
        String(vpsError),
        JSON.stringify(vpsError),
        inspect(vpsError, { depth: 10 }),
        vpsError.stack ?? "",
        JSON.stringify(vpsError.details),
      ];
      for (const rendering of renderings) expect(rendering).not.toContain(token);
      expect(JSON.parse(JSON.stringify(vpsError))).toMatchObject({
        name: scenario.errorClass.name,
        message: vpsError.message,
      });
      // No transport object rides along: only plain data.
      for (const value of Object.values(vpsError.details))
        expect(["string", "number", "object", "undefined"]).toContain(typeof value);
      expect(Object.keys(vpsError.details)).not.toEqual(expect.arrayContaining(["config"]));
      expect(Object.keys(vpsError.details)).not.toEqual(expect.arrayContaining(["request"]));
    },
  );

  test("the client itself renders without its token", () => {
    const client = fakeClient(new FakeTransport(), { apiToken: token });
    expect(inspect(client)).not.toContain(token);
    expect(JSON.stringify(client)).not.toContain(token);
    expect(String(Object.values(client))).not.toContain(token);
  });

  test("log lines never carry the token", async () => {
    const lines: string[] = [];
    const logger = {
      debug: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
    };
    const fake = new FakeTransport().enqueue(
      json(503, { detail: `down for ${token}` }),
      json(200, { id: 5, name: "web", status: "active", disk_gb: 10 }),
    );
    await fakeClient(fake, { apiToken: token, logger }).getServer(5);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join("\n")).toContain("[redacted]");
    expect(lines.join("\n")).not.toContain(token);
  });

  test("VpsConfigurationError and the base classes render their fields", () => {
    const error = new VpsConfigurationError("No API token.", { option: "apiToken" });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "VpsConfigurationError",
      message: "No API token.",
      option: "apiToken",
    });
    expect(inspect(error)).toContain("option: 'apiToken'");
  });
});
