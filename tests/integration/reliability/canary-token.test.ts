/**
 * Reliability 12 (client part) — a unique canary token through every error path.
 *
 * Inject: a fresh canary token (with `+`, `/`, `=`, `"` and `\` so that its base64, URL and
 * JSON forms all differ from it) used for 401, 500, a connection reset, a timeout, malformed
 * bodies, a rate limit, and validation failures (including the token pasted by mistake as an
 * id). Must hold: the token appears in no error rendering (`String`, `.message`, `.stack`,
 * `JSON.stringify`, `util.inspect` with hidden fields), no log line, nothing written to
 * stdout/stderr, nor the emulator's request log, in plain, base64, base64url, URL-encoded or
 * JSON-escaped form, nor as a fragment of 20 characters or more. Figure: hits (0).
 * The stack part (a real `pulumi up` and `pulumi stack export`) is in tests/e2e/reliability.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import type { RunningEmulator } from "../../../emulator";
import { type VpsClient, VpsError } from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { startFastEmulator } from "../../support/emulator";
import { type RawServer, startRawServer } from "../../support/http";
import { fastClient } from "../../support/client";

const CANARY = `canary-${randomBytes(12).toString("hex")}+/="\\x`;
const FRAGMENT_LENGTH = 20;

/** Every form the canary could leak in. */
function leakForms(token: string): Record<string, string> {
  return {
    plain: token,
    base64: Buffer.from(token).toString("base64"),
    base64url: Buffer.from(token).toString("base64url"),
    "base64 of the header": Buffer.from(`Bearer ${token}`).toString("base64"),
    urlEncoded: encodeURIComponent(token),
    jsonEscaped: JSON.stringify(token).slice(1, -1),
  };
}

/** The names of the forms (and fragments) of the canary found in `text`. */
function findLeaks(text: string): string[] {
  const hits = Object.entries(leakForms(CANARY))
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
  for (let start = 0; start + FRAGMENT_LENGTH <= CANARY.length; start += 1) {
    if (text.includes(CANARY.slice(start, start + FRAGMENT_LENGTH))) {
      hits.push(`fragment at ${start}`);
      break;
    }
  }
  return hits;
}

/** Every way an error is commonly rendered. */
function renderings(error: unknown): Record<string, string> {
  const e = error as Error;
  return {
    String: String(error),
    message: e.message,
    stack: e.stack ?? "",
    JSON: JSON.stringify(error),
    inspect: inspect(error),
    "inspect with hidden fields": inspect(error, { showHidden: true, depth: null }),
    template: `${e}`,
    entries: JSON.stringify(Object.entries(e)),
  };
}

