/**
 * The argument schemas of `getBackups` and `getBackup` (names, validation, docs).
 */
import { z } from "zod";
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

/** The filters of `getBackup`: those of `getBackups`, plus `mostRecent`. */
export const GetBackupArgsSchema = GetBackupsArgsSchema.extend({
  mostRecent: FlagInput.default(false).describe(
    "When several backups match, take the newest instead of failing. Default false.",
  ),
});

/** The filters of `getBackups` as the function uses them. */
export type GetBackupsInputs = z.output<typeof GetBackupsArgsSchema>;
