/**
 * What a `ServerRestore` does: check, diff, create (restore and wait), read and update against
 * the API, on plain inputs and state records. No Pulumi type here (see `provider/dynamic/` for
 * how it is served). There is no delete: deleting a restore touches nothing, the server keeps
 * the state it was restored to.
 */
import { randomUUID } from "node:crypto";
import { VpsError, VpsNotFoundError } from "../../sdk";
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
import { type OperationContext, operationTimeout } from "../core/operation";
import { RestoreWaitError, restoreServerAndWait } from "./restore-operation";
import {
  SERVER_RESTORE_RESTORING_INPUTS,
  type ServerRestoreInputs,
  ServerRestoreInputsSchema,
  ServerRestoreStateSchema,
} from "./schema";

type Values = Record<string, unknown>;

function pickState(values: Values): Values {
  const state: Values = {};
  for (const name of inputNames(ServerRestoreStateSchema)) {
    if (values[name] !== undefined && values[name] !== null) state[name] = values[name];
  }
  return state;
}

/** The typed inputs (defaults filled in) and the inputs as given, which are recorded. */
function readInputs(values: Values): { given: Values; inputs: ServerRestoreInputs } {
  const given = pickInputs(ServerRestoreInputsSchema, values);
  return { given, inputs: parseInputs("ServerRestore", ServerRestoreInputsSchema, given) };
}

/** Restores the server and returns the outputs; a failed wait is recorded, never repeated. */
async function restore(
  id: string,
  { given, inputs }: { given: Values; inputs: ServerRestoreInputs },
  context: OperationContext,
): Promise<Values> {
  const client = context.client(`ServerRestore of server ${inputs.serverId}`, inputs);
  const timeout = operationTimeout(context, {
    name: "timeout",
    value: inputs.timeout,
    ms: parseDuration(inputs.timeout),
  });
  try {
    const outcome = await restoreServerAndWait(client, {
      serverId: inputs.serverId,
      backupId: inputs.backupId,
      waitForCompletion: inputs.waitForCompletion,
      deadlineAtMs: Date.now() + timeout.ms,
      signal: context.signal,
      progress: context.progress,
    });
    return {
      ...given,
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
        `server ${inputs.serverId}, then run \`pulumi refresh\` to record its status (timeout was ${timeout.value}${timeout.note})`,
      {
        id,
        properties: {
          ...given,
          status: error.lastStatus ?? error.outcome.serverStatus,
          restoredAt: error.outcome.restoredAt,
          message: error.outcome.restore.message,
        },
      },
    );
  }
}

/** The operations of a `ServerRestore`; outputs are the inputs as given plus what the restore reported. */
export const serverRestoreOperations = {
  /** Validates every input before anything is restored; unknown (preview) values pass. */
  check(news: Values): { inputs: Values; failures: InputFailure[] } {
    return checkInputs(ServerRestoreInputsSchema, news);
  },

  /**
   * `serverId` replaces (a restore of another server); `backupId` and `triggers` update in
   * place, and that update restores; every other input updates in place without an API call.
   */
  diff(olds: Values, news: Values): { changes: boolean; replaces: string[] } {
    const changed = inputNames(ServerRestoreInputsSchema).filter(
      (name) => isUnknownInput(news[name]) || !sameInputValue(olds[name], news[name]),
    );
    return {
      changes: changed.length > 0,
      replaces: changed.includes("serverId") ? ["serverId"] : [],
    };
  },

  /** Restores the server (and waits, unless `waitForCompletion` is false). */
  async create(news: Values, context: OperationContext): Promise<{ id: string; outputs: Values }> {
    const read = readInputs(news);
    const id = `restore-${read.inputs.serverId}-${randomUUID()}`;
    return { id, outputs: await restore(id, read, context) };
  },

  /**
   * Refreshes the server's status; undefined when the server no longer exists. A restore is an
   * action, not an object: `importing` one (nothing recorded yet) fails, saying what to do.
   */
  async read(
    id: string,
    olds: Values,
    context: OperationContext,
    options: { importing?: boolean } = {},
  ): Promise<Values | undefined> {
    if (options.importing) {
      throw new VpsError(
        `ServerRestore ${JSON.stringify(id)} cannot be imported: a restore is an action, not an object; ` +
          `declare a ServerRestore to run one`,
        { id },
      );
    }
    const given = pickInputs(ServerRestoreInputsSchema, olds);
    const client = context.client(
      `ServerRestore of server ${String(given.serverId)}`,
      credentialsOf(given),
    );
    try {
      // The id as recorded: the client refuses anything but a positive whole number.
      const server = await client.getServer(given.serverId as number);
      return { ...pickState(olds), ...given, status: server.status };
    } catch (error) {
      if (error instanceof VpsNotFoundError) return undefined;
      throw withRecordedCredentialsHint(error);
    }
  },

  /**
   * Restores again when `backupId` or `triggers` changed; otherwise records the new inputs
   * without an API call. Always returns ALL outputs.
   */
  async update(id: string, olds: Values, news: Values, context: OperationContext): Promise<Values> {
    const restoreAgain = SERVER_RESTORE_RESTORING_INPUTS.some(
      (name) => !sameInputValue(olds[name], news[name]),
    );
    if (!restoreAgain) {
      return { ...pickState(olds), ...pickInputs(ServerRestoreInputsSchema, news) };
    }
    return restore(id, readInputs(news), context);
  },
};
