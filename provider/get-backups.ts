/**
 * `getBackups` / `getBackup`: read the backups of your servers from a Pulumi program (the
 * data-source side of the package; they never change anything).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Backup } from "../sdk";
import { BackupMatchError } from "./errors";
import { dependenciesReady, functionClient } from "./function-client";
import {
  type InputRules,
  apiTokenRule,
  apiUrlRule,
  assertValidArguments,
  backupTypeRule,
  booleanRule,
  idRule,
  nonEmptyStringRule,
  regexRule,
} from "./validation";

/** Filters of {@link getBackups}; every filter is optional and they combine with AND. */
export interface GetBackupsArgs {
  /** Only backups of this server. Default: every server of the account. */
  serverId?: number;
  /** Only `manual` or `automatic` backups (any case). Default: both. */
  backupType?: string;
  /** Only backups with this status (`completed`, `in_progress`, `failed`, …). Default: any. */
  status?: string;
  /** Only backups whose description matches this JavaScript regular expression. Default: any. */
  descriptionRegex?: string;
  /** The API base URL. Default: stack config `vps:apiUrl`, then `VPS_API_URL`, then the platform's. */
  apiUrl?: string;
  /** The API token. Default: stack config `vps:apiToken`, then `VPS_API_TOKEN`. */
  apiToken?: string;
}

/** {@link GetBackupsArgs} as Pulumi inputs, for {@link getBackupsOutput}. */
export type GetBackupsOutputArgs = {
  [K in keyof GetBackupsArgs]?: pulumi.Input<GetBackupsArgs[K]>;
};

/** What {@link getBackups} found. */
export interface GetBackupsResult {
  /** The matching backups, newest first. */
  readonly backups: Backup[];
  /** How many matched. */
  readonly count: number;
}

/** Filters of {@link getBackup}: those of {@link getBackups}, plus `mostRecent`. */
export interface GetBackupArgs extends GetBackupsArgs {
  /** When several backups match, take the newest instead of failing. Default false. */
  mostRecent?: boolean;
}

/** {@link GetBackupArgs} as Pulumi inputs, for {@link getBackupOutput}. */
export type GetBackupOutputArgs = { [K in keyof GetBackupArgs]?: pulumi.Input<GetBackupArgs[K]> };

/** What {@link getBackup} found: one backup. */
export type GetBackupResult = Backup;

const GET_BACKUPS_RULES: InputRules = {
  serverId: { required: false, rule: idRule("12345") },
  backupType: { required: false, rule: backupTypeRule },
  status: { required: false, rule: nonEmptyStringRule },
  descriptionRegex: { required: false, rule: regexRule },
  apiUrl: { required: false, rule: apiUrlRule },
  apiToken: { required: false, rule: apiTokenRule },
};
const GET_BACKUP_RULES: InputRules = {
  ...GET_BACKUPS_RULES,
  mostRecent: { required: false, rule: booleanRule },
};

// ISO 8601 UTC timestamps of one shape (the platform's) order as plain strings.
const CANONICAL_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * Sorts newest first by creation time, then by id. Timestamps in the platform's one shape are
 * compared as strings (no parsing, no allocation); any other shape is parsed, once each.
 */
function sortNewestFirst(backups: Backup[]): Backup[] {
  if (backups.every((backup) => CANONICAL_TIMESTAMP.test(backup.createdAt))) {
    return backups.sort((left, right) =>
      left.createdAt === right.createdAt
        ? right.id - left.id
        : left.createdAt < right.createdAt
          ? 1
          : -1,
    );
  }
  return backups
    .map((backup) => ({ backup, createdAtMs: Date.parse(backup.createdAt) }))
    .sort((left, right) => {
      const byTime = right.createdAtMs - left.createdAtMs;
      return byTime !== 0 && !Number.isNaN(byTime) ? byTime : right.backup.id - left.backup.id;
    })
    .map(({ backup }) => backup);
}

function describeFilters(args: GetBackupsArgs): string {
  const filters = (["serverId", "backupType", "status", "descriptionRegex"] as const)
    .filter((name) => args[name] !== undefined)
    .map((name) => `${name}=${JSON.stringify(args[name])}`);
  return filters.length > 0 ? filters.join(", ") : "no filters";
}

async function listMatchingBackups(functionName: string, args: GetBackupsArgs): Promise<Backup[]> {
  const client = functionClient(functionName, args);
  const listed = await client.listBackups({ serverId: args.serverId, backupType: args.backupType });
  const description =
    args.descriptionRegex !== undefined ? new RegExp(args.descriptionRegex) : undefined;
  return sortNewestFirst(
    listed.filter(
      (backup) =>
        (args.status === undefined || backup.status === args.status) &&
        (description === undefined || description.test(backup.description ?? "")),
    ),
  );
}

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
  assertValidArguments("getBackups", GET_BACKUPS_RULES, { ...args });
  const backups = await listMatchingBackups("getBackups", args);
  return { backups, count: backups.length };
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
  assertValidArguments("getBackup", GET_BACKUP_RULES, { ...args });
  const backups = await listMatchingBackups("getBackup", args);
  const [newest] = backups;
  if (newest === undefined) {
    throw new BackupMatchError(
      `getBackup: no backup matched (${describeFilters(args)}); loosen the filters`,
      {
        matchCount: 0,
      },
    );
  }
  if (backups.length > 1 && !args.mostRecent) {
    throw new BackupMatchError(
      `getBackup: ${backups.length} backups matched (${describeFilters(args)}), expected exactly one; ` +
        `narrow the filters or set mostRecent: true to take the newest (backup ${newest.id})`,
      { matchCount: backups.length },
    );
  }
  return newest;
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
