/**
 * The `OperationContext` of each call the plugin serves, and Cancel.
 *
 * Each call gets its own: a client for the resource's own `apiUrl`/`apiToken`, else the
 * provider's (Configure or the stack's `vps:` config), else `VPS_API_URL`/`VPS_API_TOKEN`; its
 * own AbortController; the engine's `customTimeouts` for it; and progress sent to the resource's
 * line. The engine sends Cancel on Ctrl-C and ALSO at the normal end of every run ("each plugin
 * gets a Cancel RPC before being killed"), so Cancel aborts every call in flight (each accepted
 * backup is then recorded as partially created) and every call that starts after it, and is
 * never an error by itself.
 */
import { sharedClient } from "../core/clients";
import { type CredentialSource, resolveCredentials } from "../core/credentials";
import type { OperationContext } from "../core/operation";

/** What one call brings to its context. */
export interface CallOptions {
  /** The resource's URN (progress goes to its line); none for a function. */
  urn?: string;
  /** The engine's `customTimeouts` for this operation, in seconds. */
  timeoutSeconds?: number;
  /** Which `customTimeouts` field that is, for messages (`create`, `update`). */
  timeoutKind?: "create" | "update" | "delete";
}

/** Why a cancelled wait stopped (the partial record's message includes it). */
const CANCEL_REASON = "cancelled (the Pulumi engine asked the provider to stop)";

/** The calls of one plugin process: their contexts and Cancel. */
export class NativeOperations {
  private readonly inFlight = new Set<AbortController>();
  private cancelled = false;
  private readonly idleListeners: (() => void)[] = [];

  /**
   * @param providerCredentials The provider's account (Configure, `vps:` config) when a call runs.
   * @param log Sends a progress message to a resource's line.
   */
  constructor(
    private readonly providerCredentials: () => CredentialSource,
    private readonly log: (urn: string, message: string) => void,
  ) {}

  /** Runs `operation` with a context of its own; its waits end when Cancel comes. */
  async run<T>(
    call: CallOptions,
    operation: (context: OperationContext) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    if (this.cancelled) controller.abort(new Error(CANCEL_REASON));
    this.inFlight.add(controller);
    try {
      return await operation(this.contextOf(call, controller.signal));
    } finally {
      this.inFlight.delete(controller);
      if (this.inFlight.size === 0) this.idleListeners.splice(0).forEach((listener) => listener());
    }
  }

  /** Calls `listener` once no call is running: now, or when the last running one ends. */
  whenIdle(listener: () => void): void {
    if (this.inFlight.size === 0) listener();
    else this.idleListeners.push(listener);
  }

  /** Cancel: aborts every call in flight and every later one. */
  cancel(): void {
    this.cancelled = true;
    for (const controller of this.inFlight) controller.abort(new Error(CANCEL_REASON));
  }

  /** True once Cancel came. */
  wasCancelled(): boolean {
    return this.cancelled;
  }

  /** How many calls are running. */
  inFlightCount(): number {
    return this.inFlight.size;
  }

  private contextOf(call: CallOptions, signal: AbortSignal): OperationContext {
    const { urn, timeoutSeconds, timeoutKind } = call;
    return {
      client: (what, credentials) =>
        sharedClient(resolveCredentials(what, credentials, this.providerCredentials())),
      signal,
      ...(timeoutSeconds !== undefined && timeoutSeconds > 0
        ? {
            timeLimit: {
              ms: timeoutSeconds * 1000,
              source: `customTimeouts.${timeoutKind ?? "create"}`,
            },
          }
        : {}),
      ...(urn !== undefined ? { progress: (message: string) => this.log(urn, message) } : {}),
    };
  }
}
