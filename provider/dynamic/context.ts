/**
 * Process-wide state of the dynamic provider process: the stack config handed to `configure`,
 * and the interruption signal. It lives in module scope on purpose: the engine runs every
 * dynamic resource of a stack concurrently in ONE provider process, and these must be shared by
 * all of them. None of it is ever captured by the serialized provider (which only `require`s
 * this package at call time), so no token reaches `__provider`.
 */
import { sharedClient } from "../core/clients";
import { type CredentialSource, resolveCredentials } from "../core/credentials";
import { ResourceInitializationError } from "../core/errors";
import type { OperationContext } from "../core/operation";

let stackCredentials: CredentialSource = {};

/** Records the stack config (`vps:apiUrl`, `vps:apiToken`) received by the provider's `configure`. */
export function setStackCredentials(credentials: CredentialSource): void {
  stackCredentials = { ...credentials };
}

// Interruption: Pulumi's Cancel never reaches a dynamic provider, but a Ctrl-C in the terminal
// does reach this process as SIGINT. Aborting the waits then makes each create fail with its
// backup id, so the engine records the backups instead of forgetting them.
let interruption = new AbortController();
let operationsInFlight = 0;
let interruptHandlerInstalled = false;
/** How long an interrupted process lets aborted operations answer the engine before exiting, in ms. */
const INTERRUPT_GRACE_MS = 2_000;

/**
 * The context of one operation: clients for the resource's own credentials, then the stack
 * config, then the environment (see `core/credentials.ts`); and the interruption signal as it is
 * when the operation starts, so an interruption that comes before its wait still ends that wait.
 */
export function operationContext(): OperationContext {
  return {
    client: (what, credentials) =>
      sharedClient(resolveCredentials(what, credentials, stackCredentials)),
    signal: interruption.signal,
  };
}

/**
 * Aborts every operation in flight (their waits end with an error carrying their backup id) and
 * arms a fresh signal for later operations. Called on SIGINT; exported for tests.
 */
export function interruptOperations(reason: string): void {
  const current = interruption;
  interruption = new AbortController();
  current.abort(new Error(reason));
}

/**
 * Runs a create or update while counting it, so an interrupt knows whether anything must answer
 * first. A partial record it throws keeps the operation's `__provider` text: the engine stores
 * the error's properties as the resource's outputs and later rebuilds the provider from them,
 * so without it the recorded backup could never be refreshed or deleted.
 */
export async function trackOperation<T>(
  news: Record<string, unknown>,
  operation: (context: OperationContext) => Promise<T>,
): Promise<T> {
  operationsInFlight += 1;
  try {
    return await operation(operationContext());
  } catch (error) {
    if (error instanceof ResourceInitializationError && typeof news.__provider === "string") {
      error.properties.__provider = news.__provider;
    }
    throw error;
  } finally {
    operationsInFlight -= 1;
  }
}

/** Installs the SIGINT handler once per process (called by the provider's `configure`). */
export function installInterruptHandler(): void {
  if (interruptHandlerInstalled) return;
  interruptHandlerInstalled = true;
  process.once("SIGINT", () => {
    if (operationsInFlight === 0) process.exit(130);
    interruptOperations("interrupted (SIGINT)");
    // Exit as SIGINT would have, once the aborted operations had time to answer the engine.
    setTimeout(() => process.exit(130), INTERRUPT_GRACE_MS).unref();
  });
}
