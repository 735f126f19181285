/**
 * The one place the plugin meets the resource logic. Today it binds the dynamic provider's
 * implementations (`provider/runtime`); re-pointing the plugin at another core is a change to
 * this file only. Everything here works on plain values (secrets unwrapped by the caller).
 */
import { VpsClient } from "../../sdk";
import type { Backup } from "../../sdk";
import { resolveCredentials } from "../core/credentials";
import { getBackup, getBackups } from "../dynamic/get-backups";
import { sharedClient } from "../core/clients";
import { serverBackup, serverRestore } from "../runtime";
import { currentCall } from "./context";
import { providerCredentials } from "./credentials";
import { logToResource } from "./log";
import { PACKAGE_SCHEMA } from "./schema";

type Props = Record<string, unknown>;

/** A resource's logic, in the plugin's terms (the Pulumi provider methods minus the urn). */
export interface ResourceBinding {
  check(
    olds: Props,
    news: Props,
  ): Promise<{ inputs?: Props; failures?: { property: string; reason: string }[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  /** `timeoutSeconds`: the resource's `customTimeouts` for this operation, when set. */
  create(inputs: Props, timeoutSeconds?: number): Promise<{ id: string; outs?: Props }>;
  /** `importing`: `pulumi import` (no recorded properties); `inputs` are returned for it. */
  read(
    id: string,
    props: Props,
    importing: boolean,
  ): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props, timeoutSeconds?: number): Promise<{ outs?: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

function inputNames(token: keyof typeof PACKAGE_SCHEMA.resources): string[] {
  return Object.keys(PACKAGE_SCHEMA.resources[token].inputProperties);
}

function pickDefined(values: Props, names: readonly string[]): Props {
  const picked: Props = {};
  for (const name of names) {
    if (values[name] !== undefined && values[name] !== null) picked[name] = values[name];
  }
  return picked;
}

/** `customTimeouts` win over the `createTimeout` input; the recorded input stays the user's. */
function withTimeout(inputs: Props, timeoutSeconds: number | undefined): Props {
  return timeoutSeconds === undefined ? inputs : { ...inputs, createTimeout: `${timeoutSeconds}s` };
}

function restoreTimeoutInput<T extends { outs?: Props }>(result: T, inputs: Props): T {
  if (!result.outs) return result;
  const outs = { ...result.outs };
  if (inputs.createTimeout === undefined) delete outs.createTimeout;
  else outs.createTimeout = inputs.createTimeout;
  return { ...result, outs };
}

/** Same for the properties of a partial-create error (the engine records them). */
function restoreTimeoutOnError(error: unknown, inputs: Props): never {
  const properties = (error as { properties?: Props } | undefined)?.properties;
  if (properties && typeof properties === "object") {
    if (inputs.createTimeout === undefined) delete properties.createTimeout;
    else properties.createTimeout = inputs.createTimeout;
  }
  throw error;
}

const serverBackupBinding: ResourceBinding = {
  check: (olds, news) => serverBackup.check(olds, news),
  diff: (id, olds, news) => serverBackup.diff(id, olds, news),
  async create(inputs, timeoutSeconds) {
    try {
      const result = await serverBackup.create(withTimeout(inputs, timeoutSeconds));
      return restoreTimeoutInput(result, inputs);
    } catch (error) {
      return restoreTimeoutOnError(error, inputs);
    }
  },
  async read(id, props, importing) {
    let known = props;
    if (importing) {
      const credentials = resolveCredentials(`ServerBackup ${id}`, providerCredentials());
      const backupId = Number(id);
      const backup: Backup | undefined =
        Number.isSafeInteger(backupId) && backupId > 0
          ? await sharedClient(credentials).findBackup(backupId)
          : undefined;
      if (!backup) {
        throw new Error(
          `cannot import ServerBackup ${JSON.stringify(id)}: the account at ${credentials.apiUrl} has no backup ` +
            `with that id (deleted, expired, or another account); list them with getBackups`,
        );
      }
      known = pickDefined({ serverId: backup.serverId, description: backup.description }, [
        "serverId",
        "description",
      ]);
    }
    const result = await serverBackup.read(id, known);
    if (!result.id) return {};
    const outputs = result.props ?? {};
    return {
      id: result.id,
      props: outputs,
      inputs: pickDefined(outputs, inputNames("vps:index:ServerBackup")),
    };
  },
  async update(id, olds, news, timeoutSeconds) {
    try {
      const result = await serverBackup.update(id, olds, withTimeout(news, timeoutSeconds));
      return restoreTimeoutInput(result, news);
    } catch (error) {
      return restoreTimeoutOnError(error, news);
    }
  },
  delete: (id, props) => serverBackup.delete(id, props),
};

const serverRestoreBinding: ResourceBinding = {
  check: (olds, news) => serverRestore.check(olds, news),
  diff: (id, olds, news) => serverRestore.diff(id, olds, news),
  create: (inputs) => serverRestore.create(inputs),
  async read(id, props, importing) {
    if (importing) {
      throw new Error(
        `ServerRestore ${JSON.stringify(id)} cannot be imported: a restore is an action, not an object; declare a ServerRestore to run one`,
      );
    }
    const result = await serverRestore.read(id, props);
    if (!result.id) return {};
    const outputs = result.props ?? {};
    return {
      id: result.id,
      props: outputs,
      inputs: pickDefined(outputs, inputNames("vps:index:ServerRestore")),
    };
  },
  update: (id, olds, news) => serverRestore.update(id, olds, news),
  // Deleting a restore only forgets it (the dynamic provider has no delete either).
  delete: async () => {},
};

/** The resources by type token. */
export const RESOURCES: Record<string, ResourceBinding> = {
  "vps:index:ServerBackup": serverBackupBinding,
  "vps:index:ServerRestore": serverRestoreBinding,
};

/** The provider's account under a function's own `apiUrl`/`apiToken` arguments. */
function withProviderCredentials(args: Props): Props {
  const provider = providerCredentials();
  return {
    ...args,
    apiUrl: args.apiUrl ?? provider.apiUrl,
    apiToken: args.apiToken ?? provider.apiToken,
  };
}

/** The functions by token; each returns its outputs. */
export const FUNCTIONS: Record<string, (args: Props) => Promise<unknown>> = {
  "vps:index:getBackups": (args) => getBackups(withProviderCredentials(args)),
  "vps:index:getBackup": (args) => getBackup(withProviderCredentials(args)),
  "vps:index:restoreServer": async () => {
    // An invoke cannot tell a preview from an update, and this function changes the server.
    throw new Error(
      "restoreServer is not served by the native plugin yet (an invoke runs during preview too); " +
        "declare a vps:index:ServerRestore resource instead",
    );
  },
};

/** Checks that the credentials resolve (for a clear error before any call). */
export function assertCredentials(what: string): void {
  resolveCredentials(what, providerCredentials());
}

/**
 * Progress of every backup wait, on the resource's line: wraps the client's `waitForBackup` so
 * each poll that sees the backup reports its status and the time waited (a stopgap until the
 * core reports progress itself).
 */
export function reportWaitProgress(): void {
  const prototype = VpsClient.prototype as unknown as {
    waitForBackup(
      id: number,
      options: { serverId: number; onProgress?(seen: Backup): void },
    ): Promise<Backup>;
  };
  const original = prototype.waitForBackup;
  prototype.waitForBackup = function (this: unknown, backupId, options) {
    const urn = (currentCall()?.request as { getUrn?: () => string } | undefined)?.getUrn?.();
    const startedAt = Date.now();
    let lastStatus: string | undefined;
    return original.call(this, backupId, {
      ...options,
      onProgress: (seen: Backup) => {
        options.onProgress?.(seen);
        const minutes = Math.floor((Date.now() - startedAt) / 60_000);
        if (seen.status !== lastStatus || minutes > 0) {
          lastStatus = seen.status;
          logToResource(
            urn,
            `backup ${seen.id} of server ${seen.serverId}: ${seen.status.replace(/_/g, " ")}, ${minutes} min`,
            true,
          );
        }
      },
    });
  };
}
