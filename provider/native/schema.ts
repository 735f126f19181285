/**
 * The Pulumi package schema the plugin serves (`pulumi package get-schema`, and what Pulumi YAML
 * reads instead of a generated SDK). Written out by hand for now, with the same inputs and
 * defaults as the dynamic resources; derivation from the zod input schemas is to come.
 */

/** The plugin's version (the npm package's). */
export const PLUGIN_VERSION: string = (
  require("pulumi-vps-backups/package.json") as { version: string }
).version;

const str = (description: string) => ({ type: "string", description });
const int = (description: string) => ({ type: "integer", description });
const bool = (description: string) => ({ type: "boolean", description });
const anyList = (description: string) => ({
  type: "array",
  items: { $ref: "pulumi.json#/Any" },
  description,
});

const credentialInputs = {
  apiUrl: str(
    "The API base URL for this resource. Default: the provider's apiUrl (vps:apiUrl), then VPS_API_URL, then https://admin.vps.org/api/v1.",
  ),
  apiToken: {
    ...str(
      "The API token for this resource. Default: the provider's apiToken (vps:apiToken), then VPS_API_TOKEN.",
    ),
    secret: true,
  },
};

const serverBackupInputs = {
  serverId: int("The server to back up. Changing it replaces the backup."),
  description: str(
    "A note stored with the backup (at most 255 characters). Changing it replaces the backup.",
  ),
  triggers: anyList(
    "Any values; when one changes, a new backup is made (before the old one is deleted).",
  ),
  createTimeout: str(
    'How long to wait for the backup to complete, as a duration ("45m", "1h30m"; at most 24h). Default "60m"; a customTimeouts.create option wins over it.',
  ),
  adoptBackupId: int(
    "Record this existing backup of the server instead of making a new one (for dynamic-provider programs; native users can `pulumi import`).",
  ),
  ...credentialInputs,
};

const backupProperties = {
  backupId: int("The backup's id (also the resource id)."),
  serverName: str("The server's name when the backup was last read."),
  backupType: str("manual or automatic."),
  status: str("in_progress, completed or failed."),
  sizeMb: { type: "number", description: "Size in MiB once completed." },
  createdAt: str("When the backup was made (ISO 8601 UTC)."),
  expiresAt: str("When the platform deletes the backup (ISO 8601 UTC), if ever."),
};

const serverRestoreInputs = {
  serverId: int("The server to restore."),
  backupId: int("A completed backup of that server. Changing it restores again."),
  triggers: anyList("Any values; when one changes, the restore runs again."),
  waitForCompletion: bool("Wait until the server is active again. Default true."),
  timeout: str('How long the restore may take, as a duration. Default "30m".'),
  ...credentialInputs,
};

const filterInputs = {
  serverId: int("Only backups of this server. Default: every server of the account."),
  backupType: str("Only manual or automatic backups (any case)."),
  status: str("Only backups with this status (completed, in_progress, failed, ...)."),
  descriptionRegex: str(
    "Only backups whose description matches this JavaScript regular expression.",
  ),
  ...credentialInputs,
};

const backupType = {
  type: "object",
  description: "A backup as the API reports it.",
  properties: {
    id: int("The backup's id."),
    serverId: int("The server it belongs to."),
    serverName: str("The server's name."),
    backupType: str("manual or automatic."),
    status: str("in_progress, completed or failed."),
    sizeMb: { type: "number", description: "Size in MiB once completed." },
    createdAt: str("Creation time (ISO 8601 UTC)."),
    expiresAt: str("Expiry time (ISO 8601 UTC), if any."),
    description: str("The backup's note, if any."),
  },
  required: ["id", "serverId", "serverName", "backupType", "status", "createdAt"],
};

/** The schema as an object (`getSchema` serves it as JSON). */
export const PACKAGE_SCHEMA = {
  name: "vps",
  displayName: "VPS Backups",
  version: PLUGIN_VERSION,
  description: "Backups and restores of VPS servers, as a native Pulumi provider.",
  config: {
    variables: credentialInputs,
  },
  provider: {
    description: "The account the resources and functions use.",
    inputProperties: credentialInputs,
    properties: credentialInputs,
  },
  types: {
    "vps:index:Backup": backupType,
  },
  resources: {
    "vps:index:ServerBackup": {
      description:
        "A backup of a server, made on create and waited for until it is completed; deleted with the resource. The id is the backup id.",
      inputProperties: serverBackupInputs,
      requiredInputs: ["serverId"],
      properties: { ...serverBackupInputs, ...backupProperties },
      required: ["serverId", "backupId", "serverName", "backupType", "status", "createdAt"],
    },
    "vps:index:ServerRestore": {
      description:
        "Restores a server from a backup on create, and again when backupId or triggers change.",
      inputProperties: serverRestoreInputs,
      requiredInputs: ["serverId", "backupId"],
      properties: {
        ...serverRestoreInputs,
        status: str("The server's status when the restore ended."),
        restoredAt: str("When the last restore was requested (ISO 8601)."),
        message: str("The platform's message about the restore."),
      },
      required: ["serverId", "backupId", "status", "restoredAt"],
    },
  },
  functions: {
    "vps:index:getBackups": {
      description: "Lists the backups that match the filters, newest first.",
      inputs: { properties: filterInputs },
      outputs: {
        properties: {
          backups: {
            type: "array",
            items: { $ref: "#/types/vps:index:Backup" },
            description: "The matching backups, newest first.",
          },
          count: int("How many matched."),
        },
        required: ["backups", "count"],
      },
    },
    "vps:index:getBackup": {
      description: "Finds one backup; fails when none or several match (unless mostRecent).",
      inputs: {
        properties: {
          ...filterInputs,
          mostRecent: bool("When several backups match, take the newest. Default false."),
        },
      },
      outputs: backupType,
    },
    "vps:index:restoreServer": {
      description:
        "Restores a server from one of its backups, now (prefer the ServerRestore resource in a stack).",
      inputs: {
        properties: {
          serverId: int("The server to restore."),
          backupId: int("A completed backup of that server."),
          waitForCompletion: bool("Wait until the server is active again. Default true."),
          timeout: str('How long it may take, as a duration. Default "30m".'),
          backupFirst: bool("Take a safety backup first and wait for it. Default false."),
          ...credentialInputs,
        },
        required: ["serverId", "backupId"],
      },
      outputs: {
        properties: {
          performed: bool("False when nothing was restored."),
          serverId: int("The server."),
          backupId: int("The backup."),
          status: str("The server's status at the end."),
          message: str("The platform's message."),
          restoredAt: str("When the restore was requested."),
          safetyBackupId: int("The safety backup taken first, if any."),
        },
      },
    },
  },
  language: {
    nodejs: { packageName: "@vps-backups/pulumi-vps" },
  },
} as const;
