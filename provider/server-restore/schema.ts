/**
 * The schemas of the restore family: the `ServerRestore` resource's inputs and recorded state,
 * and the `restoreServer` function's arguments (names, validation, defaults, docs) and result.
 */
import { z } from "zod";
import { IdSchema } from "../../sdk";
import { DurationSchema } from "../core/duration";
import { ApiTokenInput, ApiUrlInput, FlagInput, TriggersInput, idInput } from "../core/inputs";

/** How long a restore may take before the wait gives up, when `timeout` is not set. */
const DEFAULT_RESTORE_TIMEOUT = "30m";

const restoredServerId = () => idInput("12345");
const restoredBackupId = () => idInput("501 (a completed backup of this server)");

/** The inputs of a `ServerRestore`. */
export const ServerRestoreInputsSchema = z.object({
  serverId: restoredServerId().describe(
    "The id of the server to restore. Changing it replaces the resource: the new server is restored.",
  ),
  backupId: restoredBackupId().describe(
    "The id of a completed backup of `serverId` to restore from. Changing it restores the server " +
      "again, from the new backup (an in-place update).",
  ),
  triggers: TriggersInput.optional().describe(
    "Any values; when any of them changes, the server is restored again from `backupId`. Default: none.",
  ),
  waitForCompletion: FlagInput.default(true).describe(
    "Wait until the server is `active` again before `pulumi up` goes on. Default true.",
  ),
  timeout: DurationSchema.default(DEFAULT_RESTORE_TIMEOUT).describe(
    'How long to wait for the restore, as a duration (`"30m"`, `"1h"`; at most 24h). Default ' +
      '`"30m"`. When it runs out the restore is still recorded and is not requested again.',
  ),
  apiUrl: ApiUrlInput.optional().describe(
    "The API base URL for this resource. Default: stack config `vps:apiUrl`, then `VPS_API_URL`.",
  ),
  apiToken: ApiTokenInput.optional().describe(
    "The API token for this resource (stored as a secret). Default: stack config `vps:apiToken`, then `VPS_API_TOKEN`.",
  ),
});
ServerRestoreInputsSchema.register(z.globalRegistry, {
  description:
    "Restores a server from a backup on create, and again when `backupId` or `triggers` " +
    "change. Deleting it restores nothing and deletes nothing: it only leaves the stack.",
});

/** The inputs as the provider uses them (defaults filled in). */
export type ServerRestoreInputs = z.output<typeof ServerRestoreInputsSchema>;

/** Inputs whose change runs the restore again (as an update of the same resource). */
export const SERVER_RESTORE_RESTORING_INPUTS: readonly (keyof ServerRestoreInputs)[] = [
  "backupId",
  "triggers",
];

/** What the last restore reported, recorded as outputs next to the inputs. */
export const ServerRestoreStateSchema = z.object({
  status: z
    .string()
    .describe(
      "The server's status when the last restore ended: `active` after a completed wait, else `restoring`.",
    ),
  restoredAt: z.string().describe("When the last restore was requested (ISO 8601 UTC)."),
  message: z
    .string()
    .nullable()
    .describe("The platform's message about the last restore, or null."),
});
ServerRestoreStateSchema.register(z.globalRegistry, {
  description: "What the last restore reported, recorded next to the inputs.",
});

/** The arguments of the `restoreServer` function. */
export const RestoreServerArgsSchema = z.object({
  serverId: restoredServerId().describe("The server to restore."),
  backupId: restoredBackupId().describe("A completed backup of that server."),
  waitForCompletion: FlagInput.default(true).describe(
    "Wait until the server is `active` again. Default true.",
  ),
  timeout: DurationSchema.default(DEFAULT_RESTORE_TIMEOUT).describe(
    'How long the safety backup and the restore may take together, as a duration (`"30m"`, `"1h"`; at most 24h). Default `"30m"`.',
  ),
  backupFirst: FlagInput.default(false).describe(
    "Take a backup of the server first and wait until it completes (its id is in the result). Default false.",
  ),
  apiUrl: ApiUrlInput.optional().describe(
    "The API base URL. Default: stack config `vps:apiUrl`, then `VPS_API_URL`, then the platform's.",
  ),
  apiToken: ApiTokenInput.optional().describe(
    "The API token. Default: stack config `vps:apiToken`, then `VPS_API_TOKEN`.",
  ),
});
RestoreServerArgsSchema.register(z.globalRegistry, {
  description:
    "Restores a server from one of its backups, now, each time the program runs (never during " +
    "`pulumi preview`); prefer the `ServerRestore` resource in a stack.",
});

/** What the `restoreServer` function returns (`RestoreServerResult`). */
export const RestoreServerResultSchema = z
  .object({
    performed: z
      .boolean()
      .describe("False during `pulumi preview`, where nothing is restored; true otherwise."),
    serverId: IdSchema.describe("The server that was restored."),
    backupId: IdSchema.describe("The backup it was restored from."),
    status: z
      .string()
      .describe(
        "The server's status at the end: `active` after a completed wait, `restoring` without " +
          "one, `preview` when nothing was performed.",
      ),
    message: z.string().nullable().describe("The platform's message about the restore, or null."),
    restoredAt: z
      .string()
      .nullable()
      .describe("When the restore was requested (ISO 8601 UTC); null when not performed."),
    safetyBackupId: IdSchema.nullable().describe(
      "The safety backup taken first (`backupFirst`), or null.",
    ),
  })
  .describe("What one restore did.");
