/**
 * The provider runtime: what the serialized `ServerBackup` / `ServerRestore` providers load, by
 * package name (`pulumi-vps-backups/provider/runtime`), each time one of their methods runs in
 * Pulumi's dynamic provider process. Keeping the code here instead of in the closure keeps
 * `__provider` (stored in every resource's state) under 3 KiB with no secret in it,
 * and makes every resource of a stack share this module's state: the stack config, one API
 * client per URL and token, and the interruption signal.
 *
 * Not meant to be called from programs; exported for the serialized providers and for tests.
 */
import type * as pulumi from "@pulumi/pulumi";
import { API_TOKEN_CONFIG_KEY, API_URL_CONFIG_KEY } from "./credentials";
import { installInterruptHandler, setStackCredentials } from "./provider-context";

export { serverBackupImplementation as serverBackup } from "./server-backup-provider";
export { serverRestoreImplementation as serverRestore } from "./server-restore-provider";
export { interruptOperations, setSharedClientOptions, sharedClient } from "./provider-context";

/**
 * The providers' `configure`: records the stack config `vps:apiUrl` / `vps:apiToken`. The
 * dynamic provider host hands over the whole stack config (every namespace, secrets
 * decrypted), and `req.config.get` only prefixes keys WITHOUT a colon with the project name,
 * so the full keys read the `vps` namespace whatever the project is called.
 */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  setStackCredentials({
    apiUrl: req.config.get(API_URL_CONFIG_KEY),
    apiToken: req.config.get(API_TOKEN_CONFIG_KEY),
  });
  installInterruptHandler();
}
