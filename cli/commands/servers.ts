/** `servers` and `restore`. */
import { type Backup, type Server, VpsBackupNotFoundError, VpsTimeoutError } from "../../sdk";
import { parseDuration, parseId } from "../args";
import { RESTORE_COLUMNS, SERVER_COLUMNS, newestFirst } from "../columns";
import { confirm } from "../confirm";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import { note, printList, printOne } from "../output";
import { formatElapsed, startProgress } from "../progress";
import { DEFAULT_WAIT_TIMEOUT, waitWithProgress } from "./backups";

export async function serversCommand(context: CommandContext): Promise<number> {
  const servers = await context.client().listServers();
  printList(
    context.output,
    [...servers].sort((a, b) => a.id - b.id),
    SERVER_COLUMNS,
  );
  return 0;
}

export interface RestoreFlags {
  server?: string;
  backup?: string;
  backupFirst?: boolean;
  wait?: boolean;
  timeout?: string;
  yes?: boolean;
}

export async function restoreCommand(
  context: CommandContext,
  flags: RestoreFlags,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  if (flags.server === undefined) throw new UsageError("--server is required");
  if (flags.backup === undefined) throw new UsageError("--backup is required (an id, or latest)");
  const serverId = parseId("--server", flags.server);
  const wanted = flags.backup.trim() === "latest" ? "latest" : parseId("--backup", flags.backup);
  const timeoutMs = parseDuration("--timeout", flags.timeout ?? DEFAULT_WAIT_TIMEOUT);
  const client = context.client();

  const server = await client.getServer(serverId);
  const backup = await chooseBackup(context, serverId, wanted);
  const since = Date.now() - Date.parse(backup.createdAt);
  const action =
    `Restore server ${serverId} (${server.name}) from backup ${backup.id}` +
    ` (${backup.backupType}, created ${backup.createdAt}${backup.description ? `, "${backup.description}"` : ""}).\n` +
    `Everything written to server ${serverId} since ${backup.createdAt} (${formatElapsed(since)} ago) will be lost` +
    (flags.backupFirst ? `, except in the backup taken first.` : `.`);
  note(context.output, action);
  await confirm({
    yes: Boolean(flags.yes),
    interactive: context.interactive,
    stdin,
    stderr: context.output.stderr,
    action: "",
    what: `restore server ${serverId}`,
  });

  if (flags.backupFirst) {
    const safety = await client.createBackup({
      serverId,
      description: `before restoring from backup ${backup.id}`,
    });
    note(context.output, `Backup ${safety.id} of server ${serverId} started before the restore.`);
    await waitWithProgress(context, safety.id, serverId, timeoutMs, safety.status);
  }

  const result = await client.restoreServer(serverId, backup.id);
  note(context.output, `Restore of server ${serverId} from backup ${backup.id} started.`);
  if (flags.wait) {
    const restored = await waitForServerActive(context, serverId, timeoutMs);
    printOne(context.output, { ...result, status: restored.status }, RESTORE_COLUMNS);
  } else {
    printOne(context.output, result, RESTORE_COLUMNS);
  }
  return 0;
}

/** The backup named by `--backup`: an id of this server's, or its newest completed one. */
async function chooseBackup(
  context: CommandContext,
  serverId: number,
  wanted: number | "latest",
): Promise<Backup> {
  const client = context.client();
  if (wanted === "latest") {
    const completed = newestFirst(await client.listBackups({ serverId })).filter(
      (backup) => backup.status === "completed",
    );
    const latest = completed[0];
    if (!latest) {
      throw new VpsBackupNotFoundError(
        `server ${serverId} has no completed backup to restore from — list them with: vps-backups list --server ${serverId}`,
        { backupId: 0, serverId, lastStatus: null },
      );
    }
    return latest;
  }
  const backup = await client.findBackup(wanted, { serverId });
  if (!backup) {
    throw new VpsBackupNotFoundError(
      `server ${serverId} has no backup ${wanted} (it belongs to another server, was deleted, or expired) — list them with: vps-backups list --server ${serverId}`,
      { backupId: wanted, serverId, lastStatus: null },
    );
  }
  if (backup.status !== "completed") {
    throw new Error(
      `backup ${wanted} is ${backup.status}: only a completed backup can be restored`,
    );
  }
  return backup;
}

/** Waits on the sdk's server wait until the server is active again, showing its status. */
async function waitForServerActive(
  context: CommandContext,
  serverId: number,
  timeoutMs: number,
): Promise<Server> {
  const progress = startProgress(context.output, `server ${serverId}`, "restoring");
  try {
    const server = await context.client().waitForServerActive(serverId, {
      timeoutMs,
      onProgress: (seen) => progress.update(seen.status),
    });
    progress.succeed(`server ${serverId}: ${server.status}`);
    return server;
  } catch (error) {
    progress.fail(`server ${serverId}: not active yet`);
    if (error instanceof VpsTimeoutError) {
      throw new VpsTimeoutError(
        `server ${serverId} was still ${error.lastStatus ?? "restoring"} after ${formatElapsed(timeoutMs)} (--timeout); check it later with: vps-backups servers`,
        { timeoutMs, operation: `waiting for server ${serverId} to finish restoring` },
      );
    }
    throw error;
  }
}
