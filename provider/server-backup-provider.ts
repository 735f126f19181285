/**
 * What `ServerBackup` does in the provider process: the dynamic provider's check, diff,
 * create, read, update and delete. Loaded at call time through `provider/runtime` (never
 * serialized into state), so it may import anything.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  type Backup,
  type VpsClient,
  VpsAbortError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsError,
  VpsNotFoundError,
  VpsTimeoutError,
} from "../sdk";
import { parseDuration } from "./duration";
import { ResourceInitializationError } from "./errors";
import {
  interruptionSignal,
  resolveResourceCredentials,
  sharedClient,
  trackOperation,
} from "./provider-context";
import {
  type InputRules,
  apiTokenRule,
  apiUrlRule,
  descriptionRule,
  durationRule,
  idRule,
  isUnknownInput,
  sameInputValue,
  triggersRule,
  validateInputs,
} from "./validation";

/** How long `create` waits for a new backup to complete when `createTimeout` is not set. */
export const DEFAULT_CREATE_TIMEOUT = "60m";

/** The inputs of a `ServerBackup`, as the provider receives them (plain values). */
export interface ServerBackupInputs {
  serverId: number;
  description?: string;
  triggers?: unknown[];
  createTimeout?: string;
  adoptBackupId?: number;
  apiUrl?: string;
  apiToken?: string;
}

/** What the backup itself reports, recorded as outputs next to the inputs. */
export interface ServerBackupObservedState {
  backupId: number;
  serverName: string;
  backupType: string;
  status: string;
  sizeMb: number | null;
  createdAt: string;
  expiresAt: string | null;
}

/** The outputs of a `ServerBackup`: its inputs plus what the backup reports. */
export type ServerBackupOutputs = ServerBackupInputs & ServerBackupObservedState;

const INPUT_NAMES = [
  "serverId",
  "description",
  "triggers",
  "createTimeout",
  "adoptBackupId",
  "apiUrl",
  "apiToken",
] as const satisfies readonly (keyof ServerBackupInputs)[];

/** Inputs whose change means another backup: replaced (the new one is made before the old is deleted). */
export const SERVER_BACKUP_REPLACING_INPUTS: readonly (keyof ServerBackupInputs)[] = [
  "serverId",
  "description",
  "triggers",
  "adoptBackupId",
];

const OBSERVED_NAMES = [
  "backupId",
  "serverName",
  "backupType",
  "status",
  "sizeMb",
  "createdAt",
  "expiresAt",
] as const satisfies readonly (keyof ServerBackupObservedState)[];

/** The validation rules of `ServerBackup`'s inputs (sdk schemas for ids and the description). */
export const SERVER_BACKUP_INPUT_RULES: InputRules = {
  serverId: { required: true, rule: idRule("12345") },
  description: { required: false, rule: descriptionRule },
  triggers: { required: false, rule: triggersRule },
  createTimeout: { required: false, rule: durationRule },
  adoptBackupId: { required: false, rule: idRule("501 (an existing backup of this server)") },
  apiUrl: { required: false, rule: apiUrlRule },
  apiToken: { required: false, rule: apiTokenRule },
};

/** Keeps only the inputs (drops outputs, `__provider` and absent values). */
function pickInputs(values: Record<string, unknown>): ServerBackupInputs {
  const inputs: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) {
    if (values[name] !== undefined && values[name] !== null) inputs[name] = values[name];
  }
  return inputs as unknown as ServerBackupInputs;
}

function pickObserved(values: Record<string, unknown>): Partial<ServerBackupObservedState> {
  const observed: Record<string, unknown> = {};
  for (const name of OBSERVED_NAMES) {
    if (values[name] !== undefined) observed[name] = values[name];
  }
  return observed as Partial<ServerBackupObservedState>;
}

