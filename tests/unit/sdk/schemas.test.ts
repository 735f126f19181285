import { ApiBackupPageSchema, ApiCreatedBackupSchema, toBackup } from "../../../sdk";
import { SEED_CREATED_BACKUP_BODY, SEED_LIST_BACKUPS_BODY } from "../../fixtures/seed-samples";
import { FakeTransport, fakeClient, text } from "./fake-transport";

describe("the documentation page's sample bodies", () => {
  test("the list body parses with ApiBackupPageSchema", () => {
    const parsed = ApiBackupPageSchema.parse(JSON.parse(SEED_LIST_BACKUPS_BODY));
    expect(parsed.count).toBe(3);
    expect(parsed.results.map((backup) => backup.id)).toEqual([501, 499, 495]);
    expect(toBackup(parsed.results[1]!)).toEqual({
      id: 499,
      serverId: 12345,
      serverName: "web-server-01",
      backupType: "manual",
      status: "completed",
      sizeMb: 4456,
      createdAt: "2025-01-14T10:30:00Z",
      expiresAt: null,
      description: "Pre-update backup",
    });
  });

  test("the 201 body parses with ApiCreatedBackupSchema", () => {
    const parsed = ApiCreatedBackupSchema.parse(JSON.parse(SEED_CREATED_BACKUP_BODY));
    expect(parsed).toMatchObject({
      id: 502,
      status: "in_progress",
      size_mb: null,
      expires_at: null,
    });
    expect(parsed.message).toMatch(/^Backup is being created/);
  });

  test("the client returns them as camelCase objects", async () => {
    const fake = new FakeTransport().enqueue(
      text(200, SEED_LIST_BACKUPS_BODY),
      text(201, SEED_CREATED_BACKUP_BODY),
    );
    const client = fakeClient(fake);
    const backups = await client.listBackups({ serverId: 12345 });
    expect(backups.map((backup) => [backup.id, backup.backupType, backup.expiresAt])).toEqual([
      [501, "automatic", "2025-02-16T03:00:00Z"],
      [499, "manual", null],
      [495, "automatic", "2025-02-15T03:00:00Z"],
    ]);
    const created = await client.createBackup({
      serverId: 12345,
      description: "Pre-deployment backup",
    });
    expect(created).toMatchObject({
      id: 502,
      serverId: 12345,
      status: "in_progress",
      sizeMb: null,
      description: "Pre-deployment backup",
    });
    expect(created.message).toContain("several minutes");
    expect(JSON.parse(fake.requests[1]!.body!)).toEqual({
      server_id: 12345,
      description: "Pre-deployment backup",
    });
  });
});
