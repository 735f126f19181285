/**
 * The one schema of `ServerBackup`: its inputs (names, validation, defaults, docs) and the state
 * it records. The resource class, the provider's check and diff, and any later package schema
 * all derive from these two objects.
 */
import { z } from "zod";
import { DEFAULT_BASE_URL, IdSchema } from "../../sdk";
import { DurationSchema } from "../core/duration";
import {
  ApiTokenInput,
  ApiUrlInput,
  DescriptionInput,
  TriggersInput,
  idInput,
} from "../core/inputs";

/** How long `create` waits for a new backup to complete when `createTimeout` is not set. */
const DEFAULT_CREATE_TIMEOUT = "60m";

/** The inputs of a `ServerBackup`. */
export const ServerBackupInputsSchema = z.object({
  serverId: idInput("12345").describe(
    "The id of the server to back up (a positive whole number). Changing it replaces the backup.",
  ),
  description: DescriptionInput.optional().describe(
    "Free text stored with the backup (at most 255 characters). Default: none. Changing it " +
      "replaces the backup (the API cannot edit a backup).",
  ),
  triggers: TriggersInput.optional().describe(
    "Any values; when any of them changes, the backup is replaced by a new one (made first, " +
      "then the old one is deleted). Use it to take a fresh backup per release: " +
      "`triggers: [appVersion]`. Default: none.",
  ),
  createTimeout: DurationSchema.default(DEFAULT_CREATE_TIMEOUT).describe(
    'How long `pulumi up` waits for the backup to complete, as a duration: `"45m"`, `"90s"`, ' +
      '`"1h30m"` (units h, m, s, ms; at most 24h). Default `"60m"`. When it runs out, the backup ' +
      "is still recorded in the stack; the next `pulumi up` waits for it again. Changing it " +
      "updates in place with no API call. Under the native provider a `customTimeouts.create` " +
      "option wins over it (dynamic providers never see `customTimeouts`).",
  ),
  adoptBackupId: idInput("501 (an existing backup of this server)")
    .optional()
    .describe(
      "Adopt this existing backup of `serverId` instead of making a new one (Pulumi's `import` " +
        "does not work for dynamic resources; the native provider supports `pulumi import`). " +
        "The backup must belong to `serverId` and not have failed; an in-progress one is waited " +
        "for. Once adopted, the backup is owned by the stack: `pulumi destroy` deletes it (set " +
        "the `retainOnDelete` option to keep it). Default: none.",
    ),
  apiUrl: ApiUrlInput.optional().describe(
    "The API base URL for this resource. Default: stack config `vps:apiUrl`, then the " +
      `environment variable \`VPS_API_URL\`, then \`${DEFAULT_BASE_URL}\`.`,
  ),
  apiToken: ApiTokenInput.optional().describe(
    "The API token for this resource; stored encrypted as a secret output. Default: stack config " +
      "`vps:apiToken` (set it with `pulumi config set --secret vps:apiToken …`), then the " +
      "environment variable `VPS_API_TOKEN`.",
  ),
});
ServerBackupInputsSchema.register(z.globalRegistry, {
  description:
    "A backup of a server: made on create and waited for until it is completed, deleted with " +
    "the resource. The resource id is the backup id.",
});

/** The inputs as the provider uses them (defaults filled in). */
export type ServerBackupInputs = z.output<typeof ServerBackupInputsSchema>;

/** Inputs whose change means another backup: replaced (the new one is made before the old is deleted). */
export const SERVER_BACKUP_REPLACING_INPUTS: readonly (keyof ServerBackupInputs)[] = [
  "serverId",
  "description",
  "triggers",
  "adoptBackupId",
];

/** What the backup itself reports, recorded as outputs next to the inputs. */
export const ServerBackupStateSchema = z.object({
  backupId: IdSchema.describe("The backup's id on the platform."),
  serverName: z.string().describe("The name of the server, as the platform reports it."),
  backupType: z
    .string()
    .describe("`manual` for backups made by this resource; an adopted one may be `automatic`."),
  status: z
    .string()
    .describe(
      "`completed` once done; `in_progress` or `failed` when a create did not finish (see createTimeout).",
    ),
  sizeMb: z.number().nullable().describe("Size in MiB once completed; null before."),
  createdAt: z.string().describe("When the backup was made (ISO 8601 UTC)."),
  expiresAt: z
    .string()
    .nullable()
    .describe(
      "When the platform deletes it (ISO 8601 UTC); null for manual backups, which never expire.",
    ),
});
ServerBackupStateSchema.register(z.globalRegistry, {
  description: "What the backup reports, recorded next to the inputs.",
});

/** What the backup reports. */
export type ServerBackupState = z.output<typeof ServerBackupStateSchema>;
