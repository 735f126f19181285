/**
 * Process-wide state of the provider: the stack config handed to `configure`, the shared API
 * clients, and the interruption signal. It lives in module scope on purpose: the engine runs
 * every dynamic resource of a stack concurrently in ONE provider process, and these must be
 * shared by all of them. None of it is ever captured by the serialized provider (which only
 * `require`s this package at call time), so no token reaches `__provider`.
 */
import { createHash } from "node:crypto";
import { VpsClient, type VpsClientOptions } from "../sdk";
import { type CredentialSource, type ResolvedCredentials, resolveCredentials } from "./credentials";
import { ResourceInitializationError } from "./errors";

let stackCredentials: CredentialSource = {};
const sharedClients = new Map<string, VpsClient>();
let clientOptionOverrides: Partial<VpsClientOptions> = {};

/** Records the stack config (`vps:apiUrl`, `vps:apiToken`) received by the provider's `configure`. */
export function setStackCredentials(credentials: CredentialSource): void {
  stackCredentials = { ...credentials };
}

/**
 * Resolves the credentials for one resource: its own `apiUrl`/`apiToken` inputs, then the stack
 * config, then the environment (see `credentials.ts`).
 */
export function resolveResourceCredentials(
  what: string,
  inputs: CredentialSource,
): ResolvedCredentials {
  return resolveCredentials(
    what,
    { apiUrl: inputs.apiUrl, apiToken: inputs.apiToken },
    stackCredentials,
  );
}

/**
 * The one client of this process for these credentials. Sharing it is what lets the client's
 * rate-limit gate and poll coalescing (one list call per server per tick) work across every
 * resource of the stack.
 */
export function sharedClient(credentials: ResolvedCredentials): VpsClient {
  // The key holds a digest of the token, not the token: the map is inspectable in a debugger.
  const tokenDigest = createHash("sha256").update(credentials.apiToken).digest("hex");
  const key = `${credentials.apiUrl}\n${tokenDigest}`;
  let client = sharedClients.get(key);
  if (!client) {
    client = new VpsClient({
      ...clientOptionOverrides,
      baseUrl: credentials.apiUrl,
      apiToken: credentials.apiToken,
    });
    sharedClients.set(key, client);
  }
  return client;
}

/**
 * Options added to every client created from now on (for tests and benchmarks, e.g. a faster
 * `pollSchedule`); forgets the clients created so far. The URL and token always come from the
 * credentials.
 */
export function setSharedClientOptions(options: Partial<VpsClientOptions>): void {
  clientOptionOverrides = { ...options };
  sharedClients.clear();
}

/** The poll schedule of the shared clients (the sdk's default unless overridden). */
export function sharedPollSchedule(): ((elapsedMs: number) => number) | undefined {
  return clientOptionOverrides.pollSchedule;
}

// Interruption: Pulumi's Cancel never reaches a dynamic provider, but a Ctrl-C in the terminal
// does reach this process as SIGINT. Aborting the waits then makes each create fail with its
// backup id, so the engine records the backups instead of forgetting them.
let interruption = new AbortController();
let operationsInFlight = 0;
let interruptHandlerInstalled = false;
/** How long an interrupted process lets aborted operations answer the engine before exiting, in ms. */
export const INTERRUPT_GRACE_MS = 2_000;

/** The signal that fires when the process is interrupted; pass it to every wait. */
export function interruptionSignal(): AbortSignal {
  return interruption.signal;
}

/**
 * Aborts every wait in flight (they end with an error carrying their backup id) and arms a
 * fresh signal for later operations. Called on SIGINT; exported for tests.
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
  operation: () => Promise<T>,
): Promise<T> {
  operationsInFlight += 1;
  try {
    return await operation();
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