function observe(backup: Backup): ServerBackupObservedState {
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

function clientFor(what: string, inputs: ServerBackupInputs): VpsClient {
  return sharedClient(resolveResourceCredentials(what, inputs));
}

function backupLabel(backupId: number | string, serverId: number): string {
  return `backup ${backupId} of server ${serverId}`;
}

/**
 * Waits until `backup` is completed (within `deadlineAtMs`) and returns the outputs. Every
 * failure from here on happens after the backup exists, so it carries the backup's id: the
 * engine then records it instead of orphaning it.
 */
async function finishBackup(
  client: VpsClient,
  inputs: ServerBackupInputs,
  backup: Backup,
  deadlineAtMs: number,
): Promise<ServerBackupOutputs> {
  let latest = backup;
  const outputsOf = (seen: Backup): ServerBackupOutputs => ({ ...inputs, ...observe(seen) });
  const label = backupLabel(backup.id, inputs.serverId);
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

  const timeout = inputs.createTimeout ?? DEFAULT_CREATE_TIMEOUT;
  try {
    latest = await client.waitForBackup(backup.id, {
      serverId: inputs.serverId,
      timeoutMs: Math.max(1, deadlineAtMs - Date.now()),
      signal: interruptionSignal(),
      onProgress: (seen) => {
        latest = seen;
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
        `${label} was still ${latest.status} when createTimeout (${timeout}) ran out. It is recorded in ` +
          `the stack: run \`pulumi up\` again to keep waiting for it (raise createTimeout if this ` +
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
  inputs: ServerBackupInputs,
  adoptBackupId: number,
): Promise<Backup> {
  const backup = await client.findBackup(adoptBackupId, { serverId: inputs.serverId });
  if (!backup || backup.serverId !== inputs.serverId) {
    throw new VpsBackupNotFoundError(
      `cannot adopt ${backupLabel(adoptBackupId, inputs.serverId)}: server ${inputs.serverId} has no ` +
        `backup ${adoptBackupId} (it belongs to another server, was deleted, or expired). ` +
        `List the server's backups with getBackups({ serverId: ${inputs.serverId} }) and set adoptBackupId to one of them`,
      { backupId: adoptBackupId, serverId: inputs.serverId, lastStatus: null },
    );
  }
  if (backup.status === "failed") {
    throw new VpsBackupFailedError(
      `cannot adopt ${backupLabel(adoptBackupId, inputs.serverId)}: it failed on the platform. ` +
        `Adopt a completed backup, or remove adoptBackupId to make a new one`,
      { backupId: adoptBackupId, serverId: inputs.serverId, lastStatus: backup.status },
    );
  }
  return backup;
}

/**
 * The `ServerBackup` dynamic provider (everything but `configure`, which `provider/runtime`
 * adds). Exported for the runtime entry point and for tests.
 */
export const serverBackupImplementation = {
  /** Validates every input before anything is created; unknown (preview) values pass. */
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    const failures = validateInputs(SERVER_BACKUP_INPUT_RULES, news);
    return { inputs: pickInputs(news), failures };
  },

  /**
   * `serverId`, `description`, `triggers`, `adoptBackupId` replace; `createTimeout`, `apiUrl`,
   * `apiToken` update in place without an API call; the provider code (`__provider`) is never
   * compared. A backup recorded as failed is replaced; one recorded unfinished is updated,
   * which resumes the wait.
   */
  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    let changes = false;
    // Adopting the backup this resource already holds changes nothing on the platform; a
    // replacement would adopt it again and then delete it with the old resource.
    const adoptsCurrentBackup =
      news.adoptBackupId !== undefined &&
      !isUnknownInput(news.adoptBackupId) &&
      news.adoptBackupId === olds.backupId;
    for (const name of INPUT_NAMES) {
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
    return { changes, replaces, deleteBeforeReplace: false };
  },

  /** Makes (or adopts) the backup, then waits until it is completed or createTimeout runs out. */
  async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    return trackOperation(news, async () => {
      const inputs = pickInputs(news);
      const deadlineAtMs =
        Date.now() + parseDuration(inputs.createTimeout ?? DEFAULT_CREATE_TIMEOUT);
      const client = clientFor(`ServerBackup of server ${inputs.serverId}`, inputs);
      const backup =
        inputs.adoptBackupId !== undefined
          ? await findBackupToAdopt(client, inputs, inputs.adoptBackupId)
          : await client.createBackup({
              serverId: inputs.serverId,
              description: inputs.description,
            });
      const outs = await finishBackup(client, inputs, backup, deadlineAtMs);
      return { id: String(backup.id), outs };
    });
  },

  /** Reads the backup's current state; a deleted or expired backup reads as gone (blank id). */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const backupId = parseBackupId(id);
    const inputs = pickInputs(props);
    const client = clientFor(`ServerBackup ${id}`, inputs);
    const serverId = typeof inputs.serverId === "number" ? inputs.serverId : undefined;
    const backup = await client.findBackup(
      backupId,
      serverId !== undefined ? { serverId } : undefined,
    );
    if (!backup) return {};
    return { id, props: { ...inputs, ...observe(backup) } };
  },

  /**
   * Records new in-place inputs and returns ALL outputs (the engine replaces, never merges,
   * them). No API call for a completed backup; an unfinished one is waited for again.
   */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = pickInputs(news);
    const observed = pickObserved(olds);
    if (observed.status === "completed") return { outs: { ...observed, ...inputs } };
    return trackOperation(news, async () => {
      const deadlineAtMs =
        Date.now() + parseDuration(inputs.createTimeout ?? DEFAULT_CREATE_TIMEOUT);
      const backupId = parseBackupId(id);
      const client = clientFor(`ServerBackup ${id}`, inputs);
      const backup = await client.findBackup(backupId, { serverId: inputs.serverId });
      if (!backup) {
        throw new VpsBackupNotFoundError(
          `${backupLabel(backupId, inputs.serverId)} no longer exists (deleted or expired outside Pulumi): ` +
            `run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` to make a new one`,
          { backupId, serverId: inputs.serverId, lastStatus: observed.status ?? null },
        );
      }
      return { outs: await finishBackup(client, inputs, backup, deadlineAtMs) };
    });
  },

  /** Deletes the backup; one that is already gone counts as deleted. */
  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const backupId = parseBackupId(id);
    const client = clientFor(`ServerBackup ${id}`, pickInputs(props));
    try {
      await client.deleteBackup(backupId);
    } catch (error) {
      if (error instanceof VpsNotFoundError) return;
      throw error;
    }
  },
};

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
