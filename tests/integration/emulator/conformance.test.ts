/**
 * The emulator answers the platform page's examples the way the page shows, and every status
 * the page and the project's decisions (docs/api.md) document.
 */
import { type RunningEmulator, startEmulator, CREATE_MESSAGE } from "../../../emulator";
import {
  ApiBackupPageSchema,
  ApiCreatedBackupSchema,
  ApiDetailErrorSchema,
  ApiFieldErrorsSchema,
  ApiRestoreResponseSchema,
  ApiServerPageSchema,
  ApiServerSchema,
} from "../../../sdk/schemas";
import { freshAccount } from "../../support/emulator";
import { api, control } from "../../support/http";

/**
 * The page's curl examples, verbatim. The page shows restore only as
 * `POST /api/v1/servers/{server_id}/restore/` with `{"backup_id": 501}`: written here in the
 * same curl form, for the page's server 12345.
 */
const PAGE_EXAMPLES = {
  list: `curl -X GET "https://admin.vps.org/api/v1/backups/?server_id=12345" \\
-H "Authorization: Bearer YOUR_API_TOKEN" \\
-H "Content-Type: application/json"`,
  create: `curl -X POST "https://admin.vps.org/api/v1/backups/" \\
-H "Authorization: Bearer YOUR_API_TOKEN" \\
-H "Content-Type: application/json" \\
-d '{
"server_id": 12345,
"description": "Pre-deployment backup"
}'`,
  delete: `curl -X DELETE "https://admin.vps.org/api/v1/backups/501/" \\
-H "Authorization: Bearer YOUR_API_TOKEN" \\
-H "Content-Type: application/json"`,
  restore: `curl -X POST "https://admin.vps.org/api/v1/servers/12345/restore/" \\
-H "Authorization: Bearer YOUR_API_TOKEN" \\
-H "Content-Type: application/json" \\
-d '{
"backup_id": 501
}'`,
};

