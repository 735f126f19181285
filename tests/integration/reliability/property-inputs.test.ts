/**
 * Reliability 9 — property tests over every input: the provider's `check` and every client
 * method, with unicode, `../`, `%2F`, huge numbers, floats, strings for ids, objects, null.
 *
 * Must hold: paths and queries are built only from validated ids (so nothing can be injected
 * into them), invalid input is rejected with `VpsInvalidArgumentError` before any request,
 * valid input is sent exactly (the description round-trips byte for byte), nothing throws an
 * untyped error, and `check` never throws and flags exactly the invalid fields.
 * Seeds: `VPS_RELIABILITY_SEED` replays a run; the seed of each run is in the figures.
 * The client runs on a scripted transport (no sockets), so 1 000 runs take about a second.
 */
import fc from "fast-check";
import { serverBackup } from "../../../provider/runtime";
import {
  type TransportRequest,
  type TransportResponse,
  VpsClient,
  VpsError,
  VpsInvalidArgumentError,
} from "../../../sdk";
import { propertySeed, recordFigure, resetFigures } from "../../support/reliability-figures";
import { wireBackup } from "../../support/http";

const RUNS = 1_000;
const TOKEN = "property-token-5f0c1d2e3a4b";
const BASE = "https://admin.vps.org/api/v1";

/** Every shape an id could wrongly (or rightly) take. */
const anyId = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(
    0,
    -1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    2 ** 63,
    1e21,
    NaN,
    Infinity,
    -Infinity,
    1.5,
    0.1,
    -0,
  ),
  fc.double(),
  fc.string(),
  fc.constantFrom(
    "501",
    "../",
    "..%2F..%2Fservers",
    "%2F",
    "1/../2",
    "12345?server_id=1",
    "1#x",
    " 1",
    "1e3",
    "0x10",
    "١٢٣",
  ),
  fc.bigInt(),
  fc.constantFrom(null, undefined, true, false),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.constantFrom(
    "../../etc/passwd",
    "%2F%2E%2E",
    "\u0000",
    "a\r\nX-Injected: 1",
    "🦄".repeat(130),
    "🦄".repeat(255),
    "🦄".repeat(256),
    "x".repeat(255),
    "x".repeat(256),
  ),
);
const anyDescription = fc.oneof(
  anyText,
  fc.constantFrom(undefined, null),
  fc.integer(),
  fc.object({ maxDepth: 1 }),
);
const anyBackupType = fc.oneof(
  fc.constantFrom("manual", "automatic", "MANUAL", "Automatic", "mAnUaL", "manual ", "", undefined),
  anyText,
  fc.integer(),
);

function isValidId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
// "At most 255 characters" (docs/api.md, decision 8) counts characters as the platform (Django) and the
// sdk's DescriptionSchema do: code points, so an emoji is one character, not two UTF-16 units.
function isValidDescription(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === "string" && [...value].length <= 255)
  );
}
function isValidBackupType(value: unknown): boolean {
  return (
    value === undefined ||
    (typeof value === "string" && ["manual", "automatic"].includes(value.toLowerCase()))
  );
}

