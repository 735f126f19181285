/**
 * What a resource operation gets from the surface that serves it (the dynamic provider, the
 * native plugin): how to reach the API, when to stop waiting, the surface's own time limit, and
 * where to report progress. Resource code takes plain inputs and this context, so any surface
 * can call it.
 */
import type { VpsClient } from "../../sdk";
import type { CredentialSource } from "./credentials";

/** A time limit the surface sets for one operation, over the resource's own timeout input. */
export interface OperationTimeLimit {
  /** The limit, in milliseconds. */
  ms: number;
  /** Where it was set, for messages (e.g. `customTimeouts.create`). */
  source: string;
}

/** The surface's part of one create, read, update or delete (or one function call). */
export interface OperationContext {
  /**
   * The API client for a resource whose own inputs hold `credentials` (either may be missing:
   * the surface falls back to its config, then the environment). Called only when the
   * operation needs the API.
   *
   * @param what What needs the client, for the error message when no token is found.
   */
  client(what: string, credentials: CredentialSource): VpsClient;
  /** Aborts the operation's waits (an interruption); the platform object is then recorded. */
  signal?: AbortSignal;
  /**
   * The surface's time limit for this operation (Pulumi's `customTimeouts` on the native
   * plugin). It wins over the resource's `createTimeout`/`timeout` input, which is still
   * recorded as the user gave it.
   */
  timeLimit?: OperationTimeLimit;
  /**
   * Receives progress of a long wait ("backup 812 of server 12345: in progress, 4 min"), on
   * each status change and about once a minute. Optional: a surface may stay silent.
   */
  progress?(message: string): void;
}

/** How often a wait whose status does not change reports that it is still waiting. */
export const PROGRESS_INTERVAL_MS = 60_000;

/**
 * A reporter of one wait's statuses, for `context.progress`: it passes on the first status,
 * every change, and otherwise at most one message per {@link PROGRESS_INTERVAL_MS}, each with
 * the whole minutes waited since the reporter was made.
 *
 * @param label What is waited for, e.g. `backup 812 of server 12345`.
 * @param now The clock (tests pass their own).
 */
export function progressReporter(
  context: Pick<OperationContext, "progress">,
  label: string,
  now: () => number = Date.now,
): (status: string) => void {
  const report = context.progress;
  if (!report) return () => undefined;
  const startedAtMs = now();
  let lastStatus: string | undefined;
  let lastReportAtMs = startedAtMs;
  return (status) => {
    const atMs = now();
    if (status === lastStatus && atMs - lastReportAtMs < PROGRESS_INTERVAL_MS) return;
    lastStatus = status;
    lastReportAtMs = atMs;
    const minutes = Math.floor((atMs - startedAtMs) / 60_000);
    report(`${label}: ${status.replace(/_/g, " ")}, ${minutes} min`);
  };
}

/**
 * The time an operation may take: the surface's limit when it set one, else the resource's own
 * input. For messages: `value` (`60m`, or `3s` under a surface limit of 3 s), `describe`
 * (`createTimeout (60m)`), `note` (empty, or where the limit came from) and `raise` (what the
 * user raises for a longer wait).
 */
export function operationTimeout(
  context: Pick<OperationContext, "timeLimit">,
  input: { name: string; value: string; ms: number },
): { ms: number; value: string; describe: string; note: string; raise: string } {
  const limit = context.timeLimit;
  const value = limit ? `${Math.round(limit.ms / 1000)}s` : input.value;
  return {
    ms: limit ? limit.ms : input.ms,
    value,
    describe: `${input.name} (${value})`,
    note: limit ? ` (set by ${limit.source}, which wins over the ${input.name} input)` : "",
    raise: limit ? limit.source : input.name,
  };
}
