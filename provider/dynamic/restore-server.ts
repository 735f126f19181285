/**
 * `restoreServer` / `restoreServerOutput`: restore a server from a backup, once, from a
 * script or a program. For a restore that belongs to a stack, use the `ServerRestore` resource.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type RestoreServerResult, restoreServerNow } from "../server-restore/restore-server";
import type { RestoreServerArgsSchema } from "../server-restore/schema";
import { dependenciesReady, functionContext } from "./function-client";

export type { RestoreServerResult } from "../server-restore/restore-server";

/** Arguments of {@link restoreServer} (the fields of `RestoreServerArgsSchema`, whose descriptions document them). */
export type RestoreServerArgs = z.input<typeof RestoreServerArgsSchema>;

/** {@link RestoreServerArgs} as Pulumi inputs, for {@link restoreServerOutput}. */
export type RestoreServerOutputArgs = {
  [K in keyof RestoreServerArgs]: pulumi.Input<RestoreServerArgs[K]>;
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
  return restoreServerNow(
    { ...args },
    { ...functionContext(), preview: pulumi.runtime.isDryRun() },
  );
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
