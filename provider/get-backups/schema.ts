/**
 * The schemas of `getBackups` and `getBackup`: their arguments (names, validation, docs) and
 * what they return.
 */
import { z } from "zod";
import { IdSchema } from "../../sdk";
import {
  ApiTokenInput,
  ApiUrlInput,
  BackupTypeInput,
  FlagInput,
  RegexInput,
  StatusFilterInput,
  idInput,
} from "../core/inputs";

/** The filters of `getBackups`; every filter is optional and they combine with AND. */
export const GetBackupsArgsSchema = z.object({
  serverId: idInput("12345")
    .optional()
    .describe("Only backups of this server. Default: every server of the account."),
  backupType: BackupTypeInput.optional().describe(
    "Only `manual` or `automatic` backups (any case). Default: both.",
  ),
  status: StatusFilterInput.optional().describe(
    "Only backups with this status (`completed`, `in_progress`, `failed`, …). Default: any.",
  ),
  descriptionRegex: RegexInput.optional().describe(
    "Only backups whose description matches this JavaScript regular expression. Default: any.",
  ),
  apiUrl: ApiUrlInput.optional().describe(
    "The API base URL. Default: stack config `vps:apiUrl`, then `VPS_API_URL`, then the platform's.",
  ),
  apiToken: ApiTokenInput.optional().describe(
    "The API token. Default: stack config `vps:apiToken`, then `VPS_API_TOKEN`.",
  ),
});
GetBackupsArgsSchema.register(z.globalRegistry, {
  description: "Lists the backups of the account that match the filters, newest first.",
});

/** The filters of `getBackup`: those of `getBackups`, plus `mostRecent`. */
export const GetBackupArgsSchema = GetBackupsArgsSchema.extend({
  mostRecent: FlagInput.default(false).describe(
    "When several backups match, take the newest instead of failing. Default false.",
  ),
});
GetBackupArgsSchema.register(z.globalRegistry, {
  description:
    "Finds exactly one backup that matches the filters; fails when none or several match " +
    "(unless `mostRecent`).",
});

/** The filters of `getBackups` as the function uses them. */
export type GetBackupsInputs = z.output<typeof GetBackupsArgsSchema>;

/** One backup as the functions return it (the sdk's `Backup`). */
export const BackupResultSchema = z
  .object({
    id: IdSchema.describe("The backup's id."),
    serverId: IdSchema.describe("The id of the server it belongs to."),
    serverName: z.string().describe("The server's name at the time of the read."),
    backupType: z
      .string()
      .describe(
        "`manual` or `automatic` (other values the platform adds pass through lowercased).",
      ),
    status: z
      .string()
      .describe("`in_progress`, `completed`, `failed`, or a status the platform added later."),
    sizeMb: z.number().nullable().describe("Size in MiB once completed; null while in progress."),
    createdAt: z.string().describe("When the backup was made (ISO 8601 UTC)."),
    expiresAt: z
      .string()
      .nullable()
      .describe(
        "When the platform deletes it (ISO 8601 UTC); null for manual backups, which never expire.",
      ),
    description: z
      .string()
      .nullable()
      .describe("The backup's free text; null when none was given."),
  })
  .describe("A backup, as the API reports it.");

/** What `getBackups` returns (`GetBackupsResult`). */
export const GetBackupsResultSchema = z
  .object({
    backups: z.array(BackupResultSchema).describe("The matching backups, newest first."),
    count: z.number().int().nonnegative().describe("How many backups matched."),
  })
  .describe("The backups that matched, newest first, and how many.");
