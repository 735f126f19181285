/**
 * The API client of the functions (`getBackups`, `restoreServer`, …), which run in the Pulumi
 * program itself: credentials from the arguments, then `new pulumi.Config("vps")`, then the
 * environment. Clients are shared per URL and token, as in the provider process.
 */
import * as pulumi from "@pulumi/pulumi";
import type { VpsClient } from "../sdk";
import { type CredentialSource, resolveCredentials } from "./credentials";
import { sharedClient } from "./provider-context";

/** The config namespace of the stack settings `vps:apiUrl` and `vps:apiToken`. */
export const CONFIG_NAMESPACE = "vps";

/** The client for a function call, credentials resolved by precedence (see credentials.ts). */
export function functionClient(functionName: string, args: CredentialSource): VpsClient {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  return sharedClient(
    resolveCredentials(
      functionName,
      { apiUrl: args.apiUrl, apiToken: args.apiToken },
      { apiUrl: config.get("apiUrl"), apiToken: config.get("apiToken") },
    ),
  );
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
