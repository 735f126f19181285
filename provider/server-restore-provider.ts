/**
 * What `ServerRestore` does in the provider process. Loaded at call time through
 * `provider/runtime` (never serialized into state).
 */
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { type VpsClient, VpsNotFoundError } from "../sdk";
import { parseDuration } from "./duration";
import { ResourceInitializationError } from "./errors";
import {
  interruptionSignal,
  resolveResourceCredentials,
  sharedClient,
  sharedPollSchedule,
  trackOperation,
} from "./provider-context";
import {
  DEFAULT_RESTORE_TIMEOUT,
  RestoreWaitError,
  restoreServerAndWait,
} from "./restore-operation";
import {
  type InputRules,
  apiTokenRule,
  apiUrlRule,
  booleanRule,
  durationRule,
  idRule,
  isUnknownInput,
  sameInputValue,
  triggersRule,
  validateInputs,
} from "./validation";

/** The inputs of a `ServerRestore`, as the provider receives them. */
export interface ServerRestoreInputs {
  serverId: number;
  backupId: number;
  triggers?: unknown[];
  waitForCompletion?: boolean;
  timeout?: string;
  apiUrl?: string;
  apiToken?: string;
}

/** What the last restore reported. */
export interface ServerRestoreObservedState {
  /** The server's status when the restore ended (`active`), or `restoring` when not waited for. */
  status: string;
  /** When the last restore was requested (ISO 8601). */
  restoredAt: string;
  /** The platform's message about the restore, or null. */
  message: string | null;
}

const INPUT_NAMES = [
  "serverId",
  "backupId",
  "triggers",
  "waitForCompletion",
  "timeout",
  "apiUrl",
  "apiToken",
] as const satisfies readonly (keyof ServerRestoreInputs)[];
const OBSERVED_NAMES = [
  "status",
  "restoredAt",
  "message",
] as const satisfies readonly (keyof ServerRestoreObservedState)[];
/** Inputs whose change runs the restore again (as an update of the same resource). */
export const SERVER_RESTORE_RESTORING_INPUTS: readonly (keyof ServerRestoreInputs)[] = [
  "backupId",
  "triggers",
];

/** The validation rules of `ServerRestore`'s inputs. */
export const SERVER_RESTORE_INPUT_RULES: InputRules = {
  serverId: { required: true, rule: idRule("12345") },
  backupId: { required: true, rule: idRule("501 (a completed backup of this server)") },
  triggers: { required: false, rule: triggersRule },
  waitForCompletion: { required: false, rule: booleanRule },
  timeout: { required: false, rule: durationRule },
  apiUrl: { required: false, rule: apiUrlRule },
  apiToken: { required: false, rule: apiTokenRule },
};

function pick<K extends string>(
  names: readonly K[],
  values: Record<string, unknown>,
): Record<K, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) {
    if (values[name] !== undefined && values[name] !== null) picked[name] = values[name];
  }
  return picked as Record<K, unknown>;
}

function pickInputs(values: Record<string, unknown>): ServerRestoreInputs {
  return pick(INPUT_NAMES, values) as unknown as ServerRestoreInputs;
}

function clientFor(inputs: ServerRestoreInputs): VpsClient {
  return sharedClient(
    resolveResourceCredentials(`ServerRestore of server ${inputs.serverId}`, inputs),
  );
}

/** Restores the server and returns the outputs; a failed wait is recorded, never repeated. */
async function restore(id: string, inputs: ServerRestoreInputs): Promise<Record<string, unknown>> {
  const timeout = inputs.timeout ?? DEFAULT_RESTORE_TIMEOUT;
  try {
    const outcome = await restoreServerAndWait(clientFor(inputs), {
      serverId: inputs.serverId,
      backupId: inputs.backupId,
      waitForCompletion: inputs.waitForCompletion ?? true,
      deadlineAtMs: Date.now() + parseDuration(timeout),
      signal: interruptionSignal(),
      pollSchedule: sharedPollSchedule(),
    });
    return {
      ...inputs,
      status: outcome.serverStatus,
      restoredAt: outcome.restoredAt,
      message: outcome.restore.message,
    };
  } catch (error) {
    if (!(error instanceof RestoreWaitError)) throw error;
    // The restore was accepted and runs on: recording it (the error carries the id) keeps the
    // next `pulumi up` from requesting it a second time.
    throw new ResourceInitializationError(
      `${error.message}. The restore is recorded in the stack and will not be requested again; check ` +
        `server ${inputs.serverId}, then run \`pulumi refresh\` to record its status (timeout was ${timeout})`,
      {
        id,
        properties: {
          ...inputs,
          status: error.lastStatus ?? error.outcome.serverStatus,
          restoredAt: error.outcome.restoredAt,
          message: error.outcome.restore.message,
        },
      },
    );
  }
}

/**
 * The `ServerRestore` dynamic provider (everything but `configure`). It has no `delete`:
 * deleting a restore touches nothing, the server keeps the state it was restored to.
 */
export const serverRestoreImplementation = {
  /** Validates every input before anything is restored; unknown (preview) values pass. */
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    return { inputs: pickInputs(news), failures: validateInputs(SERVER_RESTORE_INPUT_RULES, news) };
  },

  /**
   * `serverId` replaces (a restore of another server); `backupId` and `triggers` update in
   * place, and that update restores; every other input updates in place without an API call.
   */
  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const changed = INPUT_NAMES.filter(
      (name) => isUnknownInput(news[name]) || !sameInputValue(olds[name], news[name]),
    );
    return {
      changes: changed.length > 0,
      replaces: changed.includes("serverId") ? ["serverId"] : [],
      deleteBeforeReplace: false,
    };
  },

  /** Restores the server (and waits, unless `waitForCompletion` is false). */
  async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    return trackOperation(news, async () => {
      const inputs = pickInputs(news);
      const id = `restore-${inputs.serverId}-${randomUUID()}`;
      return { id, outs: await restore(id, inputs) };
    });
  },

  /** Refreshes the server's status; a server that no longer exists drops the record. */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const inputs = pickInputs(props);
    try {
      const server = await clientFor(inputs).getServer(inputs.serverId);
      return { id, props: { ...pick(OBSERVED_NAMES, props), ...inputs, status: server.status } };
    } catch (error) {
      if (error instanceof VpsNotFoundError) return {};
      throw error;
    }
  },

  /**
   * Restores again when `backupId` or `triggers` changed; otherwise records the new inputs
   * without an API call. Always returns ALL outputs.
   */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = pickInputs(news);
    const restoreAgain = SERVER_RESTORE_RESTORING_INPUTS.some(
      (name) => !sameInputValue(olds[name], news[name]),
    );
    if (!restoreAgain) return { outs: { ...pick(OBSERVED_NAMES, olds), ...inputs } };
    return trackOperation(news, async () => ({ outs: await restore(id, inputs) }));
  },
};
