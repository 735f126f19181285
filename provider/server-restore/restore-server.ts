/**
 * What the `restoreServer` function does, on plain arguments: one restore, now (see
 * `provider/dynamic/restore-server.ts` for the Pulumi forms).
 */
import { parseDuration } from "../core/duration";
import { parseInputs } from "../core/inputs";
import type { OperationContext } from "../core/operation";
import { restoreServerAndWait } from "./restore-operation";
import { RestoreServerArgsSchema } from "./schema";

/** What {@link restoreServerNow} did. */
export interface RestoreServerResult {
  /** False during `pulumi preview`, where nothing is restored. */
  readonly performed: boolean;
  readonly serverId: number;
  readonly backupId: number;
  /** The server's status at the end: `active` after a completed wait, `restoring` without one, `preview` when not performed. */
  readonly status: string;
  /** The platform's message, or null. */
  readonly message: string | null;
  /** When the restore was requested (ISO 8601), or null when not performed. */
  readonly restoredAt: string | null;
  /** The safety backup taken first (`backupFirst`), or null. */
  readonly safetyBackupId: number | null;
}

/**
 * Validates the arguments, then restores the server now: checks the backup, takes the safety
 * backup when asked, requests the restore, and (by default) waits until the server is `active`
 * again. During a preview (`preview`), it only validates and restores nothing.
 *
 * @throws VpsInvalidArgumentError naming every bad argument (before any request), or when the
 *   backup is not a completed backup of the server (nothing is requested then).
 * @throws RestoreWaitError when the restore was requested but the wait did not end (the restore runs on).
 */
export async function restoreServerNow(
  args: Record<string, unknown>,
  context: OperationContext & { preview: boolean },
): Promise<RestoreServerResult> {
  const inputs = parseInputs("restoreServer", RestoreServerArgsSchema, args);
  const { serverId, backupId } = inputs;
  if (context.preview) {
    return {
      performed: false,
      serverId,
      backupId,
      status: "preview",
      message: null,
      restoredAt: null,
      safetyBackupId: null,
    };
  }
  const outcome = await restoreServerAndWait(context.client("restoreServer", inputs), {
    serverId,
    backupId,
    waitForCompletion: inputs.waitForCompletion,
    backupFirst: inputs.backupFirst,
    deadlineAtMs: Date.now() + parseDuration(inputs.timeout),
    signal: context.signal,
    progress: context.progress,
  });
  return {
    performed: true,
    serverId,
    backupId,
    status: outcome.serverStatus,
    message: outcome.restore.message,
    restoredAt: outcome.restoredAt,
    safetyBackupId: outcome.safetyBackupId ?? null,
  };
}
