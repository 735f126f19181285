/**
 * `getBackups` / `getBackup`: read the backups of your servers from a Pulumi program (the
 * data-source side of the package; they never change anything).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Backup } from "../../sdk";
import { type GetBackupsResult, findBackups, findOneBackup } from "../get-backups/get-backups";
import type { GetBackupArgsSchema, GetBackupsArgsSchema } from "../get-backups/schema";
import { dependenciesReady, functionContext } from "./function-client";

export type { GetBackupsResult } from "../get-backups/get-backups";

/**
 * Filters of {@link getBackups}; every filter is optional and they combine with AND (the
 * fields of `GetBackupsArgsSchema`, whose descriptions document them).
 */
export type GetBackupsArgs = z.input<typeof GetBackupsArgsSchema>;

/** {@link GetBackupsArgs} as Pulumi inputs, for {@link getBackupsOutput}. */
export type GetBackupsOutputArgs = {
  [K in keyof GetBackupsArgs]?: pulumi.Input<GetBackupsArgs[K]>;
};

/** Filters of {@link getBackup}: those of {@link getBackups}, plus `mostRecent`. */
export type GetBackupArgs = z.input<typeof GetBackupArgsSchema>;

/** {@link GetBackupArgs} as Pulumi inputs, for {@link getBackupOutput}. */
export type GetBackupOutputArgs = { [K in keyof GetBackupArgs]?: pulumi.Input<GetBackupArgs[K]> };

/** What {@link getBackup} found: one backup. */
export type GetBackupResult = Backup;

/**
 * Lists the backups of your servers that match the filters, newest first. Filters by server
 * and type on the platform, by status and description here.
 *
 * ## Example Usage
 *
 * ```typescript
 * const completed = await vps.getBackups({ serverId: 12345, status: "completed" });
 * console.log(`${completed.count} completed backups`);
 * ```
 *
 * @param args Filters and credentials; see {@link GetBackupsArgs}.
 * @param _opts Accepted for the usual invoke signature; no Pulumi provider serves this call, so none of its fields apply.
 * @throws VpsInvalidArgumentError naming the field when a filter is invalid (before any request).
 */
export async function getBackups(
  args: GetBackupsArgs = {},
  _opts?: pulumi.InvokeOptions,
): Promise<GetBackupsResult> {
  return findBackups({ ...args }, functionContext());
}

/**
 * {@link getBackups} with Pulumi inputs: runs once every input is known (in preview too, as it
 * only reads), after the resources in `opts.dependsOn` exist. The result is secret when an
 * input (such as `apiToken`) is.
 *
 * ## Example Usage
 *
 * ```typescript
 * const backups = vps.getBackupsOutput({ serverId: server.id.apply(Number), backupType: "manual" });
 * export const manualBackupIds = backups.backups.apply((list) => list.map((b) => b.id));
 * ```
 */
export function getBackupsOutput(
  args: GetBackupsOutputArgs = {},
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetBackupsResult> {
  return pulumi
    .all([pulumi.output(args), dependenciesReady(opts)])
    .apply(([plain]) => getBackups(plain as GetBackupsArgs));
}

/**
 * Finds exactly one backup matching the filters. Fails, saying how many matched, when none
 * or several do; set `mostRecent: true` to take the newest of several.
 *
 * ## Example Usage
 *
 * ```typescript
 * const latest = await vps.getBackup({ serverId: 12345, status: "completed", mostRecent: true });
 * ```
 *
 * @param args Filters, `mostRecent` and credentials; see {@link GetBackupArgs}.
 * @param _opts Accepted for the usual invoke signature; no Pulumi provider serves this call, so none of its fields apply.
 * @throws VpsInvalidArgumentError naming the field when a filter is invalid (before any request).
 * @throws BackupMatchError when no backup or several backups match (`matchCount` says how many).
 */
export async function getBackup(
  args: GetBackupArgs = {},
  _opts?: pulumi.InvokeOptions,
): Promise<GetBackupResult> {
  return findOneBackup({ ...args }, functionContext());
}

/**
 * {@link getBackup} with Pulumi inputs: runs once every input is known, after the resources in
 * `opts.dependsOn` exist.
 *
 * ## Example Usage
 *
 * ```typescript
 * const latest = vps.getBackupOutput({ serverId: 12345, mostRecent: true });
 * export const latestBackupId = latest.id;
 * ```
 */
export function getBackupOutput(
  args: GetBackupOutputArgs = {},
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetBackupResult> {
  return pulumi
    .all([pulumi.output(args), dependenciesReady(opts)])
    .apply(([plain]) => getBackup(plain as GetBackupArgs));
}
