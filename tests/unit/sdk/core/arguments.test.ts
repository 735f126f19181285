import { VpsInvalidArgumentError } from "../../../../sdk";
import { FakeTransport, fakeClient } from "../fake-transport";

describe("invalid arguments are refused before any request", () => {
  const fake = new FakeTransport();
  const client = fakeClient(fake);
  afterEach(() => expect(fake.requests).toHaveLength(0));

  const badIds: Array<[string, unknown, RegExp]> = [
    ["a numeric string", "12345", /got "12345" — pass the number 12345, not a string/],
    ["a float", 1.5, /got 1\.5 — pass the .*numeric id/],
    ["zero", 0, /got 0/],
    ["a negative number", -3, /got -3/],
    ["NaN", Number.NaN, /got NaN/],
    ["an unsafe integer", 2 ** 53, /got 9007199254740992/],
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["an object", { id: 1 }, /got \{"id":1\}/],
  ];

  test.each(badIds)("deleteBackup with %s as backupId", async (_label, value, message) => {
    const error = await client.deleteBackup(value as number).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe("backupId");
    expect((error as Error).message).toMatch(/^backupId must be a positive whole number; /);
    expect((error as Error).message).toMatch(message);
  });

  test.each(badIds)("createBackup with %s as serverId", async (_label, value, message) => {
    const error = await client.createBackup({ serverId: value as number }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe("serverId");
    expect((error as Error).message).toMatch(message);
  });

  const calls: Array<[string, () => Promise<unknown>, string]> = [
    ["getServer", () => client.getServer("7" as unknown as number), "serverId"],
    ["restoreServer (server)", () => client.restoreServer(1.25, 501), "serverId"],
    ["restoreServer (backup)", () => client.restoreServer(12345, -1), "backupId"],
    ["findBackup (backup)", () => client.findBackup(0), "backupId"],
    ["findBackup (server)", () => client.findBackup(501, { serverId: 0.5 }), "serverId"],
    [
      "listBackups (server)",
      () => client.listBackups({ serverId: "12" as unknown as number }),
      "serverId",
    ],
    ["listBackups (type)", () => client.listBackups({ backupType: "daily" }), "backupType"],
    ["iterBackups (type)", async () => client.iterBackups({ backupType: "" }), "backupType"],
    [
      "waitForBackup (backup)",
      () => client.waitForBackup(Number.POSITIVE_INFINITY, { serverId: 1 }),
      "backupId",
    ],
    [
      "waitForBackup (server)",
      () => client.waitForBackup(501, { serverId: undefined as unknown as number }),
      "serverId",
    ],
    [
      "waitForBackup (timeout)",
      () => client.waitForBackup(501, { serverId: 1, timeoutMs: -5 }),
      "timeoutMs",
    ],
    [
      "createBackup (description type)",
      () => client.createBackup({ serverId: 1, description: 42 as unknown as string }),
      "description",
    ],
    [
      "createBackup (description length)",
      () => client.createBackup({ serverId: 1, description: "x".repeat(256) }),
      "description",
    ],
    [
      "waitForServerActive (server)",
      () => client.waitForServerActive("12" as unknown as number),
      "serverId",
    ],
    [
      "waitForServerActive (timeout)",
      () => client.waitForServerActive(12, { timeoutMs: Number.NaN }),
      "timeoutMs",
    ],
    [
      "waitForServerActive (schedule)",
      () =>
        client.waitForServerActive(12, { pollSchedule: 5 as unknown as (ms: number) => number }),
      "pollSchedule",
    ],
    ["deleteBackup (deadline)", () => client.deleteBackup(501, { deadlineMs: 0 }), "deadlineMs"],
  ];
  test.each(calls)("%s names the field", async (_label, call, field) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VpsInvalidArgumentError);
    expect((error as VpsInvalidArgumentError).field).toBe(field);
    expect((error as Error).message.startsWith(`${field} must`)).toBe(true);
    expect((error as Error).message).toMatch(/ — /);
  });

  test("a 256-character description says how long it was and what to do", async () => {
    const error = await client
      .createBackup({ serverId: 1, description: "y".repeat(256) })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "description must be at most 255 characters; got 256 characters — shorten it",
    );
  });

  test("backupType is matched in any case", async () => {
    const ok = new FakeTransport().onRequest(() => ({
      status: 200,
      headers: {},
      body: '{"count":0,"next":null,"results":[]}',
    }));
    await fakeClient(ok).listBackups({ backupType: "MANUAL" });
    expect(new URL(ok.requests[0]!.url).searchParams.get("backup_type")).toBe("manual");
  });
});
