/**
 * `restoreServer` / `restoreServerOutput`: restore a server from a backup, once, from a
 * script or a program. For a restore that belongs to a stack, use the `ServerRestore` resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { dependenciesReady, functionClient } from "./function-client";
import { sharedPollSchedule } from "./provider-context";
import { parseDuration } from "./duration";
import { DEFAULT_RESTORE_TIMEOUT, restoreServerAndWait } from "./restore-operation";
import {
  type InputRules,
  apiTokenRule,
  apiUrlRule,
  assertValidArguments,
  booleanRule,
  durationRule,
  idRule,
} from "./validation";

/** Arguments of {@link restoreServer}. */
export interface RestoreServerArgs {
  /** The server to restore. */
  serverId: number;
  /** A completed backup of that server. */
  backupId: number;
  /** Wait until the server is `active` again. Default true. */
  waitForCompletion?: boolean;
  /** How long the safety backup and the restore may take together, as a duration (`"30m"`, `"1h"`; at most 24h). Default `"30m"`. */
  timeout?: string;
  /** Take a backup of the server first and wait until it completes (its id is in the result). Default false. */
  backupFirst?: boolean;
  /** The API base URL. Default: stack config `vps:apiUrl`, then `VPS_API_URL`, then the platform's. */
  apiUrl?: string;
  /** The API token. Default: stack config `vps:apiToken`, then `VPS_API_TOKEN`. */
  apiToken?: string;
}

/** {@link RestoreServerArgs} as Pulumi inputs, for {@link restoreServerOutput}. */
export type RestoreServerOutputArgs = {
  [K in keyof RestoreServerArgs]: pulumi.Input<RestoreServerArgs[K]>;
};

/** What {@link restoreServer} did. */
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

const RESTORE_SERVER_RULES: InputRules = {
  serverId: { required: true, rule: idRule("12345") },
  backupId: { required: true, rule: idRule("501 (a completed backup of this server)") },
  waitForCompletion: { required: false, rule: booleanRule },
  timeout: { required: false, rule: durationRule },
  backupFirst: { required: false, rule: booleanRule },
  apiUrl: { required: false, rule: apiUrlRule },
  apiToken: { required: false, rule: apiTokenRule },
};

/**
 * Restores a server from one of its backups, now. Checks first that the backup belongs to the
 * server and is completed; with `backupFirst`, takes a safety backup of the server and waits
 * for it before restoring; then (by default) waits until the server is `active` again.
 *
 * **During `pulumi preview` it does nothing** and resolves to `{ performed: false, status:
 * "preview", … }`: a preview never changes anything. It runs on every `pulumi up` that calls
 * it, so in a stack prefer the `ServerRestore` resource, which restores only when its
 * `backupId` or `triggers` change. Use this function in scripts (Automation API, one-off
 * programs).
 *
 * ## Example Usage
 *
 * ```typescript
 * const result = await vps.restoreServer({ serverId: 12345, backupId: 501, backupFirst: true });
 * console.log(`restored; safety backup ${result.safetyBackupId}`);
 * ```
 *
 * @throws VpsInvalidArgumentError naming the field when an argument is invalid, or when the
 *   backup is not a completed backup of the server (nothing is requested then).
 * @throws RestoreWaitError when the restore was requested but the wait did not end (the restore runs on).
 */
export async function restoreServer(args: RestoreServerArgs): Promise<RestoreServerResult> {
  assertValidArguments("restoreServer", RESTORE_SERVER_RULES, { ...args });
  const { serverId, backupId } = args;
  if (pulumi.runtime.isDryRun()) {
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
  const outcome = await restoreServerAndWait(functionClient("restoreServer", args), {
    serverId,
    backupId,
    waitForCompletion: args.waitForCompletion ?? true,
    backupFirst: args.backupFirst ?? false,
    deadlineAtMs: Date.now() + parseDuration(args.timeout ?? DEFAULT_RESTORE_TIMEOUT),
    pollSchedule: sharedPollSchedule(),
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

/**
 * {@link restoreServer} with Pulumi inputs. Runs once every input is known and the resources
 * in `opts.dependsOn` exist. **During `pulumi preview` nothing is restored and the result is
 * unknown.** It restores on every `pulumi up`; in a stack, prefer the `ServerRestore` resource.
 *
 * ## Example Usage
 *
 * ```typescript
 * const restored = vps.restoreServerOutput({ serverId: 12345, backupId: pre.backupId });
 * export const restoreStatus = restored.status;
 * ```
 */
export function restoreServerOutput(
  args: RestoreServerOutputArgs,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<RestoreServerResult> {
  return pulumi
    .all([pulumi.output(args), dependenciesReady(opts)])
    .apply(async ([plain]): Promise<RestoreServerResult> =>
      // An unknown result in preview: the values a restore would produce do not exist yet.
      pulumi.runtime.isDryRun()
        ? (pulumi.unknown as unknown as RestoreServerResult)
        : restoreServer(plain as RestoreServerArgs),
    );
}
