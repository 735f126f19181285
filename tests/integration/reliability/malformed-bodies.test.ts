/**
 * Reliability 8 — malformed or truncated JSON, an HTML error page, an oversized body.
 *
 * Inject: a raw loopback server answers with each broken body (2xx and error statuses), and
 * the emulator cuts JSON answers in half, sends nginx's 502 page, or pads answers past the
 * client's size cap. Must hold: a typed error every time, and no undefined (or string, or
 * made-up) id ever reaches what the provider returns to the engine; a malformed read never
 * makes the provider say the backup is gone. Figure: outcomes per body.
 */
import type { RunningEmulator } from "../../../emulator";
import { serverBackup, setSharedClientOptions } from "../../../provider/runtime";
import { VpsError, VpsResponseValidationError, VpsServerError } from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import {
  freshAccount,
  inventoryBackups,
  randomSuffix,
  startFastEmulator,
} from "../../support/emulator";
import { type RawServer, startRawServer, wireBackup } from "../../support/http";
import { fastClient } from "../../support/client";

const HTML_PAGE =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

/** Broken 2xx bodies; the list and the create each get every one. */
const BROKEN_SUCCESS_BODIES: Record<string, string> = {
  "truncated JSON": '{"count": 1, "next": null, "results": [{"id": 501, "server": {"id": 12345',
  "HTML page with 200": HTML_PAGE,
  "empty body": "",
  "JSON null": "null",
  "id as a string": JSON.stringify({
    count: 1,
    results: [wireBackup(501, 12345, { id: "501" })],
    ...wireBackup(501, 12345, { id: "501" }),
  }),
  "id missing": JSON.stringify({
    count: 1,
    results: [{ ...wireBackup(501, 12345), id: undefined }],
    ...wireBackup(501, 12345),
    id: undefined,
  }),
  "id null": JSON.stringify({
    count: 1,
    results: [wireBackup(501, 12345, { id: null })],
    ...wireBackup(501, 12345, { id: null }),
  }),
  "id a float": JSON.stringify({
    count: 1,
    results: [wireBackup(501.5, 12345)],
    ...wireBackup(501.5, 12345),
  }),
  "id negative": JSON.stringify({
    count: 1,
    results: [wireBackup(-1, 12345)],
    ...wireBackup(-1, 12345),
  }),
  "results not a list": JSON.stringify({ count: 1, results: { id: 501 } }),
  "oversized (20 KiB, cap 8 KiB)": JSON.stringify({
    count: 0,
    results: [],
    padding: "x".repeat(20 * 1024),
  }),
};

