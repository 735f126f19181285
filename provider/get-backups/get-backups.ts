/**
 * What the `getBackups` and `getBackup` functions do, on plain arguments: read the backups of
 * the account, filter and sort them (see `provider/dynamic/get-backups.ts` for the Pulumi
 * forms). They never change anything.
 */
import type { Backup } from "../../sdk";
import { BackupMatchError } from "../core/errors";
import { parseInputs } from "../core/inputs";
import type { OperationContext } from "../core/operation";
import { GetBackupArgsSchema, type GetBackupsInputs, GetBackupsArgsSchema } from "./schema";

type Values = Record<string, unknown>;

/** What {@link findBackups} found. */
export interface GetBackupsResult {
  /** The matching backups, newest first. */
  readonly backups: Backup[];
  /** How many matched. */
  readonly count: number;
}

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

function describeFilters(args: Values): string {
  const filters = (["serverId", "backupType", "status", "descriptionRegex"] as const)
    .filter((name) => args[name] !== undefined)
    .map((name) => `${name}=${JSON.stringify(args[name])}`);
  return filters.length > 0 ? filters.join(", ") : "no filters";
}

/**
 * Reads the list page by page and keeps only the matches, so that what is held at once is the
 * result plus one page, not every backup of the account and then a filtered copy (an account
 * may hold thousands). A backup seen on two pages (the list shifted while paging) counts once,
 * as its first sighting, as in `listBackups`.
 */
async function listMatchingBackups(
  functionName: string,
  args: GetBackupsInputs,
  context: OperationContext,
): Promise<Backup[]> {
  const client = context.client(functionName, args);
  const description =
    args.descriptionRegex !== undefined ? new RegExp(args.descriptionRegex) : undefined;
  const seenIds = new Set<number>();
  const matching: Backup[] = [];
  const pages = client.iterBackups({ serverId: args.serverId, backupType: args.backupType });
  for await (const page of pages) {
    for (const backup of page) {
      if (seenIds.has(backup.id)) continue;
      seenIds.add(backup.id);
      if (
        (args.status === undefined || backup.status === args.status) &&
        (description === undefined || description.test(backup.description ?? ""))
      ) {
        matching.push(backup);
      }
    }
  }
  return sortNewestFirst(matching);
}

/**
 * Lists the backups that match the filters, newest first. Filters by server and type on the
 * platform, by status and description here.
 *
 * @throws VpsInvalidArgumentError naming the field when a filter is invalid (before any request).
 */
export async function findBackups(
  args: Values,
  context: OperationContext,
): Promise<GetBackupsResult> {
  const inputs = parseInputs("getBackups", GetBackupsArgsSchema, args);
  const backups = await listMatchingBackups("getBackups", inputs, context);
  return { backups, count: backups.length };
}

/**
 * Finds exactly one backup matching the filters (the newest of several with `mostRecent`).
 *
 * @throws VpsInvalidArgumentError naming the field when a filter is invalid (before any request).
 * @throws BackupMatchError when no backup or several backups match (`matchCount` says how many).
 */
export async function findOneBackup(args: Values, context: OperationContext): Promise<Backup> {
  const inputs = parseInputs("getBackup", GetBackupArgsSchema, args);
  const backups = await listMatchingBackups("getBackup", inputs, context);
  const [newest] = backups;
  if (newest === undefined) {
    throw new BackupMatchError(
      `getBackup: no backup matched (${describeFilters(args)}); loosen the filters`,
      { matchCount: 0 },
    );
  }
  if (backups.length > 1 && !inputs.mostRecent) {
    throw new BackupMatchError(
      `getBackup: ${backups.length} backups matched (${describeFilters(args)}), expected exactly one; ` +
        `narrow the filters or set mostRecent: true to take the newest (backup ${newest.id})`,
      { matchCount: backups.length },
    );
  }
  return newest;
}
