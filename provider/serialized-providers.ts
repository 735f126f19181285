/**
 * The provider objects handed to `pulumi.dynamic.Resource`. Pulumi serializes them into every
 * resource's state (`__provider`) and rebuilds them in its dynamic provider process, so they
 * hold nothing but delegation: each method loads `pulumi-vps-backups/provider/runtime` by
 * package name when it runs and calls the real implementation there. No token, config or
 * client can be captured, and the serialized text stays under 3 KiB, most of it Pulumi's own
 * wrapper around each method (README, "How the provider is stored", has the measured size).
 *
 * Their text is in the state of every stack ever deployed, and the engine runs THAT text (not
 * this file) to refresh and delete: keep each function's body as it is, and keep
 * `provider/runtime` at its path with its names (see `runtime.ts`). Part of the dynamic provider
 * (`dynamic/`), kept at the root beside the runtime it loads.
 */
import type * as pulumi from "@pulumi/pulumi";

type ProviderRuntime = typeof import("./runtime");

/**
 * Loads the provider runtime in whichever process runs the provider. Resolves from the program
 * directory (the provider process's working directory): its `node_modules` for programs that
 * depend on this package, and the package's own `exports` when the program is this repository
 * (`require-from-string`, which rebuilds the provider, cannot self-reference a package).
 */
function providerRuntime(): ProviderRuntime {
  const { createRequire } = require("node:module") as typeof import("node:module");
  return createRequire(`${process.cwd()}/`)(
    "pulumi-vps-backups/provider/runtime",
  ) as ProviderRuntime;
}

/** The serialized `ServerBackup` provider: delegates every method to the runtime. */
export const serverBackupProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => providerRuntime().configure(req),
  check: (olds, news) => providerRuntime().serverBackup.check(olds, news),
  diff: (id, olds, news) => providerRuntime().serverBackup.diff(id, olds, news),
  create: (inputs) => providerRuntime().serverBackup.create(inputs),
  read: (id, props) => providerRuntime().serverBackup.read(id, props),
  update: (id, olds, news) => providerRuntime().serverBackup.update(id, olds, news),
  delete: (id, props) => providerRuntime().serverBackup.delete(id, props),
};

/** The serialized `ServerRestore` provider: delegates every method to the runtime (delete is a no-op). */
export const serverRestoreProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => providerRuntime().configure(req),
  check: (olds, news) => providerRuntime().serverRestore.check(olds, news),
  diff: (id, olds, news) => providerRuntime().serverRestore.diff(id, olds, news),
  create: (inputs) => providerRuntime().serverRestore.create(inputs),
  read: (id, props) => providerRuntime().serverRestore.read(id, props),
  update: (id, olds, news) => providerRuntime().serverRestore.update(id, olds, news),
  // No `delete`: the host skips it, and deleting a restore touches nothing (one function less in state).
};
