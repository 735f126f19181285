/**
 * The provider's own configuration (stack config `vps:apiUrl`, `vps:apiToken`, or the arguments
 * of an explicit provider instance), in zod like every other input, for the package schema.
 */
import { z } from "zod";
import { DEFAULT_BASE_URL } from "../../../sdk";
import { ApiTokenInput, ApiUrlInput } from "../../core/inputs";

export const ProviderConfigSchema = z
  .object({
    apiUrl: ApiUrlInput.optional().describe(
      "The API base URL of the resources and functions of this provider, unless they set their " +
        `own. Default: the environment variable \`VPS_API_URL\`, then \`${DEFAULT_BASE_URL}\`.`,
    ),
    apiToken: ApiTokenInput.optional().describe(
      "The API token of the resources and functions of this provider, unless they set their " +
        "own; kept as a secret (`pulumi config set --secret vps:apiToken …`). Default: the " +
        "environment variable `VPS_API_TOKEN`.",
    ),
  })
  .describe("The account the resources and functions use.");
