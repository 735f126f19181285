/**
 * The plugin's account: an explicit provider's `apiUrl`/`apiToken` (Configure args), then the
 * stack's `vps:` config (Configure variables, or `PULUMI_CONFIG` that the engine hands to the
 * default provider's process), then `VPS_API_URL`/`VPS_API_TOKEN` (read when each call resolves
 * its client, as the last level; see operation-context.ts). The engine starts one plugin process per provider instance, so
 * process-wide credentials are per instance: a program can hold two accounts.
 */
import type { CredentialSource } from "../core/credentials";
import type { ConfigureInput } from "./context";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** The `vps:` config in `PULUMI_CONFIG` (JSON; keys with or without the `vps:` namespace). */
export function credentialsFromPulumiConfig(raw = process.env.PULUMI_CONFIG): CredentialSource {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const config = parsed as Record<string, unknown>;
  return {
    apiUrl: text(config["vps:apiUrl"]) ?? text(config.apiUrl),
    apiToken: text(config["vps:apiToken"]) ?? text(config.apiToken),
  };
}

/**
 * A Configure variable by name. The engine keys them in the legacy `vps:config:apiUrl` form;
 * `vps:apiUrl` is accepted as well, as other engines and test harnesses send it.
 */
function configureVariable(variables: Record<string, string>, name: string): string | undefined {
  return text(variables[`vps:config:${name}`]) ?? text(variables[`vps:${name}`]);
}

/** The credentials of one Configure request, over those of `PULUMI_CONFIG`. */
export function credentialsFromConfigure(
  input: ConfigureInput,
  fallback: CredentialSource = credentialsFromPulumiConfig(),
): CredentialSource {
  return {
    apiUrl:
      text(input.args.apiUrl) ?? configureVariable(input.variables, "apiUrl") ?? fallback.apiUrl,
    apiToken:
      text(input.args.apiToken) ??
      configureVariable(input.variables, "apiToken") ??
      fallback.apiToken,
  };
}

let current: CredentialSource = {};

/** Records the provider's credentials for every resource and function it serves. */
export function useCredentials(credentials: CredentialSource): void {
  current = { ...credentials };
}

/** The provider's credentials (below a resource's own `apiUrl`/`apiToken` inputs). */
export function providerCredentials(): CredentialSource {
  return current;
}