describe("reliability 8: malformed, truncated, HTML and oversized bodies", () => {
  const outcomes: Record<string, string> = {};
  beforeAll(() => resetFigures("08-malformed-bodies"));
  afterAll(() => recordFigure("08-malformed-bodies", "client against a raw server", outcomes));

  describe("a raw server's broken answers reach the client as typed errors", () => {
    let server: RawServer;
    let brokenBody = "";
    let brokenStatus = 200;

    beforeAll(async () => {
      server = await startRawServer((request, response) => {
        const isCreate = request.method === "POST";
        const isAdoptionLook = request.method === "GET" && brokenStatus === 201;
        // While a create is broken, the look for an adoptable backup finds nothing.
        const status = isAdoptionLook
          ? 200
          : isCreate
            ? brokenStatus
            : brokenStatus === 201
              ? 200
              : brokenStatus;
        const body = isAdoptionLook
          ? JSON.stringify({ count: 0, next: null, previous: null, results: [] })
          : brokenBody;
        response.writeHead(status, {
          "content-type": body.startsWith("<") ? "text/html" : "application/json",
          "content-length": String(Buffer.byteLength(body)),
        });
        response.end(body);
      });
    });
    afterAll(async () => {
      await server.close();
    });

    it.each(Object.entries(BROKEN_SUCCESS_BODIES))(
      "list answered 200 with %s → VpsResponseValidationError",
      async (name, body) => {
        brokenStatus = 200;
        brokenBody = body;
        const client = fastClient(`${server.origin}/api/v1`, "malformed-token", {
          maxResponseBytes: 8 * 1024,
        });
        const error = await client.listBackups({ serverId: 12345 }).then(
          (value) => value,
          (thrown: unknown) => thrown,
        );
        outcomes[`list, 200 ${name}`] =
          error instanceof Error ? error.name : `resolved ${JSON.stringify(error)}`;
        expect(error).toBeInstanceOf(VpsResponseValidationError);
      },
    );

    it.each(Object.entries(BROKEN_SUCCESS_BODIES))(
      "create answered 201 with %s → typed error, never an id",
      async (name, body) => {
        brokenStatus = 201;
        brokenBody = body;
        const client = fastClient(`${server.origin}/api/v1`, "malformed-token", {
          maxResponseBytes: 8 * 1024,
          maxRetries: 2,
        });
        const result = await client
          .createBackup({ serverId: 12345, description: "malformed" })
          .then(
            (value) => value,
            (thrown: unknown) => thrown,
          );
        outcomes[`create, 201 ${name}`] =
          result instanceof Error ? result.name : `resolved ${JSON.stringify(result)}`;
        expect(result).toBeInstanceOf(VpsResponseValidationError);
        // An unparseable answer to a create may still have made the backup: the error says so.
        expect((result as Error).message).toMatch(
          /a backup may have been created anyway|larger than maxResponseBytes/,
        );
      },
    );

    it.each([
      { status: 502, body: HTML_PAGE, name: "nginx HTML page" },
      { status: 500, body: "", name: "empty body" },
      { status: 503, body: '{"detail": "Service unav', name: "truncated JSON" },
    ])(
      "$status with $name → VpsServerError after the retries, saying what the body was",
      async ({ status, body, name }) => {
        brokenStatus = status;
        brokenBody = body;
        const client = fastClient(`${server.origin}/api/v1`, "malformed-token", { maxRetries: 2 });
        const error = await client.getServer(12345).then(
          (value) => value,
          (thrown: unknown) => thrown,
        );
        outcomes[`getServer, ${status} ${name}`] =
          error instanceof Error ? `${error.name}: ${error.message}` : "resolved";
        expect(error).toBeInstanceOf(VpsServerError);
        expect((error as VpsServerError).status).toBe(status);
        expect((error as VpsServerError).serverMessage).toBeNull();
        expect((error as Error).message).toMatch(/the response body (was not JSON|was empty)/);
      },
    );
  });

  describe("the emulator's body faults, through the provider", () => {
    let emulator: RunningEmulator;

    beforeAll(async () => {
      emulator = await startFastEmulator({ randomSeed: 808 });
      setSharedClientOptions({
        pollSchedule: () => 5,
        retryBaseDelayMs: 2,
        retryMaxDelayMs: 20,
        maxResponseBytes: 64 * 1024,
      });
    });
    afterAll(async () => {
      await emulator.stop();
    });

    function inputsFor(account: { token: string; serverIds: number[] }) {
      return {
        serverId: account.serverIds[0] ?? 0,
        description: `malformed-${randomSuffix()}`,
        apiUrl: emulator.url,
        apiToken: account.token,
      };
    }

    it("create answered with half a JSON: the backup made is adopted, and its real id reaches the engine", async () => {
      const account = freshAccount(emulator);
      emulator.faults.replace({ malformedJsonRate: 1, scope: { methods: ["POST"] } });
      try {
        const created = await serverBackup.create(inputsFor(account));
        const onPlatform = inventoryBackups(emulator, account.accountId);
        outcomes["provider create, POST answer cut in half"] =
          `id ${created.id}, ${onPlatform.length} backup(s) on the platform`;
        expect(onPlatform).toHaveLength(1);
        expect(created.id).toBe(String(onPlatform[0]?.id));
        expect(created.outs).toMatchObject({ backupId: onPlatform[0]?.id, status: "completed" });
      } finally {
        emulator.faults.replace({});
      }
    });

    it.each([
      { name: "every answer cut in half", faults: { malformedJsonRate: 1 } },
      { name: "every answer nginx's 502 page", faults: { htmlErrorRate: 1 } },
      {
        name: "every answer padded to 128 KiB (cap 64 KiB)",
        faults: { oversizedBodyRate: 1, oversizedBodyBytes: 128 * 1024 },
      },
    ])(
      "$name: create fails with a typed error and hands the engine no id",
      async ({ name, faults }) => {
        const account = freshAccount(emulator);
        emulator.faults.replace(faults);
        let result: unknown;
        try {
          result = await serverBackup.create(inputsFor(account)).then(
            (value) => value,
            (thrown: unknown) => thrown,
          );
        } finally {
          emulator.faults.replace({});
        }
        const left = inventoryBackups(emulator, account.accountId).length;
        outcomes[`provider create, ${name}`] =
          `${result instanceof Error ? `${result.name}: ${result.message.slice(0, 160)}` : `resolved ${JSON.stringify(result)}`} — backups left on the platform: ${left}`;
        expect(result).toBeInstanceOf(VpsError);
        // An error that hands the engine an id must hand it the id of a backup that exists.
        const id = (result as { id?: unknown }).id;
        if (id !== undefined)
          expect(
            inventoryBackups(emulator, account.accountId).map((backup) => String(backup.id)),
          ).toContain(id);
      },
    );

    it.each([
      { name: "cut in half", faults: { malformedJsonRate: 1 } },
      { name: "nginx's 502 page", faults: { htmlErrorRate: 1 } },
    ])(
      "read answered $name: a typed error, never 'the backup is gone'",
      async ({ name, faults }) => {
        const account = freshAccount(emulator);
        const inputs = inputsFor(account);
        const created = await serverBackup.create(inputs);
        emulator.faults.replace(faults);
        let result: unknown;
        try {
          result = await serverBackup.read!(
            created.id,
            created.outs as Record<string, unknown>,
          ).then(
            (value) => value,
            (thrown: unknown) => thrown,
          );
        } finally {
          emulator.faults.replace({});
        }
        outcomes[`provider read, ${name}`] =
          result instanceof Error ? result.name : `resolved ${JSON.stringify(result)}`;
        expect(result).toBeInstanceOf(VpsError);
      },
    );
  });
});
