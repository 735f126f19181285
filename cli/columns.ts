/** The table columns of the API's objects (JSON output prints the sdk objects as they are). */
import type { Backup, RestoreResult, Server } from "../sdk";
import { type Column, formatSize } from "./output";

export const BACKUP_COLUMNS: Column<Backup>[] = [
  { header: "ID", value: (backup) => backup.id },
  { header: "SERVER", value: (backup) => backup.serverId },
  { header: "SERVER NAME", value: (backup) => backup.serverName },
  { header: "TYPE", value: (backup) => backup.backupType },
  { header: "STATUS", value: (backup) => backup.status },
  { header: "SIZE", value: (backup) => formatSize(backup.sizeMb) },
  { header: "CREATED", value: (backup) => backup.createdAt },
  { header: "EXPIRES", value: (backup) => backup.expiresAt },
  { header: "DESCRIPTION", value: (backup) => backup.description },
];

export const SERVER_COLUMNS: Column<Server>[] = [
  { header: "ID", value: (server) => server.id },
  { header: "NAME", value: (server) => server.name },
  { header: "STATUS", value: (server) => server.status },
  { header: "DISK", value: (server) => `${server.diskGb} GB` },
];

export const RESTORE_COLUMNS: Column<RestoreResult>[] = [
  { header: "SERVER", value: (result) => result.serverId },
  { header: "BACKUP", value: (result) => result.backupId },
  { header: "STATUS", value: (result) => result.status },
  { header: "MESSAGE", value: (result) => result.message },
];

/** Newest first (the list's own order is the platform's), ties by id. */
export function newestFirst(backups: Backup[]): Backup[] {
  return [...backups].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id,
  );
}
