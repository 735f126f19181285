/**
 * One restore, start to finish: the checks, the optional safety backup, the request, and the
 * wait until the server is active again. Shared by the `ServerRestore` resource and the
 * `restoreServer` function so both refuse the same mistakes with the same words.
 */
import {
  type RestoreResult,
  type VpsClient,
  VpsError,
  VpsInvalidArgumentError,
  VpsTimeoutError,
} from "../../sdk";
import { progressReporter } from "../core/operation";

/** What to restore and how. */
interface RestoreRequest {
  serverId: number;
  backupId: number;
  /** Wait until the server is `active` again. Default true. */
  waitForCompletion: boolean;
  /** Epoch milliseconds when the safety backup and the wait give up. */
  deadlineAtMs: number;
  /** Take (and wait for) a backup of the server before restoring. Default false. */
  backupFirst?: boolean;
  /** Aborts the waits (interruption). */
  signal?: AbortSignal;
  /** Receives the waits' progress (see `OperationContext.progress`). */
  progress?(message: string): void;
}

/** What a restore did. */
interface RestoreOutcome {
  /** The platform's answer to the restore request. */
  restore: RestoreResult;
  /** The server's status when the operation ended: `active` after a completed wait, else `restoring`. */
  serverStatus: string;
  /** When the restore was requested (ISO 8601, this machine's clock). */
  restoredAt: string;
  /** The safety backup taken first, when `backupFirst` was set. */
  safetyBackupId?: number;
}

/**
 * Raised when the restore was requested but its wait did not end well: the restore runs on
 * regardless, so callers must record it rather than request it again.
 */
export class RestoreWaitError extends VpsError {
  declare readonly serverId: number;
  declare readonly backupId: number;
  declare readonly lastStatus: string | null;
  /** The outcome so far (the request was accepted). Non-enumerable like any large payload. */
  declare readonly outcome: RestoreOutcome;
  constructor(
    message: string,
    details: { serverId: number; backupId: number; lastStatus: string | null },
    outcome: RestoreOutcome,
  ) {
    super(message, details);
    Object.defineProperty(this, "outcome", { value: outcome, enumerable: false });
  }
}

/**
 * Checks that `backupId` is a completed backup of `serverId` before anything is requested:
 * the platform would refuse the restore anyway, but with less helpful words.
 */
async function assertRestorableBackup(
  client: VpsClient,
  serverId: number,
  backupId: number,
): Promise<void> {
  const backup = await client.findBackup(backupId, { serverId });
  if (!backup || backup.serverId !== serverId) {
    throw new VpsInvalidArgumentError(
      `cannot restore server ${serverId} from backup ${backupId}: server ${serverId} has no backup ${backupId} ` +
        `(it belongs to another server, was deleted, or expired). List the server's backups with ` +
        `getBackups({ serverId: ${serverId} }) and pick one of them`,
      { field: "backupId", value: String(backupId) },
    );
  }
  if (backup.status !== "completed") {
    throw new VpsInvalidArgumentError(
      `cannot restore server ${serverId} from backup ${backupId}: the backup is ${backup.status}, and only a ` +
        `completed backup can be restored; wait until it completes (ServerBackup does) or pick another one`,
      { field: "backupId", value: String(backupId) },
    );
  }
}

function remainingMs(deadlineAtMs: number): number {
  return Math.max(1, deadlineAtMs - Date.now());
}

/**
 * Restores `serverId` from `backupId`: checks the backup, optionally takes a safety backup
 * first, requests the restore, and (unless `waitForCompletion` is false) waits until the
 * server is `active` again.
 *
 * @throws VpsInvalidArgumentError when the backup is not a completed backup of the server (nothing requested).
 * @throws RestoreWaitError when the restore was requested but the wait failed (the restore runs on).
 */
export async function restoreServerAndWait(
  client: VpsClient,
  request: RestoreRequest,
): Promise<RestoreOutcome> {
  const { serverId, backupId } = request;
  await assertRestorableBackup(client, serverId, backupId);
  let safetyBackupId: number | undefined;
  if (request.backupFirst) {
    const safety = await client.createBackup({
      serverId,
      description: `Safety backup before restoring backup ${backupId}`,
    });
    safetyBackupId = safety.id;
    const report = progressReporter(request, `safety backup ${safety.id} of server ${serverId}`);
    report(safety.status);
    // A failed or unfinished safety backup stops the restore: that is the point of taking it.
    await client.waitForBackup(safety.id, {
      serverId,
      timeoutMs: remainingMs(request.deadlineAtMs),
      signal: request.signal,
      onProgress: (seen) => report(seen.status),
    });
  }
  const restoredAt = new Date().toISOString();
  const restore = await client.restoreServer(serverId, backupId, { signal: request.signal });
  const outcome: RestoreOutcome = {
    restore,
    serverStatus: restore.status,
    restoredAt,
    safetyBackupId,
  };
  if (!request.waitForCompletion) return outcome;
  const report = progressReporter(request, `restore of server ${serverId} from backup ${backupId}`);
  report(restore.status);
  try {
    const server = await client.waitForServerActive(serverId, {
      timeoutMs: remainingMs(request.deadlineAtMs),
      signal: request.signal,
      onProgress: (seen) => report(seen.status),
    });
    return { ...outcome, serverStatus: server.status };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RestoreWaitError(
      `the restore of server ${serverId} from backup ${backupId} was requested and runs on, but waiting for ` +
        `it did not end: ${reason}`,
      {
        serverId,
        backupId,
        lastStatus: error instanceof VpsTimeoutError ? (error.lastStatus ?? null) : null,
      },
      outcome,
    );
  }
}
