/**
 * `ServerBackup`: a manual backup of a VPS server, declared in a Pulumi program.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ServerBackupInputsSchema,
  type ServerBackupInputs,
  type ServerBackupState,
  ServerBackupStateSchema,
} from "../server-backup/schema";
import { type NoneLeft, type PulumiArgs, registeredProperties } from "./resource-props";
import { serverBackupProvider } from "../serialized-providers";

/**
 * The arguments of a {@link ServerBackup}: its inputs schema's fields, each a `pulumi.Input`
 * (their docs are the schema's descriptions).
 */
export type ServerBackupArgs = PulumiArgs<typeof ServerBackupInputsSchema>;

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
    const props = registeredProperties(ServerBackupInputsSchema, ServerBackupStateSchema, args);
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

// Every property the resource records is declared on the class (checked when compiling).
type _EveryPropertyDeclared = NoneLeft<
  Exclude<keyof (ServerBackupInputs & ServerBackupState), keyof ServerBackup>
>;