/** A client whose transport answers every request with a valid body and records it. */
function scriptedClient() {
  const requests: TransportRequest[] = [];
  const answer = (request: TransportRequest): TransportResponse => {
    const path = new URL(request.url).pathname;
    const json = (status: number, body: unknown): TransportResponse => ({
      status,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (request.method === "DELETE") return { status: 204, headers: {}, body: "" };
    if (path.endsWith("/restore/")) {
      const serverId = Number(path.split("/").at(-3));
      return json(202, {
        message: "Server restore has started.",
        server_id: serverId,
        backup_id: (JSON.parse(request.body ?? "{}") as { backup_id: number }).backup_id,
        status: "restoring",
      });
    }
    if (request.method === "POST") {
      const body = JSON.parse(request.body ?? "{}") as { server_id: number; description?: string };
      return json(201, {
        ...wireBackup(9001, body.server_id, { description: body.description ?? null }),
        message: "Backup is being created.",
      });
    }
    if (path.endsWith("/servers/"))
      return json(200, { count: 0, next: null, previous: null, results: [] });
    if (/\/servers\/\d+\/$/.test(path))
      return json(200, {
        id: Number(path.split("/").at(-2)),
        name: "s",
        status: "active",
        disk_gb: 80,
      });
    const serverId = Number(new URL(request.url).searchParams.get("server_id") ?? 12345);
    return json(200, {
      count: 1,
      next: null,
      previous: null,
      results: [wireBackup(7, serverId, { status: "completed", size_mb: 1 })],
    });
  };
  const client = new VpsClient({
    baseUrl: BASE,
    apiToken: TOKEN,
    retryBaseDelayMs: 0,
    pollSchedule: () => 1,
    transport: async (request) => {
      requests.push(request);
      return answer(request);
    },
  });
  return { client, requests };
}

const ALLOWED_PATHS = [
  /^\/api\/v1\/backups\/$/,
  /^\/api\/v1\/backups\/[1-9]\d*\/$/,
  /^\/api\/v1\/servers\/$/,
  /^\/api\/v1\/servers\/[1-9]\d*\/$/,
  /^\/api\/v1\/servers\/[1-9]\d*\/restore\/$/,
];

/** Runs a call; checks the typed-error and no-request-when-invalid rules; returns the requests. */
async function callChecked(
  valid: boolean,
  run: (client: VpsClient) => Promise<unknown>,
): Promise<TransportRequest[]> {
  const { client, requests } = scriptedClient();
  let thrown: unknown;
  try {
    await run(client);
  } catch (error) {
    thrown = error;
  }
  if (thrown !== undefined && !(thrown instanceof VpsError))
    throw new Error(`untyped error: ${String(thrown)}`);
  if (!valid) {
    expect(thrown).toBeInstanceOf(VpsInvalidArgumentError);
    expect(requests).toHaveLength(0);
  } else {
    expect(thrown).toBeUndefined();
  }
  for (const request of requests) {
    const url = new URL(request.url);
    expect(url.origin).toBe("https://admin.vps.org");
    expect(ALLOWED_PATHS.some((pattern) => pattern.test(url.pathname))).toBe(true);
    expect(request.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  }
  return requests;
}

describe("reliability 9: property tests over every input", () => {
  const seed = propertySeed();
  const figures: Record<string, unknown> = { seed, runsPerProperty: RUNS };
  const settings = { numRuns: RUNS, seed };
  beforeAll(() => resetFigures("09-property-inputs"));
  afterAll(() => recordFigure("09-property-inputs", "properties", figures));

  it("createBackup: invalid serverId/description rejected before any request; valid ones sent exactly", async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(anyId, anyDescription, async (serverId, description) => {
        const valid = isValidId(serverId) && isValidDescription(description);
        const requests = await callChecked(valid, (client) =>
          client.createBackup({ serverId, description } as never),
        );
        if (valid) {
          sent += 1;
          expect(requests).toHaveLength(1);
          const body = JSON.parse(requests[0]?.body ?? "{}") as Record<string, unknown>;
          expect(body.server_id).toBe(serverId);
          if (typeof description === "string") expect(body.description).toBe(description);
          else expect("description" in body).toBe(false);
        }
      }),
      settings,
    );
    figures.createBackupValidRuns = sent;
  });

  it.each([
    {
      name: "deleteBackup",
      run: (client: VpsClient, id: unknown) => client.deleteBackup(id as number),
      pathOf: (id: number) => `/api/v1/backups/${id}/`,
    },
    {
      name: "getServer",
      run: (client: VpsClient, id: unknown) => client.getServer(id as number),
      pathOf: (id: number) => `/api/v1/servers/${id}/`,
    },
  ])(
    "$name: the id is the whole path segment, or the call is refused before any request",
    async ({ run, pathOf }) => {
      await fc.assert(
        fc.asyncProperty(anyId, async (id) => {
          const valid = isValidId(id);
          const requests = await callChecked(valid, (client) => run(client, id));
          if (valid)
            expect(requests.map((request) => new URL(request.url).pathname)).toEqual([pathOf(id)]);
        }),
        settings,
      );
    },
  );

  it("restoreServer: both ids validated, the path names the server, the body the backup", async () => {
    await fc.assert(
      fc.asyncProperty(anyId, anyId, async (serverId, backupId) => {
        const valid = isValidId(serverId) && isValidId(backupId);
        const requests = await callChecked(valid, (client) =>
          client.restoreServer(serverId as number, backupId as number),
        );
        if (valid) {
          // restoreServer reads the server first (already restoring?), then POSTs.
          const post = requests.find((request) => request.method === "POST");
          expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
          expect(new URL(post?.url ?? "").pathname).toBe(`/api/v1/servers/${serverId}/restore/`);
          expect(JSON.parse(post?.body ?? "{}")).toEqual({ backup_id: backupId });
        }
      }),
      settings,
    );
  });

  it("listBackups / findBackup: filters become exact query values, or the call is refused", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(anyId, { nil: undefined }),
        anyBackupType,
        anyId,
        async (serverId, backupType, backupId) => {
          const filtersValid =
            (serverId === undefined || isValidId(serverId)) && isValidBackupType(backupType);
          const listRequests = await callChecked(filtersValid, (client) =>
            client.listBackups({ serverId, backupType } as never),
          );
          if (filtersValid) {
            const query = new URL(listRequests[0]?.url ?? "").searchParams;
            expect(query.get("server_id")).toBe(serverId === undefined ? null : String(serverId));
            expect(query.get("backup_type")).toBe(
              backupType === undefined ? null : String(backupType).toLowerCase(),
            );
          }
          const findValid = isValidId(backupId) && (serverId === undefined || isValidId(serverId));
          await callChecked(findValid, (client) =>
            client.findBackup(backupId as number, { serverId } as never),
          );
        },
      ),
      settings,
    );
  });

  it("waitForBackup: ids and timeoutMs validated before any poll", async () => {
    const anyTimeout = fc.oneof(
      fc.constantFrom(undefined, 1_000),
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.constantFrom(0, -1, NaN, Infinity, null),
    );
    await fc.assert(
      fc.asyncProperty(anyId, anyId, anyTimeout, async (backupId, serverId, timeoutMs) => {
        // null means "not given", as for every optional option (the default applies).
        const timeoutValid =
          timeoutMs === undefined ||
          timeoutMs === null ||
          (typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs > 0);
        const valid = isValidId(backupId) && isValidId(serverId) && timeoutValid;
        const { client, requests } = scriptedClient();
        let thrown: unknown;
        // Only the validation matters here: a valid wait is aborted at once.
        const controller = new AbortController();
        controller.abort();
        try {
          await client.waitForBackup(backupId as number, {
            serverId: serverId as number,
            timeoutMs: timeoutMs as number,
            signal: controller.signal,
          });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(VpsError);
        if (!valid) {
          expect(thrown).toBeInstanceOf(VpsInvalidArgumentError);
          expect(requests).toHaveLength(0);
        } else expect(thrown).not.toBeInstanceOf(VpsInvalidArgumentError);
      }),
      settings,
    );
  });

  it("the provider's check never throws, and flags exactly the invalid fields", async () => {
    const anyDuration = fc.oneof(
      fc.constantFrom("45m", "1h30m", "90s", "500ms", "24h", "25h", "0s", "", "1d", "m45", "1h1h"),
      anyText,
      fc.integer(),
    );
    const anyUrl = fc.oneof(
      fc.constantFrom(
        "https://admin.vps.org/api/v1",
        "http://127.0.0.1:8080/api/v1",
        "ftp://x",
        "not a url",
        "",
      ),
      anyText,
      fc.integer(),
    );
    const news = fc.record(
      {
        serverId: anyId,
        description: anyDescription,
        triggers: fc.oneof(fc.array(fc.anything(), { maxLength: 3 }), fc.anything()),
        createTimeout: anyDuration,
        adoptBackupId: anyId,
        apiUrl: anyUrl,
        apiToken: fc.oneof(
          fc.constant(`token-${"5f0c1d2e"}`),
          fc.constantFrom("", "   ", null),
          fc.integer(),
        ),
        unexpected: fc.anything(),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(news, async (inputs) => {
        const result = await serverBackup.check({}, inputs as Record<string, unknown>);
        const failures = result.failures ?? [];
        const flagged = new Set(failures.map((failure) => failure.property));
        for (const failure of failures) expect(typeof failure.reason).toBe("string");
        // Exactly the invalid ids and descriptions are flagged (the field rules come from the sdk).
        expect(flagged.has("serverId")).toBe(!isValidId(inputs.serverId));
        if (inputs.adoptBackupId !== undefined && inputs.adoptBackupId !== null)
          expect(flagged.has("adoptBackupId")).toBe(!isValidId(inputs.adoptBackupId));
        if (inputs.description !== undefined && inputs.description !== null)
          expect(flagged.has("description")).toBe(!isValidDescription(inputs.description));
        // Unknown fields never reach the recorded inputs.
        expect("unexpected" in (result.inputs ?? {})).toBe(false);
        // A reason never repeats the token.
        if (typeof inputs.apiToken === "string" && inputs.apiToken.length > 6) {
          for (const failure of failures) expect(failure.reason).not.toContain(inputs.apiToken);
        }
        if (failures.length === 0) accepted += 1;
      }),
      settings,
    );
    figures.checkAcceptedRuns = accepted;
  });
});
