/**
 * What a `ServerBackup` does: check, diff, create (and wait), read, update and delete against the
 * API, on plain inputs and state records (`Record<string, unknown>`, as an engine hands them
 * over). No Pulumi type here: the dynamic provider (`provider/dynamic/`) serves these operations,
 * and any other surface can call them the same way.
 */
import {
  type Backup,
  type VpsClient,
  VpsAbortError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsError,
  VpsNotFoundError,
  VpsTimeoutError,
} from "../../sdk";
import { credentialsOf } from "../core/credentials";
import { parseDuration } from "../core/duration";
import { ResourceInitializationError, withRecordedCredentialsHint } from "../core/errors";
import {
  type InputFailure,
  checkInputs,
  inputNames,
  isUnknownInput,
  parseInputs,
  pickInputs,
  sameInputValue,
} from "../core/inputs";
import { type OperationContext, operationTimeout, progressReporter } from "../core/operation";
import {
  SERVER_BACKUP_REPLACING_INPUTS,
  type ServerBackupInputs,
  ServerBackupInputsSchema,
  type ServerBackupState,
  ServerBackupStateSchema,
} from "./schema";

type Values = Record<string, unknown>;

/** The recorded state's part that the backup reported (drops inputs and `__provider`). */
function pickState(values: Values): Values {
  const state: Values = {};
  for (const name of inputNames(ServerBackupStateSchema)) {
    if (values[name] !== undefined) state[name] = values[name];
  }
  return state;
}

function observe(backup: Backup): ServerBackupState {
  return {
    backupId: backup.id,
    serverName: backup.serverName,
    backupType: backup.backupType,
    status: backup.status,
    sizeMb: backup.sizeMb,
    createdAt: backup.createdAt,
    expiresAt: backup.expiresAt,
  };
}

function backupLabel(backupId: number | string, serverId: number): string {
  return `backup ${backupId} of server ${serverId}`;
}

/** The typed inputs (createTimeout filled in) and the inputs as given, which are recorded. */
function readInputs(values: Values): { given: Values; inputs: ServerBackupInputs } {
  const given = pickInputs(ServerBackupInputsSchema, values);
  return { given, inputs: parseInputs("ServerBackup", ServerBackupInputsSchema, given) };
}

/** How long a create or update waits: the surface's limit, else `createTimeout`. */
function waitTimeout(inputs: ServerBackupInputs, context: OperationContext) {
  return operationTimeout(context, {
    name: "createTimeout",
    value: inputs.createTimeout,
    ms: parseDuration(inputs.createTimeout),
  });
}

/**
 * Waits until `backup` is completed (within `deadlineAtMs`) and returns the outputs, reporting
 * its status to `context.progress`. Every failure from here on happens after the backup
 * exists, so it carries the backup's id: the engine then records it instead of orphaning it.
 */
