/**
 * The provider runtime: what the serialized `ServerBackup` / `ServerRestore` providers load, by
 * package name (`pulumi-vps-backups/provider/runtime`), each time one of their methods runs in
 * Pulumi's dynamic provider process. Keeping the code here instead of in the closure keeps
 * `__provider` (stored in every resource's state) under 3 KiB with no secret in it,
 * and makes every resource of a stack share this module's state: the stack config, one API
 * client per URL and token, and the interruption signal.
 *
 * A contract with every stack ever deployed: the `__provider` text in their state loads THIS
 * path and calls `configure`, `serverBackup.check/diff/create/read/update/delete` and
 * `serverRestore.check/diff/create/read/update` with these signatures. The file stays here, with
 * these names, whatever the layout around it (see `serialized-providers.ts`, which stays beside
 * it: the built file is also where tests stand in for an older version).
 *
 * Not meant to be called from programs; exported for the serialized providers and for tests.
 */
import type * as pulumi from "@pulumi/pulumi";
import { credentialsFromConfig } from "./core/credentials";
import { installInterruptHandler, setStackCredentials } from "./dynamic/context";

export { dynamicServerBackup as serverBackup } from "./dynamic/providers";
export { dynamicServerRestore as serverRestore } from "./dynamic/providers";
export { interruptOperations } from "./dynamic/context";
export { setSharedClientOptions, sharedClient } from "./core/clients";

/**
 * The providers' `configure`: records the stack config `vps:apiUrl` / `vps:apiToken`. The
 * dynamic provider host hands over the whole stack config (every namespace, secrets
 * decrypted), and `req.config.get` only prefixes keys WITHOUT a colon with the project name,
 * so the full keys read the `vps` namespace whatever the project is called.
 */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  setStackCredentials(credentialsFromConfig((key) => req.config.get(key)));
  installInterruptHandler();
}
