/**
 * Reliability 6 — errors that must not be retried (400, 401, 403, 404, 422).
 *
 * Inject: a raw loopback server answers every request with the status (DRF-shaped body),
 * for every client method. Must hold: exactly one attempt, and the typed error of that status.
 * Figure: attempts per status and method.
 */
import {
  VpsAuthenticationError,
  VpsBadRequestError,
  type VpsClient,
  VpsNotFoundError,
  VpsPermissionError,
} from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { type RawServer, sendJson, startRawServer } from "../../support/http";
import { fastClient } from "../../support/client";

const STATUSES = [
  {
    status: 400,
    errorClass: VpsBadRequestError,
    body: { server_id: ["A valid integer is required."] },
  },
  { status: 401, errorClass: VpsAuthenticationError, body: { detail: "Invalid token." } },
  {
    status: 403,
    errorClass: VpsPermissionError,
    body: { detail: "You do not have permission to perform this action." },
  },
  { status: 404, errorClass: VpsNotFoundError, body: { detail: "Not found." } },
  {
    status: 422,
    errorClass: VpsBadRequestError,
    body: { description: ["Ensure this field has no more than 255 characters."] },
  },
];

const METHODS: { name: string; call: (client: VpsClient) => Promise<unknown> }[] = [
  { name: "listBackups", call: (client) => client.listBackups({ serverId: 12345 }) },
  { name: "findBackup", call: (client) => client.findBackup(501, { serverId: 12345 }) },
  {
    name: "createBackup",
    call: (client) => client.createBackup({ serverId: 12345, description: "no retry" }),
  },
  { name: "deleteBackup", call: (client) => client.deleteBackup(501) },
  { name: "restoreServer", call: (client) => client.restoreServer(12345, 501) },
  { name: "getServer", call: (client) => client.getServer(12345) },
  { name: "listServers", call: (client) => client.listServers() },
  {
    name: "waitForBackup",
    call: (client) => client.waitForBackup(501, { serverId: 12345, timeoutMs: 5_000 }),
  },
];

describe("reliability 6: errors that must not be retried", () => {
  let server: RawServer;
  let answerStatus = 400;
  let answerBody: unknown = {};
  const attempts: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    resetFigures("06-non-retryable");
    server = await startRawServer((_request, response) =>
      sendJson(response, answerStatus, answerBody),
    );
  });
  afterAll(async () => {
    recordFigure("06-non-retryable", "attempts per status and method", attempts);
    await server.close();
  });

  describe.each(STATUSES)("$status", ({ status, errorClass, body }) => {
    it.each(METHODS)("$name: exactly one attempt, typed error", async ({ name, call }) => {
      answerStatus = status;
      answerBody = body;
      const before = server.requests.length;
      const client = fastClient(`${server.origin}/api/v1`, "non-retryable-token");

      const error = await call(client).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      const sent = server.requests.length - before;
      (attempts[String(status)] ??= {})[name] = sent;
      expect(error).toBeInstanceOf(errorClass);
      expect((error as { status: number }).status).toBe(status);
      expect(sent).toBe(1);
      expect(client.stats.retries).toBe(0);
    });
  });
});
