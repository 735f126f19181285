/**
 * Where the API URL and token come from. Precedence, highest first:
 *
 * 1. the resource input or function argument (`apiUrl`, `apiToken`);
 * 2. the stack config `vps:apiUrl`, `vps:apiToken` (set the token with
 *    `pulumi config set --secret vps:apiToken …`);
 * 3. the environment variables `VPS_API_URL`, `VPS_API_TOKEN`, read when the call runs.
 *
 * The URL falls back to the platform's (the sdk's `DEFAULT_BASE_URL`). The token has no
 * fallback: without one, {@link resolveCredentials} throws before any request.
 */
import { DEFAULT_BASE_URL, VpsConfigurationError } from "../../sdk";

/** Stack config key of the API token (a secret). Full key: the provider sees every namespace. */
const API_TOKEN_CONFIG_KEY = "vps:apiToken";
/** Stack config key of the API base URL. */
const API_URL_CONFIG_KEY = "vps:apiUrl";
/** Environment variable of the API token. */
const API_TOKEN_ENV = "VPS_API_TOKEN";
/** Environment variable of the API base URL. */
const API_URL_ENV = "VPS_API_URL";

/** An API URL and token, either of which may be missing at one level of the precedence. */
export interface CredentialSource {
  apiUrl?: string | undefined;
  apiToken?: string | undefined;
}

/** The URL and token to call the API with. */
export interface ResolvedCredentials {
  apiUrl: string;
  apiToken: string;
}

/**
 * Reads the stack config level: `get` returns the value of a full config key (`vps:apiUrl`),
 * as the dynamic provider's `configure` request and the program's config both can.
 */
export function credentialsFromConfig(get: (key: string) => string | undefined): CredentialSource {
  return { apiUrl: get(API_URL_CONFIG_KEY), apiToken: get(API_TOKEN_CONFIG_KEY) };
}

/** The `apiUrl` / `apiToken` of recorded inputs, when they are strings (state is never trusted more). */
export function credentialsOf(values: Record<string, unknown>): CredentialSource {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return { apiUrl: text(values.apiUrl), apiToken: text(values.apiToken) };
}

function present(value: string | undefined): string | undefined {
  // An empty string is how an unset variable or config value often arrives: treat it as unset.
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

/**
 * Resolves the credentials from the levels given, highest precedence first (see the module
 * doc); the environment is always the last level.
 *
 * @param what What needs the token, for the error message (e.g. `ServerBackup "pre-deploy"`).
 * @throws VpsConfigurationError when no level holds a token.
 */
export function resolveCredentials(
  what: string,
  ...levels: CredentialSource[]
): ResolvedCredentials {
  const all = [
    ...levels,
    { apiUrl: process.env[API_URL_ENV], apiToken: process.env[API_TOKEN_ENV] },
  ];
  const apiUrl =
    all.map((level) => present(level.apiUrl)).find((value) => value !== undefined) ??
    DEFAULT_BASE_URL;
  const apiToken = all.map((level) => present(level.apiToken)).find((value) => value !== undefined);
  if (apiToken === undefined) {
    throw new VpsConfigurationError(
      `${what} has no API token: set the apiToken input, or the stack config ` +
        `(pulumi config set --secret ${API_TOKEN_CONFIG_KEY} <token>), or the environment variable ${API_TOKEN_ENV}`,
      { option: "apiToken" },
    );
  }
  return { apiUrl, apiToken };
}
