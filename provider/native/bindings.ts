/**
 * The one place the plugin meets the resource logic: the families' operations
 * (`provider/server-backup/`, `provider/server-restore/`, `provider/get-backups/`), each given
 * the call's `OperationContext` (operation-context.ts). Everything here works on plain values
 * (secrets unwrapped by the caller) and only translates to the Provider interface's shapes.
 */
import type { OperationContext } from "../core/operation";
import { pickInputs } from "../core/inputs";
import { findBackups, findOneBackup } from "../get-backups/get-backups";
import { ServerBackupInputsSchema } from "../server-backup/schema";
import { serverBackupOperations as backup } from "../server-backup/server-backup";
import { ServerRestoreInputsSchema } from "../server-restore/schema";
import { serverRestoreOperations as restore } from "../server-restore/server-restore";

type Props = Record<string, unknown>;

/** A resource's logic, in the plugin's terms (the Pulumi provider methods minus the urn). */
export interface ResourceBinding {
  check(news: Props): { inputs?: Props; failures?: { property: string; reason: string }[] };
  diff(
    olds: Props,
    news: Props,
  ): { changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean };
  create(inputs: Props, context: OperationContext): Promise<{ id: string; outs?: Props }>;
  /** `importing`: `pulumi import` (no recorded properties); `inputs` are returned for it. */
  read(
    id: string,
    props: Props,
    importing: boolean,
    context: OperationContext,
  ): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(
    id: string,
    olds: Props,
    news: Props,
    context: OperationContext,
  ): Promise<{ outs?: Props }>;
  delete(id: string, props: Props, context: OperationContext): Promise<void>;
}

/** A read's answer: gone (blank), or the outputs with the inputs among them (import needs both). */
function readResult(id: string, outputs: Props | undefined, inputs: (outputs: Props) => Props) {
  return outputs ? { id, props: outputs, inputs: inputs(outputs) } : {};
}

const serverBackupBinding: ResourceBinding = {
  check: (news) => backup.check(news),
  diff: (olds, news) => ({ ...backup.diff(olds, news), deleteBeforeReplace: false }),
  async create(inputs, context) {
    const { id, outputs } = await backup.create(inputs, context);
    return { id, outs: outputs };
  },
  async read(id, props, importing, context) {
    const outputs = await backup.read(id, props, context, { importing });
    return readResult(id, outputs, (values) => pickInputs(ServerBackupInputsSchema, values));
  },
  update: async (id, olds, news, context) => ({
    outs: await backup.update(id, olds, news, context),
  }),
  delete: (id, props, context) => backup.delete(id, props, context),
};

const serverRestoreBinding: ResourceBinding = {
  check: (news) => restore.check(news),
  diff: (olds, news) => ({ ...restore.diff(olds, news), deleteBeforeReplace: false }),
  async create(inputs, context) {
    const { id, outputs } = await restore.create(inputs, context);
    return { id, outs: outputs };
  },
  async read(id, props, importing, context) {
    const outputs = await restore.read(id, props, context, { importing });
    return readResult(id, outputs, (values) => pickInputs(ServerRestoreInputsSchema, values));
  },
  update: async (id, olds, news, context) => ({
    outs: await restore.update(id, olds, news, context),
  }),
  // Deleting a restore only forgets it: the server keeps the state it was restored to.
  delete: async () => {},
};

/** The resources by type token. */
export const RESOURCES: Record<string, ResourceBinding> = {
  "vps:index:ServerBackup": serverBackupBinding,
  "vps:index:ServerRestore": serverRestoreBinding,
};

/**
 * Why `restoreServer` is not served here: an invoke runs in `pulumi preview` as well as in
 * `pulumi up`, and a restore must never happen in a preview. Engines since late 2025 send
 * `InvokeRequest.preview` (announced through the Handshake RPC, which
 * `@pulumi/pulumi/provider`'s server does not serve); older ones send nothing, which reads as
 * "not a preview". The plugin cannot prove a call is not a preview, so it never restores from
 * an invoke (docs/provider.md, "restoreServer and the plugin").
 */
export const RESTORE_SERVER_REFUSAL =
  "restoreServer is not served by the pulumi-resource-vps plugin: a function call runs during " +
  "`pulumi preview` too and again on every `pulumi up`, and the plugin cannot tell a preview " +
  "from an update, so it never restores from one. To restore from a program, declare a " +
  "vps:index:ServerRestore resource (it restores when created and when its backupId or " +
  "triggers change, never in a preview); for a one-off restore, run " +
  "`vps-backups restore --server <id> --backup <id>`";

/** The functions by token; each returns its outputs. */
export const FUNCTIONS: Record<
  string,
  (args: Props, context: OperationContext) => Promise<unknown>
> = {
  "vps:index:getBackups": (args, context) => findBackups(args, context),
  "vps:index:getBackup": (args, context) => findOneBackup(args, context),
  "vps:index:restoreServer": async () => {
    throw new Error(RESTORE_SERVER_REFUSAL);
  },
};
