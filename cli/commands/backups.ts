/** `list`, `create`, `delete` and `wait`: the backups of the account. */
import { type Backup, KNOWN_BACKUP_STATUSES, VpsNotFoundError } from "../../sdk";
import { parseBackupType, parseDuration, parseId } from "../args";
import { BACKUP_COLUMNS, newestFirst } from "../columns";
import { confirm } from "../confirm";
import type { CommandContext } from "../context";
import { EXIT_FAILURE, UsageError } from "../errors";
import { type Column, note, printList, printOne } from "../output";
import { startProgress } from "../progress";

export const DEFAULT_WAIT_TIMEOUT = "60m";

export interface ListFlags {
  server?: string;
  type?: string;
  status?: string;
}

export async function listCommand(context: CommandContext, flags: ListFlags): Promise<number> {
  const serverId = flags.server !== undefined ? parseId("--server", flags.server) : undefined;
  const backupType = flags.type !== undefined ? parseBackupType(flags.type) : undefined;
  const status = flags.status?.trim().toLowerCase();
  if (status !== undefined && !(KNOWN_BACKUP_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be ${KNOWN_BACKUP_STATUSES.join(", ")}`);
  }
  const backups = await context.client().listBackups({ serverId, backupType });
  const shown = newestFirst(backups).filter(
    (backup) => status === undefined || backup.status === status,
  );
  printList(context.output, shown, BACKUP_COLUMNS);
  return 0;
}

export interface CreateFlags {
  server?: string;
  description?: string;
  wait?: boolean;
  timeout?: string;
}

export async function createCommand(context: CommandContext, flags: CreateFlags): Promise<number> {
  if (flags.server === undefined) throw new UsageError("--server is required");
  const serverId = parseId("--server", flags.server);
  const timeoutMs = parseDuration("--timeout", flags.timeout ?? DEFAULT_WAIT_TIMEOUT);
  const client = context.client();
  const created = await client.createBackup({ serverId, description: flags.description });
  note(context.output, `Backup ${created.id} of server ${serverId} started.`);
  const backup = flags.wait
    ? await waitWithProgress(context, created.id, serverId, timeoutMs, created.status)
    : created;
  // The platform's message is a courtesy of the create answer, not part of the backup.
  const { message: _message, ...plain } = backup as Backup & { message?: unknown };
  printOne(context.output, plain, BACKUP_COLUMNS);
  return 0;
}

export interface WaitFlags {
  server?: string;
  timeout?: string;
}

export async function waitCommand(
  context: CommandContext,
  backupIdText: string,
  flags: WaitFlags,
): Promise<number> {
  const backupId = parseId("backup id", backupIdText);
  if (flags.server === undefined) throw new UsageError("--server is required");
  const serverId = parseId("--server", flags.server);
  const timeoutMs = parseDuration("--timeout", flags.timeout ?? DEFAULT_WAIT_TIMEOUT);
  const backup = await waitWithProgress(context, backupId, serverId, timeoutMs, "waiting");
  printOne(context.output, backup, BACKUP_COLUMNS);
  return 0;
}

/** Waits for a backup to complete, showing its status and the time waited on stderr. */
export async function waitWithProgress(
  context: CommandContext,
  backupId: number,
  serverId: number,
  timeoutMs: number,
  initialStatus: string,
): Promise<Backup> {
  const progress = startProgress(
    context.output,
    `backup ${backupId} of server ${serverId}`,
    initialStatus,
  );
  try {
    const backup = await context.client().waitForBackup(backupId, {
      serverId,
      timeoutMs,
      onProgress: (seen) => {
        if (seen.status !== "completed") progress.update(seen.status);
      },
    });
    progress.succeed(`backup ${backupId} of server ${serverId}: ${backup.status}`);
    return backup;
  } catch (error) {
    progress.fail(`backup ${backupId} of server ${serverId}: not completed`);
    throw error;
  }
}

export interface DeleteFlags {
  yes?: boolean;
}

interface DeleteResult {
  id: number;
  deleted: boolean;
  error: string | null;
}

const DELETE_COLUMNS: Column<DeleteResult>[] = [
  { header: "ID", value: (result) => result.id },
  { header: "RESULT", value: (result) => (result.deleted ? "deleted" : "failed") },
  { header: "ERROR", value: (result) => result.error },
];

export async function deleteCommand(
  context: CommandContext,
  idTexts: string[],
  flags: DeleteFlags,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const ids = [...new Set(idTexts.map((text) => parseId("backup id", text)))];
  const client = context.client();
  const list = ids.join(", ");
  const noun = ids.length === 1 ? "backup" : "backups";
  const action = `Delete ${noun} ${list}? A backup in progress is cancelled; this cannot be undone.`;
  if (flags.yes) note(context.output, `Deleting ${noun} ${list}.`);
  await confirm({
    yes: Boolean(flags.yes),
    interactive: context.interactive,
    stdin,
    stderr: context.output.stderr,
    action,
    what: `delete ${noun} ${list}`,
  });
  const results: DeleteResult[] = [];
  for (const id of ids) {
    try {
      await client.deleteBackup(id);
      results.push({ id, deleted: true, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      note(context.output, `error: ${message}`);
      const reason = error instanceof VpsNotFoundError ? "not found" : message;
      results.push({ id, deleted: false, error: reason });
    }
  }
  printList(context.output, results, DELETE_COLUMNS);
  return results.every((result) => result.deleted) ? 0 : EXIT_FAILURE;
}
