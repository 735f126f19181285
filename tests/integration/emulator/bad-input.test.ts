/**
 * Whatever a client sends, the emulator answers a clear 4xx with a DRF body: never a 500,
 * never a crash, never the token echoed back.
 */
import { connect } from "node:net";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { ApiDetailErrorSchema, ApiFieldErrorsSchema } from "../../../sdk/schemas";
import { randomSuffix } from "../../support/emulator";
import { api } from "../../support/http";

describe("emulator bad input", () => {
  let emulator: RunningEmulator;
  const logLines: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      timeScale: 0.001,
      autoBackupIntervalMs: 0,
      bodyLimitBytes: 64 * 1024,
      log: (line) => logLines.push(line),
    });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  const createBodies: [string, unknown, string][] = [
    ["server_id as a string", { server_id: "12345" }, "server_id"],
    ["server_id as a float", { server_id: 12345.5 }, "server_id"],
    ["server_id negative", { server_id: -1 }, "server_id"],
    ["server_id zero", { server_id: 0 }, "server_id"],
    ["server_id beyond exact integers", { server_id: 2 ** 60 }, "server_id"],
    ["server_id null", { server_id: null }, "server_id"],
    ["server_id a list", { server_id: [12345] }, "server_id"],
    ["server_id an object", { server_id: { id: 12345 } }, "server_id"],
    ["server_id a boolean", { server_id: true }, "server_id"],
    ["description too long", { server_id: 12345, description: "x".repeat(256) }, "description"],
    ["description a number", { server_id: 12345, description: 42 }, "description"],
    ["description null", { server_id: 12345, description: null }, "description"],
    ["a JSON list", "[1, 2]", "non_field_errors"],
    ["a JSON string", '"server_id"', "non_field_errors"],
    ["JSON null", "null", "non_field_errors"],
    ["not JSON", "server_id=12345", "non_field_errors"],
    ["truncated JSON", '{"server_id": 123', "non_field_errors"],
    ["an empty body", "", "server_id"],
  ];
  test.each(createBodies)("create with %s → 400 naming %s", async (_name, body, field) => {
    const response = await api(emulator, "/backups/", { method: "POST", body });
    expect(response.status).toBe(400);
    const errors = ApiFieldErrorsSchema.parse(response.json);
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]?.[0]?.length).toBeGreaterThan(0);
  });

  test("a description of exactly 255 characters is accepted", async () => {
    const response = await api(emulator, "/backups/", {
      method: "POST",
      body: { server_id: 12345, description: "y".repeat(255) },
    });
    expect(response.status).toBe(201);
  });

  test("a body that is not declared as JSON is still read as JSON (no 415)", async () => {
    const response = await api(emulator, "/backups/", {
      method: "POST",
      body: '{"server_id": 12345}',
      headers: { "Content-Type": "text/plain" },
    });
    expect(response.status).toBe(201);
  });

  test.each([
    ["backup_id as a string", { backup_id: "501" }],
    ["backup_id as a float", { backup_id: 501.5 }],
    ["backup_id negative", { backup_id: -501 }],
    ["no backup_id", {}],
    ["not JSON", "{{"],
  ])("restore with %s → 400", async (_name, body) => {
    const response = await api(emulator, "/servers/12345/restore/", { method: "POST", body });
    expect(response.status).toBe(400);
    ApiFieldErrorsSchema.parse(response.json);
  });

  test.each([
    ["DELETE", "/backups/abc/"],
    ["DELETE", "/backups/-1/"],
    ["DELETE", "/backups/1.5/"],
    ["DELETE", "/backups/0/"],
    ["DELETE", `/backups/${"9".repeat(30)}/`],
    ["DELETE", `/backups/${"9".repeat(200)}/`],
    ["GET", "/servers/abc/"],
    ["GET", "/servers/%20/"],
    ["POST", "/servers/1e3/restore/"],
    ["GET", "/nothing-here/"],
    ["GET", "/backups"],
    ["GET", "/backups/501/extra/"],
    ["GET", "/../../etc/passwd"],
    ["GET", "/backups/%E0%A4%A/"],
  ])("%s %s → 404 Not found.", async (method, path) => {
    const response = await api(emulator, path, { method });
    expect(response.status).toBe(404);
    expect(ApiDetailErrorSchema.parse(response.json).detail).toBe("Not found.");
  });

  test.each([
    ["PUT", "/backups/"],
    ["PATCH", "/backups/"],
    ["DELETE", "/backups/"],
    ["POST", "/backups/501/"],
    ["PUT", "/backups/501/"],
    ["POST", "/servers/"],
    ["DELETE", "/servers/12345/"],
    ["GET", "/servers/12345/restore/"],
    ["OPTIONS", "/backups/"],
  ])("%s %s → 405 with the method named", async (method, path) => {
    const response = await api(emulator, path, { method });
    expect(response.status).toBe(405);
    expect(ApiDetailErrorSchema.parse(response.json).detail).toBe(
      `Method "${method}" not allowed.`,
    );
  });

  test("a wrong method without a token is a 401 first, as DRF checks authentication first", async () => {
    const response = await api(emulator, "/backups/501/", { method: "GET", token: null });
    expect(response.status).toBe(401);
  });

  test.each([
    ["Basic dXNlcjpwYXNz", "Authentication credentials were not provided."],
    ["Bearer", "Invalid token header. No credentials provided."],
    ["Bearer a b", "Invalid token header. Token string should not contain spaces."],
    ["Bearer YOUR_API_TOKEN_", "Invalid token."],
    ["", "Authentication credentials were not provided."],
  ])("Authorization %j → 401 %s", async (authorization, detail) => {
    const response = await api(emulator, "/backups/", {
      token: null,
      headers: authorization ? { Authorization: authorization } : {},
    });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ detail });
  });

  test("a wrong token is never echoed, in the body or in the request log", async () => {
    const secret = `secret-${randomSuffix()}`;
    const response = await api(emulator, "/backups/", { token: secret });
    expect(response.status).toBe(401);
    expect(response.text).not.toContain(secret);
    expect(JSON.stringify([...response.headers])).not.toContain(secret);
    expect(logLines.some((line) => line.includes("GET /api/v1/backups/ 401"))).toBe(true);
    expect(logLines.join("\n")).not.toContain(secret);
    expect(logLines.join("\n")).not.toContain(emulator.demoToken);
  });

  test("a body over the limit is a 413 with a DRF body", async () => {
    const response = await api(emulator, "/backups/", {
      method: "POST",
      body: JSON.stringify({ server_id: 12345, description: "z".repeat(100 * 1024) }),
    });
    expect(response.status).toBe(413);
    ApiDetailErrorSchema.parse(response.json);
  });

  test("repeated query parameters are a 400, not a crash", async () => {
    const response = await api(emulator, "/backups/?server_id=12345&server_id=12346");
    expect(response.status).toBe(400);
    expect(Object.keys(ApiFieldErrorsSchema.parse(response.json))).toEqual(["server_id"]);
  });

  test("a garbled HTTP request gets a 400 and the emulator keeps serving", async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(emulator.port, "127.0.0.1", () => {
        socket.write("GARBAGE \u0000\u0001 HTTP/9.9\r\n\r\n");
      });
      let received = "";
      socket.on("data", (chunk) => (received += chunk.toString()));
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await api(emulator, "/servers/")).status).toBe(200);
  });

  test("after all of the above, no request was answered 5xx", () => {
    const serverErrors = emulator.requests
      .rows()
      .filter((row) => typeof row.status === "number" && row.status >= 500);
    expect(serverErrors).toEqual([]);
  });
});