describe("reliability 12 (client): a canary token through every error path", () => {
  let emulator: RunningEmulator;
  let resetServer: RawServer;
  const emulatorLog: string[] = [];
  const clientLog: string[] = [];
  const written: string[] = [];
  const hitsByPath: Record<string, string[]> = {};
  let serverId = 0;
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    resetFigures("12-canary-token");
    // Everything the process writes during these tests is kept and searched.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return originalStdout(chunk, ...(rest as []));
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return originalStderr(chunk, ...(rest as []));
    }) as typeof process.stderr.write;
    emulator = await startFastEmulator({ randomSeed: 1212, log: (line) => emulatorLog.push(line) });
    const { servers } = emulator.state.createAccount({
      id: `canary-${randomBytes(4).toString("hex")}`,
      token: CANARY,
      servers: [{ name: "canary-server", diskGb: 20 }],
    });
    serverId = servers[0]?.id ?? 0;
    resetServer = await startRawServer((request) => request.socket.destroy());
  });

  afterAll(async () => {
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    await emulator.stop();
    await resetServer.close();
    const logHits = findLeaks([...emulatorLog, ...clientLog, ...written].join("\n"));
    recordFigure("12-canary-token", "client error paths", {
      errorPaths: Object.keys(hitsByPath).length,
      hits: Object.values(hitsByPath).reduce((sum, hits) => sum + hits.length, 0) + logHits.length,
      hitsByPath,
      logHits,
      logLinesSearched: emulatorLog.length + clientLog.length + written.length,
    });
  });

  function client(
    options: Parameters<typeof fastClient>[2] = {},
    baseUrl = emulator.url,
  ): VpsClient {
    return fastClient(baseUrl, CANARY, {
      logger: { debug: (line) => clientLog.push(line), warn: (line) => clientLog.push(line) },
      ...options,
    });
  }

  const PATHS: { name: string; setUp?: () => void; call: () => Promise<unknown> }[] = [
    {
      name: "401 (token unknown to the platform)",
      call: () => fastClient(emulator.url, `${CANARY}-revoked`).listBackups(),
    },
    {
      name: "401 through createBackup",
      call: () => fastClient(emulator.url, `${CANARY}-revoked`).createBackup({ serverId }),
    },
    {
      name: "500 after retries",
      setUp: () => emulator.faults.replace({ errorRate: 1, errorStatuses: [500] }),
      call: () => client({ maxRetries: 2 }).listBackups({ serverId }),
    },
    {
      name: "502 HTML page on a create",
      setUp: () => emulator.faults.replace({ htmlErrorRate: 1 }),
      call: () => client({ maxRetries: 1 }).createBackup({ serverId }),
    },
    {
      name: "connection reset",
      call: () => client({ maxRetries: 1 }, `${resetServer.origin}/api/v1`).getServer(serverId),
    },
    {
      name: "connection reset on a create",
      call: () =>
        client({ maxRetries: 1 }, `${resetServer.origin}/api/v1`).createBackup({ serverId }),
    },
    {
      name: "timeout (no answer)",
      setUp: () => emulator.faults.replace({ hangRate: 1 }),
      call: () => client({ deadlineMs: 300 }).listBackups(),
    },
    {
      name: "malformed JSON",
      setUp: () => emulator.faults.replace({ malformedJsonRate: 1 }),
      call: () => client().listServers(),
    },
    {
      name: "429 past the deadline",
      setUp: () => emulator.faults.replace({ rateLimit: { requestsPerSecond: 0.001, burst: 1 } }),
      call: async () => {
        const c = client({ deadlineMs: 500 });
        await c.listBackups();
        return c.listBackups();
      },
    },
    { name: "404", call: () => client().deleteBackup(999_999) },
    {
      name: "invalid argument: the token pasted as serverId",
      call: () => client().createBackup({ serverId: CANARY as unknown as number }),
    },
    {
      name: "invalid argument: the token pasted as backupId",
      call: () => client().deleteBackup(CANARY as unknown as number),
    },
    {
      name: "invalid argument: the token as a backupType",
      call: () => client().listBackups({ backupType: CANARY }),
    },
    { name: "configuration: the token pasted as baseUrl", call: async () => client({}, CANARY) },
    {
      name: "wait that times out",
      setUp: () => emulator.state.queueNextBackup(serverId, { outcome: "stuck" }),
      call: async () => {
        const c = client();
        const b = await c.createBackup({ serverId });
        return c.waitForBackup(b.id, { serverId, timeoutMs: 50 });
      },
    },
  ];

  it.each(PATHS)(
    "$name: the canary appears in no rendering of the error",
    async ({ name, setUp, call }) => {
      setUp?.();
      let error: unknown;
      try {
        await call();
      } catch (thrown) {
        error = thrown;
      } finally {
        emulator.faults.replace({});
      }
      expect(error).toBeInstanceOf(VpsError);
      const hits = Object.entries(renderings(error)).flatMap(([rendering, text]) =>
        findLeaks(text).map((form) => `${rendering}: ${form}`),
      );
      hitsByPath[name] = hits;
      expect(hits).toEqual([]);
    },
  );

  it("the client itself, logged or serialized, does not show the canary", () => {
    const c = client();
    const texts = [
      String(c),
      JSON.stringify(c),
      inspect(c),
      inspect(c, { showHidden: true, depth: null }),
      JSON.stringify(Object.entries(c)),
    ];
    const hits = texts.flatMap((text) => findLeaks(text));
    hitsByPath["the client object"] = hits;
    expect(hits).toEqual([]);
  });

  it("no log line, stdout or stderr write, nor emulator request log line holds the canary", () => {
    expect(clientLog.length).toBeGreaterThan(0);
    expect(emulatorLog.length).toBeGreaterThan(0);
    expect(findLeaks(clientLog.join("\n"))).toEqual([]);
    expect(findLeaks(emulatorLog.join("\n"))).toEqual([]);
    expect(findLeaks(written.join(""))).toEqual([]);
  });
});