async function finishBackup(
  client: VpsClient,
  given: Values,
  inputs: ServerBackupInputs,
  backup: Backup,
  deadlineAtMs: number,
  context: OperationContext,
): Promise<Values> {
  let latest = backup;
  const outputsOf = (seen: Backup): Values => ({ ...given, ...observe(seen) });
  const label = backupLabel(backup.id, inputs.serverId);
  const timeout = waitTimeout(inputs, context);
  const report = progressReporter(context, label);
  const incomplete = (message: string, status?: string) =>
    new ResourceInitializationError(message, {
      id: String(backup.id),
      properties: { ...outputsOf(latest), ...(status ? { status } : {}) },
    });
  const failedMessage =
    `${label} failed on the platform. It is recorded in the stack as failed: run \`pulumi up\` again ` +
    `to replace it (a new backup is made first, then the failed one is deleted)`;

  if (backup.status === "completed") return outputsOf(backup);
  if (backup.status === "failed") throw incomplete(failedMessage);

  report(backup.status);
  try {
    latest = await client.waitForBackup(backup.id, {
      serverId: inputs.serverId,
      timeoutMs: Math.max(1, deadlineAtMs - Date.now()),
      signal: context.signal,
      onProgress: (seen) => {
        latest = seen;
        report(seen.status);
      },
    });
    return outputsOf(latest);
  } catch (error) {
    if (error instanceof VpsBackupNotFoundError) {
      // Nothing is left to record: the engine may forget the resource and the next
      // `pulumi up` makes a new backup.
      throw new VpsBackupNotFoundError(
        `${label} disappeared while Pulumi waited for it (deleted or cancelled outside Pulumi); ` +
          `run \`pulumi up\` again to make a new one`,
        { backupId: backup.id, serverId: inputs.serverId, lastStatus: latest.status },
      );
    }
    if (error instanceof VpsBackupFailedError) throw incomplete(failedMessage, "failed");
    if (error instanceof VpsTimeoutError && error.backupId === backup.id) {
      throw incomplete(
        `${label} was still ${latest.status} when ${timeout.describe} ran out${timeout.note}. It is recorded in ` +
          `the stack: run \`pulumi up\` again to keep waiting for it (raise ${timeout.raise} if this ` +
          `server's backups take longer), or \`pulumi refresh\` to pick up its status`,
      );
    }
    if (error instanceof VpsAbortError) {
      throw incomplete(
        `waiting for ${label} was interrupted while it was ${latest.status}. It is recorded in the ` +
          `stack: run \`pulumi up\` again to keep waiting for it`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw incomplete(
      `could not confirm that ${label} completed: ${reason}. It is recorded in the stack: run ` +
        `\`pulumi up\` again to keep waiting for it`,
    );
  }
}

/** Finds the backup to adopt and checks that it belongs to the server and can be kept. */
async function findBackupToAdopt(
  client: VpsClient,
  serverId: number,
  adoptBackupId: number,
): Promise<Backup> {
  const backup = await client.findBackup(adoptBackupId, { serverId });
  if (!backup || backup.serverId !== serverId) {
    throw new VpsBackupNotFoundError(
      `cannot adopt ${backupLabel(adoptBackupId, serverId)}: server ${serverId} has no ` +
        `backup ${adoptBackupId} (it belongs to another server, was deleted, or expired). ` +
        `List the server's backups with getBackups({ serverId: ${serverId} }) and set adoptBackupId to one of them`,
      { backupId: adoptBackupId, serverId, lastStatus: null },
    );
  }
  if (backup.status === "failed") {
    throw new VpsBackupFailedError(
      `cannot adopt ${backupLabel(adoptBackupId, serverId)}: it failed on the platform. ` +
        `Adopt a completed backup, or remove adoptBackupId to make a new one`,
      { backupId: adoptBackupId, serverId, lastStatus: backup.status },
    );
  }
  return backup;
}

function parseBackupId(id: string): number {
  const backupId = Number(id);
  if (!Number.isSafeInteger(backupId) || backupId <= 0) {
    throw new VpsError(
      `the resource id ${JSON.stringify(id)} is not a backup id (a positive whole number); ` +
        `ServerBackup cannot be imported: use the adoptBackupId input instead`,
    );
  }
  return backupId;
}

/** The outputs of an existing backup taken under management by its id. */
async function importBackup(id: string, context: OperationContext): Promise<Values> {
  const client = context.client(`ServerBackup ${id}`, {});
  const backupId = Number(id);
  const backup =
    Number.isSafeInteger(backupId) && backupId > 0 ? await client.findBackup(backupId) : undefined;
  if (!backup) {
    throw new VpsError(
      `cannot import ServerBackup ${JSON.stringify(id)}: the account at ${client.baseUrl} has no backup ` +
        `with that id (deleted, expired, or another account); list them with getBackups`,
      { id },
    );
  }
  const given = pickInputs(ServerBackupInputsSchema, {
    serverId: backup.serverId,
    description: backup.description,
  });
  return { ...given, ...observe(backup) };
}

/** The operations of a `ServerBackup`; outputs are the inputs as given plus what the backup reports. */
export const serverBackupOperations = {
  /** Validates every input before anything is created; unknown (preview) values pass. */
  check(news: Values): { inputs: Values; failures: InputFailure[] } {
    return checkInputs(ServerBackupInputsSchema, news);
  },

  /**
   * `serverId`, `description`, `triggers`, `adoptBackupId` replace; `createTimeout`, `apiUrl`,
   * `apiToken` update in place without an API call; anything else (`__provider`) is never
   * compared. A backup recorded as failed is replaced; one recorded unfinished is updated,
   * which resumes the wait.
   */
  diff(olds: Values, news: Values): { changes: boolean; replaces: string[] } {
    const replaces: string[] = [];
    let changes = false;
    // Adopting the backup this resource already holds changes nothing on the platform; a
    // replacement would adopt it again and then delete it with the old resource.
    const adoptsCurrentBackup =
      news.adoptBackupId !== undefined &&
      !isUnknownInput(news.adoptBackupId) &&
      news.adoptBackupId === olds.backupId;
    for (const name of inputNames(ServerBackupInputsSchema)) {
      const newValue = news[name];
      if (!isUnknownInput(newValue) && sameInputValue(olds[name], newValue)) continue;
      changes = true;
      const replacing = SERVER_BACKUP_REPLACING_INPUTS.includes(name);
      if (replacing && (name === "serverId" || !adoptsCurrentBackup)) replaces.push(name);
    }
    if (olds.status === "failed") {
      changes = true;
      replaces.push("status");
    } else if (olds.status !== "completed") {
      changes = true;
    }
    return { changes, replaces };
  },

  /** Makes (or adopts) the backup, then waits until it is completed or createTimeout runs out. */
  async create(news: Values, context: OperationContext): Promise<{ id: string; outputs: Values }> {
    const { given, inputs } = readInputs(news);
    const deadlineAtMs = Date.now() + waitTimeout(inputs, context).ms;
    const client = context.client(`ServerBackup of server ${inputs.serverId}`, inputs);
    const backup =
      inputs.adoptBackupId !== undefined
        ? await findBackupToAdopt(client, inputs.serverId, inputs.adoptBackupId)
        : await client.createBackup({ serverId: inputs.serverId, description: inputs.description });
    const outputs = await finishBackup(client, given, inputs, backup, deadlineAtMs, context);
    return { id: String(backup.id), outputs };
  },

  /**
   * Reads the backup's current state; undefined when it was deleted or expired. When
   * `importing` (nothing recorded yet: `pulumi import`, the `import` option), the backup's
   * `serverId` and `description` become its inputs, and a backup that is not there fails,
   * naming the id and the account.
   */
  async read(
    id: string,
    olds: Values,
    context: OperationContext,
    options: { importing?: boolean } = {},
  ): Promise<Values | undefined> {
    if (options.importing) return importBackup(id, context);
    const backupId = parseBackupId(id);
    const given = pickInputs(ServerBackupInputsSchema, olds);
    const client = context.client(`ServerBackup ${id}`, credentialsOf(given));
    const serverId = typeof given.serverId === "number" ? given.serverId : undefined;
    const backup = await client
      .findBackup(backupId, serverId !== undefined ? { serverId } : undefined)
      .catch((error: unknown) => {
        throw withRecordedCredentialsHint(error);
      });
    return backup ? { ...given, ...observe(backup) } : undefined;
  },

  /**
   * Records new in-place inputs and returns ALL outputs (an engine replaces, never merges,
   * them). No API call for a completed backup; an unfinished one is waited for again.
   */
  async update(id: string, olds: Values, news: Values, context: OperationContext): Promise<Values> {
    const recorded = pickState(olds);
    if (recorded.status === "completed") {
      return { ...recorded, ...pickInputs(ServerBackupInputsSchema, news) };
    }
    const { given, inputs } = readInputs(news);
    const deadlineAtMs = Date.now() + waitTimeout(inputs, context).ms;
    const backupId = parseBackupId(id);
    const client = context.client(`ServerBackup ${id}`, inputs);
    const backup = await client.findBackup(backupId, { serverId: inputs.serverId });
    if (!backup) {
      const lastStatus = typeof recorded.status === "string" ? recorded.status : null;
      throw new VpsBackupNotFoundError(
        `${backupLabel(backupId, inputs.serverId)} no longer exists (deleted or expired outside Pulumi): ` +
          `run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` to make a new one`,
        { backupId, serverId: inputs.serverId, lastStatus },
      );
    }
    return finishBackup(client, given, inputs, backup, deadlineAtMs, context);
  },

  /** Deletes the backup; one that is already gone counts as deleted. */
  async delete(id: string, olds: Values, context: OperationContext): Promise<void> {
    const backupId = parseBackupId(id);
    const client = context.client(`ServerBackup ${id}`, credentialsOf(olds));
    try {
      await client.deleteBackup(backupId);
    } catch (error) {
      if (error instanceof VpsNotFoundError) return;
      throw withRecordedCredentialsHint(error);
    }
  },
};
