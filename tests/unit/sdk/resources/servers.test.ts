import { VpsBadRequestError, VpsConflictError } from "../../../../sdk";
import { FakeTransport, fail, fakeClient, json, text } from "../fake-transport";

const SERVER_ID = 12345;

describe("restoreServer never repeats a POST blindly", () => {
  const restoreBody = {
    message: "Restore started.",
    server_id: SERVER_ID,
    backup_id: 501,
    status: "restoring",
  };
  const server = (status: string) =>
    json(200, { id: SERVER_ID, name: "web-server-01", status, disk_gb: 80 });

  test("a server already restoring: a conflict, and no POST", async () => {
    const fake = new FakeTransport().enqueue(server("restoring"));
    const error = await fakeClient(fake)
      .restoreServer(SERVER_ID, 501)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsConflictError);
    expect((error as Error).message).toMatch(/already restoring/);
    expect(fake.requestsTo("POST", "/restore/")).toHaveLength(0);
  });

  test("a timeout, then the server is restoring: accepted, one POST", async () => {
    const fake = new FakeTransport().enqueue(server("active"), "hang", server("restoring"));
    const result = await fakeClient(fake, { timeoutMs: 250 }).restoreServer(SERVER_ID, 501);
    expect(result).toEqual({
      serverId: SERVER_ID,
      backupId: 501,
      status: "restoring",
      message: null,
    });
    expect(
      fake.requests.map((request) => `${request.method} ${new URL(request.url).pathname}`),
    ).toEqual([
      "GET /api/v1/servers/12345/",
      "POST /api/v1/servers/12345/restore/",
      "GET /api/v1/servers/12345/",
    ]);
  });

  test("a 502, then the server is active: POSTs again", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      text(502, ""),
      server("active"),
      json(202, restoreBody),
    );
    const result = await fakeClient(fake).restoreServer(SERVER_ID, 501);
    expect(result).toEqual({
      serverId: SERVER_ID,
      backupId: 501,
      status: "restoring",
      message: "Restore started.",
    });
    expect(fake.requestsTo("POST", "/restore/")).toHaveLength(2);
    expect(JSON.parse(fake.requests[3]!.body!)).toEqual({ backup_id: 501 });
  });

  test("a connection reset, then 409 already restoring: the first attempt was accepted", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      fail("ECONNRESET"),
      server("active"),
      json(409, { detail: "This server is already being restored." }),
    );
    const result = await fakeClient(fake).restoreServer(SERVER_ID, 501);
    expect(result).toMatchObject({ serverId: SERVER_ID, backupId: 501, status: "restoring" });
  });

  test("a 409 on the first attempt is a conflict", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      json(409, { detail: "This server is already being restored." }),
    );
    await expect(fakeClient(fake).restoreServer(SERVER_ID, 501)).rejects.toBeInstanceOf(
      VpsConflictError,
    );
    expect(fake.requests).toHaveLength(2);
  });

  test("a 400 (backup not completed) is final", async () => {
    const fake = new FakeTransport().enqueue(
      server("active"),
      json(400, { backup_id: ["Backup 501 is not completed."] }),
    );
    const error = await fakeClient(fake)
      .restoreServer(SERVER_ID, 501)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsBadRequestError);
    expect((error as VpsBadRequestError).fieldErrors).toEqual({
      backup_id: ["Backup 501 is not completed."],
    });
    expect((error as Error).message).toBe(
      "400 Bad Request restoring server 12345 from backup 501: the platform rejected the request: backup_id: Backup 501 is not completed. — fix the argument named",
    );
  });
});
