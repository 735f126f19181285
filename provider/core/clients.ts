/**
 * The API clients of this process, one per URL and token. They live in module scope on purpose:
 * the engine runs every dynamic resource of a stack concurrently in ONE provider process (and a
 * program calls its functions in one process too), and sharing a client is what lets its
 * rate-limit gate and poll coalescing (one list call per server per tick) work across all of
 * them. No token is ever captured by a serialized provider: it only `require`s this package at
 * call time.
 */
import { createHash } from "node:crypto";
import { VpsClient, type VpsClientOptions } from "../../sdk";
import type { ResolvedCredentials } from "./credentials";

const sharedClients = new Map<string, VpsClient>();
let clientOptionOverrides: Partial<VpsClientOptions> = {};

/** The one client of this process for these credentials. */
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
