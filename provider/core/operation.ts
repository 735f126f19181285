/**
 * What a resource operation gets from the surface that serves it (the dynamic provider today):
 * how to reach the API, and when to stop waiting. Resource code takes plain inputs and this
 * context, so any surface can call it.
 */
import type { VpsClient } from "../../sdk";
import type { CredentialSource } from "./credentials";

/** The surface's part of one create, read, update or delete. */
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
}
