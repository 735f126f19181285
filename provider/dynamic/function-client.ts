/**
 * What the functions (`getBackups`, `restoreServer`, …) get when they run in the Pulumi program
 * itself: clients for the arguments' credentials, then the stack config `vps:` (read from the
 * program's config), then the environment. Clients are shared per URL and token, as in the
 * provider process.
 */
import * as pulumi from "@pulumi/pulumi";
import { sharedClient } from "../core/clients";
import { credentialsFromConfig, resolveCredentials } from "../core/credentials";
import type { OperationContext } from "../core/operation";

/** The context of a function call in the program (no interruption signal: the program owns it). */
export function functionContext(): OperationContext {
  return {
    client: (functionName, credentials) =>
      sharedClient(
        resolveCredentials(
          functionName,
          credentials,
          credentialsFromConfig((key) => pulumi.runtime.getConfig(key)),
        ),
      ),
  };
}

/**
 * Resolves when every resource in `dependsOn` is created (custom resources: their `id`;
 * others: their `urn`), for the Output forms' `opts.dependsOn`.
 */
export function dependenciesReady(
  opts: pulumi.InvokeOutputOptions | undefined,
): pulumi.Output<unknown> {
  return pulumi.output(opts?.dependsOn ?? []).apply((dependsOn) => {
    const resources = (Array.isArray(dependsOn) ? dependsOn : [dependsOn]) as pulumi.Resource[];
    return pulumi.all(
      resources.map((resource) =>
        pulumi.CustomResource.isInstance(resource) ? resource.id : resource.urn,
      ),
    );
  });
}
