/**
 * `ServerBackup`: a manual backup of a VPS server, declared in a Pulumi program.
 */
import * as pulumi from "@pulumi/pulumi";
import { serverBackupProvider } from "./serialized-providers";

/** The arguments of a {@link ServerBackup}. */
export interface ServerBackupArgs {
  /** The id of the server to back up (a positive whole number). Changing it replaces the backup. */
  serverId: pulumi.Input<number>;
  /**
   * Free text stored with the backup (at most 255 characters). Default: none. Changing it
   * replaces the backup (the API cannot edit a backup).
   */
  description?: pulumi.Input<string>;
  /**
   * Any values; when any of them changes, the backup is replaced by a new one (made first,
   * then the old one is deleted). Use it to take a fresh backup per release:
   * `triggers: [appVersion]`. Default: none.
   */
  triggers?: pulumi.Input<unknown[]>;
  /**
   * How long `pulumi up` waits for the backup to complete, as a duration: `"45m"`, `"90s"`,
   * `"1h30m"` (units h, m, s, ms; at most 24h). Default `"60m"`. When it runs out, the backup
   * is still recorded in the stack; the next `pulumi up` waits for it again. Changing it
   * updates in place with no API call. (Pulumi's `customTimeouts` never reach dynamic providers.)
   */
  createTimeout?: pulumi.Input<string>;
  /**
   * Adopt this existing backup of `serverId` instead of making a new one (Pulumi's `import`
   * does not work for dynamic resources). The backup must belong to `serverId` and not have
   * failed; an in-progress one is waited for. Once adopted, the backup is owned by the stack:
   * `pulumi destroy` deletes it (set the `retainOnDelete` option to keep it). Default: none.
   */
  adoptBackupId?: pulumi.Input<number>;
  /**
   * The API base URL for this resource. Default: stack config `vps:apiUrl`, then the
   * environment variable `VPS_API_URL`, then `https://admin.vps.org/api/v1`.
   */
  apiUrl?: pulumi.Input<string>;
  /**
   * The API token for this resource; stored encrypted as a secret output. Default: stack config
   * `vps:apiToken` (set it with `pulumi config set --secret vps:apiToken …`), then the
   * environment variable `VPS_API_TOKEN`.
   */
  apiToken?: pulumi.Input<string>;
}

/**
 * A manual backup of a VPS server. `pulumi up` asks the platform for the backup, waits until
 * it is completed (up to `createTimeout`) and records it; `pulumi refresh` picks up its status
 * and drops it from the stack when it was deleted or expired outside Pulumi; `pulumi destroy`
 * deletes it (a backup already gone counts as deleted).
 *
 * Replacing inputs (`serverId`, `description`, `triggers`, `adoptBackupId`) make a new backup
 * before the old one is deleted. `createTimeout`, `apiUrl` and `apiToken` update in place
 * without an API call.
 *
 * ## Example Usage
 *
 * ### A backup before every deployment
 *
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as vps from "pulumi-vps-backups";
 *
 * const appVersion = new pulumi.Config().require("appVersion");
 * const pre = new vps.ServerBackup("pre-deploy", {
 *     serverId: 12345,
 *     description: "Pre-deployment backup",
 *     triggers: [appVersion],
 * });
 * export const backupId = pre.backupId;
 * ```
 *
 * ### A large server with a longer wait
 *
 * ```typescript
 * const nightly = new vps.ServerBackup("db-backup", {
 *     serverId: 23456,
 *     createTimeout: "2h",
 * });
 * ```
 *
 * ### Adopting a backup that already exists
 *
 * ```typescript
 * const existing = new vps.ServerBackup("before-migration", {
 *     serverId: 12345,
 *     adoptBackupId: 499,
 * }, { retainOnDelete: true });
 * ```
 *
 * ### Credentials for one resource
 *
 * ```typescript
 * const other = new vps.ServerBackup("other-account", {
 *     serverId: 777,
 *     apiToken: new pulumi.Config().requireSecret("otherAccountToken"),
 * });
 * ```
 */
export class ServerBackup extends pulumi.dynamic.Resource {
  /** The backup's id on the platform. */
  declare readonly backupId: pulumi.Output<number>;
  /** The name of the server, as the platform reports it. */
  declare readonly serverName: pulumi.Output<string>;
  /** `manual` for backups made by this resource; an adopted one may be `automatic`. */
  declare readonly backupType: pulumi.Output<string>;
  /** `completed` once done; `in_progress` or `failed` when a create did not finish (see createTimeout). */
  declare readonly status: pulumi.Output<string>;
  /** Size in MiB once completed; null before. */
  declare readonly sizeMb: pulumi.Output<number | null>;
  /** When the backup was made (ISO 8601 UTC). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When the platform deletes it (ISO 8601 UTC); null for manual backups, which never expire. */
  declare readonly expiresAt: pulumi.Output<string | null>;
  /** The server that was backed up. */
  declare readonly serverId: pulumi.Output<number>;
  /** The description given, if any. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The triggers given, if any. */
  declare readonly triggers: pulumi.Output<unknown[] | undefined>;
  /** The createTimeout given, if any (the default is `"60m"`). */
  declare readonly createTimeout: pulumi.Output<string | undefined>;
  /** The adopted backup's id, if this resource adopted one. */
  declare readonly adoptBackupId: pulumi.Output<number | undefined>;
  /** The API base URL given for this resource, if any. */
  declare readonly apiUrl: pulumi.Output<string | undefined>;
  /** The API token given for this resource, if any (always a secret). */
  declare readonly apiToken: pulumi.Output<string | undefined>;

  /**
   * @param name The unique name of the resource.
   * @param args The arguments to use to populate this resource's properties.
   * @param opts A bag of options that control this resource's behavior.
   */
  constructor(name: string, args: ServerBackupArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      serverId: args.serverId,
      description: args.description,
      triggers: args.triggers,
      createTimeout: args.createTimeout,
      adoptBackupId: args.adoptBackupId,
      apiUrl: args.apiUrl,
      apiToken: args.apiToken === undefined ? undefined : pulumi.secret(args.apiToken),
      // Outputs: declared here so the engine's values land on the properties above.
      backupId: undefined,
      serverName: undefined,
      backupType: undefined,
      status: undefined,
      sizeMb: undefined,
      createdAt: undefined,
      expiresAt: undefined,
    };
    const secretOpts: pulumi.CustomResourceOptions = { additionalSecretOutputs: ["apiToken"] };
    super(
      serverBackupProvider,
      name,
      props,
      pulumi.mergeOptions(opts, secretOpts),
      "vps",
      "ServerBackup",
    );
  }
}