/** Splits a shell command into words (quotes and backslash-newlines, as bash would). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let current: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i] ?? "";
    if (quote) {
      if (char === quote) quote = null;
      else current = (current ?? "") + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= "";
    } else if (char === "\\" && command[i + 1] === "\n") {
      i += 1;
    } else if (/\s/.test(char)) {
      if (current !== null) words.push(current);
      current = null;
    } else {
      current = (current ?? "") + char;
    }
  }
  if (current !== null) words.push(current);
  return words;
}

/** Runs one of the page's curl commands against the emulator, with only the host changed. */
async function runPageExample(emulator: RunningEmulator, command: string) {
  const words = shellWords(command.replace("https://admin.vps.org", emulator.origin));
  let method = "GET";
  let url = "";
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i += 1) {
    const word = words[i] ?? "";
    if (word === "-X") method = words[++i] ?? "";
    else if (word === "-H") {
      const [name, ...value] = (words[++i] ?? "").split(":");
      headers[name ?? ""] = value.join(":").trim();
    } else if (word === "-d") body = words[++i];
    else url = word;
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

describe("emulator conformance with the platform page", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0 });
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(() => {
    emulator.reset();
  });

  /** Runs `action` with restores lasting hours, so the test sees the server still restoring. */
  async function withLongRestores<T>(action: () => Promise<T>): Promise<T> {
    const options = emulator.state.options;
    const saved = options.restoreBaseMs;
    options.restoreBaseMs = 10_000_000_000;
    try {
      return await action();
    } finally {
      options.restoreBaseMs = saved;
    }
  }

  test("list example: 200, the sample's three backups newest first, parsing with the sdk schema", async () => {
    const response = await runPageExample(emulator, PAGE_EXAMPLES.list);
    expect(response.status).toBe(200);
    const page = ApiBackupPageSchema.parse(response.json);
    expect(page.count).toBe(3);
    expect(page.results.map((b) => b.id)).toEqual([501, 499, 495]);
    expect(page.results.map((b) => [b.backup_type, b.status, b.size_mb, b.description])).toEqual([
      ["automatic", "completed", 4523, "Automatic daily backup"],
      ["manual", "completed", 4456, "Pre-update backup"],
      ["automatic", "completed", 4389, "Automatic daily backup"],
    ]);
    const [b501, b499, b495] = page.results;
    // The sample's shape: 499 made first, then 495, then 501; manual never expires.
    expect(Date.parse(b499?.created_at ?? "")).toBeLessThan(Date.parse(b495?.created_at ?? ""));
    expect(Date.parse(b495?.created_at ?? "")).toBeLessThan(Date.parse(b501?.created_at ?? ""));
    expect(b499?.expires_at).toBeNull();
    expect(b501?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(b501?.expires_at ?? "")).toBeGreaterThan(Date.now());
    expect(b501?.server).toEqual({ id: 12345, name: "web-server-01" });
  });

  test("create example: 201 with the sample's fields, id 502, in progress, and the page's message", async () => {
    const response = await runPageExample(emulator, PAGE_EXAMPLES.create);
    expect(response.status).toBe(201);
    const created = ApiCreatedBackupSchema.parse(response.json);
    expect(Object.keys(response.json as object).sort()).toEqual(
      [
        "backup_type",
        "created_at",
        "description",
        "expires_at",
        "id",
        "message",
        "server",
        "size_mb",
        "status",
      ].sort(),
    );
    expect(created).toMatchObject({
      id: 502,
      server: { id: 12345, name: "web-server-01" },
      backup_type: "manual",
      status: "in_progress",
      size_mb: null,
      expires_at: null,
      description: "Pre-deployment backup",
      message: CREATE_MESSAGE,
    });
  });

  test("delete example: 204 with an empty body, and 501 is gone from the list", async () => {
    const response = await runPageExample(emulator, PAGE_EXAMPLES.delete);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    const list = ApiBackupPageSchema.parse((await api(emulator, "/backups/?server_id=12345")).json);
    expect(list.results.map((b) => b.id)).toEqual([499, 495]);
  });

  test("restore example: 202 restoring, and the server shows restoring (docs/api.md, decision 13)", async () => {
    const response = await withLongRestores(() => runPageExample(emulator, PAGE_EXAMPLES.restore));
    expect(response.status).toBe(202);
    expect(ApiRestoreResponseSchema.parse(response.json)).toMatchObject({
      server_id: 12345,
      backup_id: 501,
      status: "restoring",
    });
    const server = ApiServerSchema.parse((await api(emulator, "/servers/12345/")).json);
    expect(server.status).toBe("restoring");
  });

  describe("every status the page documents", () => {
    const cases: {
      name: string;
      path: string;
      method: string;
      body?: unknown;
      token?: string | null;
      status: number;
      detail?: string;
      field?: string;
    }[] = [
      {
        name: "list without a token",
        path: "/backups/",
        method: "GET",
        token: null,
        status: 401,
        detail: "Authentication credentials were not provided.",
      },
      {
        name: "list with a wrong token",
        path: "/backups/",
        method: "GET",
        token: "not-a-token",
        status: 401,
        detail: "Invalid token.",
      },
      {
        name: "create without a token",
        path: "/backups/",
        method: "POST",
        body: { server_id: 12345 },
        token: null,
        status: 401,
        detail: "Authentication credentials were not provided.",
      },
      {
        name: "create with a wrong token",
        path: "/backups/",
        method: "POST",
        body: { server_id: 12345 },
        token: "nope",
        status: 401,
        detail: "Invalid token.",
      },
      {
        name: "create with a string server_id",
        path: "/backups/",
        method: "POST",
        body: { server_id: "12345" },
        status: 400,
        field: "server_id",
      },
      {
        name: "create without server_id",
        path: "/backups/",
        method: "POST",
        body: { description: "x" },
        status: 400,
        field: "server_id",
      },
      {
        name: "create with a malformed body",
        path: "/backups/",
        method: "POST",
        body: "{not json",
        status: 400,
        field: "non_field_errors",
      },
      {
        name: "create for a server that does not exist",
        path: "/backups/",
        method: "POST",
        body: { server_id: 99999 },
        status: 404,
        detail: "Server 99999 not found.",
      },
      {
        name: "delete without a token",
        path: "/backups/501/",
        method: "DELETE",
        token: null,
        status: 401,
        detail: "Authentication credentials were not provided.",
      },
      {
        name: "delete a backup that does not exist",
        path: "/backups/99999/",
        method: "DELETE",
        status: 404,
        detail: "Backup 99999 not found.",
      },
      {
        name: "restore without a token",
        path: "/servers/12345/restore/",
        method: "POST",
        body: { backup_id: 501 },
        token: null,
        status: 401,
        detail: "Authentication credentials were not provided.",
      },
      {
        name: "restore a server that does not exist",
        path: "/servers/99999/restore/",
        method: "POST",
        body: { backup_id: 501 },
        status: 404,
        detail: "Server 99999 not found.",
      },
      {
        name: "restore from a backup that does not exist",
        path: "/servers/12345/restore/",
        method: "POST",
        body: { backup_id: 99999 },
        status: 404,
        detail: "Backup 99999 not found.",
      },
      {
        name: "restore without backup_id",
        path: "/servers/12345/restore/",
        method: "POST",
        body: {},
        status: 400,
        field: "backup_id",
      },
      {
        name: "restore a server from another server's backup",
        path: "/servers/12346/restore/",
        method: "POST",
        body: { backup_id: 501 },
        status: 400,
        field: "backup_id",
      },
      {
        name: "read one backup (docs/api.md, decision 17)",
        path: "/backups/501/",
        method: "GET",
        status: 405,
        detail: 'Method "GET" not allowed.',
      },
      {
        name: "servers without a token",
        path: "/servers/",
        method: "GET",
        token: null,
        status: 401,
        detail: "Authentication credentials were not provided.",
      },
      {
        name: "a server that does not exist",
        path: "/servers/99999/",
        method: "GET",
        status: 404,
        detail: "Server 99999 not found.",
      },
    ];
    test.each(cases)(
      "$name → $status",
      async ({ path, method, body, token, status, detail, field }) => {
        const response = await api(emulator, path, { method, body, token });
        expect(response.status).toBe(status);
        if (detail !== undefined)
          expect(ApiDetailErrorSchema.parse(response.json).detail).toBe(detail);
        if (field !== undefined)
          expect(Object.keys(ApiFieldErrorsSchema.parse(response.json))).toEqual([field]);
        if (status === 401)
          expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
      },
    );
  });

  test("a missing field says so in DRF words (docs/api.md, decision 9)", async () => {
    const response = await api(emulator, "/backups/", { method: "POST", body: {} });
    expect(response.json).toEqual({ server_id: ["This field is required."] });
  });

  test("the 405 names the allowed methods", async () => {
    const response = await api(emulator, "/backups/501/", { method: "GET" });
    expect(response.headers.get("allow")).toBe("DELETE");
  });

  test("restore of a backup still in progress is a 400, and of a restoring server a 409 (docs/api.md, decision 13)", async () => {
    const created = ApiCreatedBackupSchema.parse(
      (await api(emulator, "/backups/", { method: "POST", body: { server_id: 12345 } })).json,
    );
    emulator.state.makeStuck(created.id);
    const notCompleted = await api(emulator, "/servers/12345/restore/", {
      method: "POST",
      body: { backup_id: created.id },
    });
    expect(notCompleted.status).toBe(400);
    expect(ApiFieldErrorsSchema.parse(notCompleted.json).backup_id?.[0]).toContain("not completed");

    const first = await withLongRestores(() =>
      api(emulator, "/servers/12345/restore/", { method: "POST", body: { backup_id: 501 } }),
    );
    const second = await api(emulator, "/servers/12345/restore/", {
      method: "POST",
      body: { backup_id: 499 },
    });
    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    expect(ApiDetailErrorSchema.parse(second.json).detail).toBe(
      "Server 12345 is already being restored.",
    );
  });

  describe("paging (docs/api.md, decision 2)", () => {
    test("page_size pages newest first with absolute next/previous links and the total count", async () => {
      const { token, serverId } = freshAccount(emulator);
      for (let i = 0; i < 7; i += 1) {
        expect(
          (
            await api(emulator, "/backups/", {
              method: "POST",
              body: { server_id: serverId },
              token,
            })
          ).status,
        ).toBe(201);
      }
      const seen: number[] = [];
      let url: string | null | undefined =
        `${emulator.url}/backups/?page_size=3&server_id=${serverId}`;
      const previousLinks: (string | null | undefined)[] = [];
      while (url) {
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
        const page = ApiBackupPageSchema.parse(await response.json());
        expect(page.count).toBe(7);
        seen.push(...page.results.map((b) => b.id));
        previousLinks.push(page.previous);
        if (page.next) expect(page.next.startsWith(`${emulator.url}/backups/?`)).toBe(true);
        url = page.next;
      }
      expect(seen).toHaveLength(7);
      expect([...seen].sort((a, b) => b - a)).toEqual(seen);
      expect(previousLinks[0]).toBeNull();
      expect(previousLinks[1]).toBe(`${emulator.url}/backups/?page_size=3&server_id=${serverId}`);
      expect(previousLinks[2]).toContain("page=2");
    });

    test("the default page holds 50, the total count stays the total", async () => {
      const { token, serverId, accountId } = freshAccount(emulator);
      const server = emulator.state.findServer(accountId, serverId);
      if (!server) throw new Error("fixture server missing");
      for (let i = 0; i < 55; i += 1) emulator.state.createManualBackup(server, `bulk ${i}`);
      const page = ApiBackupPageSchema.parse((await api(emulator, "/backups/", { token })).json);
      expect(page.count).toBe(55);
      expect(page.results).toHaveLength(50);
      expect(page.next).toBe(`${emulator.url}/backups/?page=2`);
    });

    test.each([
      ["page_size=501", 400],
      ["page_size=0", 400],
      ["page=0", 400],
      ["page=abc", 400],
      ["page=2", 404],
    ])("%s → %i", async (query, status) => {
      const response = await api(emulator, `/backups/?${query}`);
      expect(response.status).toBe(status);
    });

    test("servers page the same way", async () => {
      const page = ApiServerPageSchema.parse((await api(emulator, "/servers/?page_size=1")).json);
      expect(page.count).toBe(2);
      expect(page.results.map((s) => s.id)).toEqual([12346]);
      expect(page.next).toBe(`${emulator.url}/servers/?page_size=1&page=2`);
    });
  });

  describe("filters (docs/api.md, decision 3)", () => {
    test.each(["Manual", "manual", "MANUAL"])(
      "backup_type=%s matches case-insensitively",
      async (value) => {
        const page = ApiBackupPageSchema.parse(
          (await api(emulator, `/backups/?backup_type=${value}`)).json,
        );
        expect(page.results.map((b) => b.id)).toEqual([499]);
      },
    );

    test("backup_type=Automatic lists the automatic ones", async () => {
      const page = ApiBackupPageSchema.parse(
        (await api(emulator, "/backups/?backup_type=Automatic")).json,
      );
      expect(page.results.map((b) => b.id)).toEqual([501, 495]);
    });

    test.each([
      ["backup_type=weekly", "backup_type"],
      ["server_id=abc", "server_id"],
      ["server_id=-1", "server_id"],
      ["server_id=1.5", "server_id"],
      ["server_id=0", "server_id"],
      ["server_id=99999999999999999999", "server_id"],
    ])("%s is a 400 naming %s", async (query, field) => {
      const response = await api(emulator, `/backups/?${query}`);
      expect(response.status).toBe(400);
      expect(Object.keys(ApiFieldErrorsSchema.parse(response.json))).toEqual([field]);
    });

    test("another account's server gives an empty list, not an error (docs/api.md, decision 10)", async () => {
      const response = await api(emulator, "/backups/?server_id=22222");
      expect(response.status).toBe(200);
      expect(ApiBackupPageSchema.parse(response.json)).toMatchObject({ count: 0, results: [] });
    });
  });

  describe("accounts are isolated (docs/api.md, decision 10): 404, never 403", () => {
    test.each([
      ["delete another account's backup", "/backups/480/", "DELETE", undefined],
      ["read another account's server", "/servers/22222/", "GET", undefined],
      ["restore another account's server", "/servers/22222/restore/", "POST", { backup_id: 480 }],
      [
        "restore from another account's backup",
        "/servers/12345/restore/",
        "POST",
        { backup_id: 480 },
      ],
    ])("%s", async (_name, path, method, body) => {
      const response = await api(emulator, path, { method, body });
      expect(response.status).toBe(404);
      const inventory = await control(emulator, "/inventory");
      expect(JSON.stringify(inventory.json)).toContain('"id":480');
    });

    test("create on another account's server is a 404 and makes nothing", async () => {
      const response = await api(emulator, "/backups/", {
        method: "POST",
        body: { server_id: 22222 },
      });
      expect(response.status).toBe(404);
      const other = await api(emulator, "/backups/", { token: "OTHER_ACCOUNT_TOKEN" });
      expect(ApiBackupPageSchema.parse(other.json).results.map((b) => b.id)).toEqual([480]);
    });

    test("each account lists only its own servers", async () => {
      const demo = ApiServerPageSchema.parse((await api(emulator, "/servers/")).json);
      const other = ApiServerPageSchema.parse(
        (await api(emulator, "/servers/", { token: "OTHER_ACCOUNT_TOKEN" })).json,
      );
      expect(demo.results.map((s) => s.id)).toEqual([12346, 12345]);
      expect(other.results.map((s) => s.id)).toEqual([22222]);
    });
  });

  test("deleting an in-progress backup cancels it: 204, gone, server no longer backing up (docs/api.md, decision 11)", async () => {
    const created = ApiCreatedBackupSchema.parse(
      (await api(emulator, "/backups/", { method: "POST", body: { server_id: 12346 } })).json,
    );
    emulator.state.makeStuck(created.id);
    expect(ApiServerSchema.parse((await api(emulator, "/servers/12346/")).json).status).toBe(
      "backing_up",
    );
    expect((await api(emulator, `/backups/${created.id}/`, { method: "DELETE" })).status).toBe(204);
    expect(
      ApiBackupPageSchema.parse((await api(emulator, "/backups/?server_id=12346")).json).count,
    ).toBe(0);
    expect(ApiServerSchema.parse((await api(emulator, "/servers/12346/")).json).status).toBe(
      "active",
    );
  });

  test("several backups of one server may run at once; the strict mode refuses the second with 409 (docs/api.md, decision 12)", async () => {
    emulator.state.queueNextBackup(12346, { outcome: "stuck" });
    emulator.state.queueNextBackup(12346, { outcome: "stuck" });
    const first = await api(emulator, "/backups/", { method: "POST", body: { server_id: 12346 } });
    const second = await api(emulator, "/backups/", { method: "POST", body: { server_id: 12346 } });
    expect([first.status, second.status]).toEqual([201, 201]);

    emulator.faults.merge({ oneBackupPerServer: true });
    const third = await api(emulator, "/backups/", { method: "POST", body: { server_id: 12346 } });
    expect(third.status).toBe(409);
    expect(third.json).toEqual({ detail: "A backup of this server is already in progress." });
    const otherServer = await api(emulator, "/backups/", {
      method: "POST",
      body: { server_id: 12345 },
    });
    expect(otherServer.status).toBe(201);
  });

  test("servers have id, name, status and disk_gb (docs/api.md, decision 14)", async () => {
    const server = await api(emulator, "/servers/12345/");
    expect(server.status).toBe(200);
    expect(server.json).toEqual({
      id: 12345,
      name: "web-server-01",
      status: "active",
      disk_gb: 80,
    });
  });

  test("two creates make two backups: no idempotency (docs/api.md, decision 16)", async () => {
    const body = { server_id: 12345, description: "twice" };
    const a = ApiCreatedBackupSchema.parse(
      (await api(emulator, "/backups/", { method: "POST", body })).json,
    );
    const b = ApiCreatedBackupSchema.parse(
      (await api(emulator, "/backups/", { method: "POST", body })).json,
    );
    expect(b.id).toBe(a.id + 1);
  });

  test("unknown body fields are ignored (docs/api.md, decision 8)", async () => {
    const response = await api(emulator, "/backups/", {
      method: "POST",
      body: { server_id: 12345, color: "blue", description: "with extras" },
    });
    expect(response.status).toBe(201);
    expect(response.json).not.toHaveProperty("color");
  });
});
