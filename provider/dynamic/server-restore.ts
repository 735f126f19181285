/**
 * `ServerRestore`: restoring a VPS server from a backup, declared in a Pulumi program.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  type ServerRestoreInputs,
  ServerRestoreInputsSchema,
  ServerRestoreStateSchema,
} from "../server-restore/schema";
import { type NoneLeft, type PulumiArgs, registeredProperties } from "./resource-props";
import { serverRestoreProvider } from "../serialized-providers";

/**
 * The arguments of a {@link ServerRestore}: its inputs schema's fields, each a `pulumi.Input`
 * (their docs are the schema's descriptions).
 */
export type ServerRestoreArgs = PulumiArgs<typeof ServerRestoreInputsSchema>;

/**
 * Restores a VPS server from one of its backups, as part of a stack. The restore runs when
 * the resource is created and again whenever `backupId` or `triggers` change (an in-place
 * update); an unchanged `pulumi up` never restores. Changing `serverId` replaces the resource,
 * which restores the new server. Deleting the resource touches nothing: the server keeps the
 * state it was restored to. Before anything is requested, the backup is checked to belong to
 * the server and to be completed.
 *
 * For a one-off restore from a script, use the {@link restoreServer} function instead.
 *
 * ## Example Usage
 *
 * ### Roll a server back to the backup taken before a deployment
 *
 * ```typescript
 * import * as vps from "pulumi-vps-backups";
 *
 * const pre = new vps.ServerBackup("pre-deploy", { serverId: 12345, triggers: [appVersion] });
 * const rollback = new vps.ServerRestore("rollback", {
 *     serverId: 12345,
 *     backupId: 499, // set to the backup to roll back to, then `pulumi up`
 * });
 * ```
 *
 * ### Restore again on demand
 *
 * ```typescript
 * const restore = new vps.ServerRestore("staging-reset", {
 *     serverId: 23456,
 *     backupId: 501,
 *     triggers: [new pulumi.Config().require("resetRequest")], // change it to restore again
 *     timeout: "1h",
 * });
 * ```
 */
export class ServerRestore extends pulumi.dynamic.Resource {
  /** The server's status when the last restore ended: `active` after a completed wait, else `restoring`. */
  declare readonly status: pulumi.Output<string>;
  /** When the last restore was requested (ISO 8601 UTC). */
  declare readonly restoredAt: pulumi.Output<string>;
  /** The platform's message about the last restore, or null. */
  declare readonly message: pulumi.Output<string | null>;
  /** The restored server. */
  declare readonly serverId: pulumi.Output<number>;
  /** The backup the server was last restored from. */
  declare readonly backupId: pulumi.Output<number>;
  /** The triggers given, if any. */
  declare readonly triggers: pulumi.Output<unknown[] | undefined>;
  /** The waitForCompletion given, if any (default true). */
  declare readonly waitForCompletion: pulumi.Output<boolean | undefined>;
  /** The timeout given, if any (default `"30m"`). */
  declare readonly timeout: pulumi.Output<string | undefined>;
  /** The API base URL given for this resource, if any. */
  declare readonly apiUrl: pulumi.Output<string | undefined>;
  /** The API token given for this resource, if any (always a secret). */
  declare readonly apiToken: pulumi.Output<string | undefined>;

  /**
   * @param name The unique name of the resource.
   * @param args The arguments to use to populate this resource's properties.
   * @param opts A bag of options that control this resource's behavior.
   */
  constructor(name: string, args: ServerRestoreArgs, opts?: pulumi.CustomResourceOptions) {
    const props = registeredProperties(ServerRestoreInputsSchema, ServerRestoreStateSchema, args);
    const secretOpts: pulumi.CustomResourceOptions = { additionalSecretOutputs: ["apiToken"] };
    super(
      serverRestoreProvider,
      name,
      props,
      pulumi.mergeOptions(opts, secretOpts),
      "vps",
      "ServerRestore",
    );
  }
}

// Every property the resource records is declared on the class (checked when compiling).
type _EveryPropertyDeclared = NoneLeft<
  Exclude<
    keyof (ServerRestoreInputs & z.output<typeof ServerRestoreStateSchema>),
    keyof ServerRestore
  >
>;
