/**
 * The package schema of `pulumi-resource-vps`, derived from the families' zod schemas (the one
 * source of names, types, defaults and descriptions). Token and property names are the
 * plugin's contract with programs and stacks: they never change.
 */
import type { z } from "zod";
import {
  BackupResultSchema,
  GetBackupArgsSchema,
  GetBackupsArgsSchema,
  GetBackupsResultSchema,
} from "../../get-backups/schema";
import { ServerBackupInputsSchema, ServerBackupStateSchema } from "../../server-backup/schema";
import {
  RestoreServerArgsSchema,
  RestoreServerResultSchema,
  ServerRestoreInputsSchema,
  ServerRestoreStateSchema,
} from "../../server-restore/schema";
import { SCHEMA_LANGUAGE } from "../schema-language";
import { type ObjectSpec, type PropertySpec, type TypeTokens, objectSpec } from "./properties";
import { ProviderConfigSchema } from "./provider-config";

/** The resources the plugin serves, by token. */
export type ResourceToken = "vps:index:ServerBackup" | "vps:index:ServerRestore";
/** The functions the plugin serves, by token. */
export type FunctionToken =
  "vps:index:getBackups" | "vps:index:getBackup" | "vps:index:restoreServer";

/** A resource: what a user writes (`inputProperties`) and what the state holds (`properties`). */
export interface ResourceSpec {
  description: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}

/** A function: its arguments and its result. */
export interface FunctionSpec {
  description: string;
  inputs: ObjectSpec;
  outputs: ObjectSpec;
}

/** The package schema as `GetSchema` serves it. */
export interface PackageSchema {
  name: "vps";
  displayName: string;
  version: string;
  description: string;
  license: string;
  config: { variables: Record<string, PropertySpec> };
  provider: {
    description: string;
    inputProperties: Record<string, PropertySpec>;
    properties: Record<string, PropertySpec>;
  };
  types: Record<string, ObjectSpec & { type: "object" }>;
  resources: Record<ResourceToken, ResourceSpec>;
  functions: Record<FunctionToken, FunctionSpec>;
  language: typeof SCHEMA_LANGUAGE;
}

/** Zod objects nested in results, named under `types`. */
const TYPE_TOKENS: TypeTokens = new Map<z.ZodType, string>([
  [BackupResultSchema, "vps:index:Backup"],
]);

/** Output properties carry no default: the state holds what the user wrote. */
function withoutDefaults(properties: Record<string, PropertySpec>): Record<string, PropertySpec> {
  return Object.fromEntries(
    Object.entries(properties).map(([name, { default: _default, ...spec }]) => [name, spec]),
  );
}

function resource(token: ResourceToken, inputs: z.ZodObject, state: z.ZodObject): ResourceSpec {
  const given = objectSpec(inputs, token, "input", TYPE_TOKENS);
  const recorded = objectSpec(state, token, "output", TYPE_TOKENS);
  const requiredInputs = given.required ?? [];
  return {
    description: given.description,
    inputProperties: given.properties,
    requiredInputs,
    properties: { ...withoutDefaults(given.properties), ...recorded.properties },
    required: [...requiredInputs, ...(recorded.required ?? [])],
  };
}

function fn(token: FunctionToken, args: z.ZodObject, result: z.ZodObject): FunctionSpec {
  const inputs = objectSpec(args, `${token} arguments`, "input", TYPE_TOKENS);
  return {
    description: inputs.description,
    inputs,
    outputs: objectSpec(result, `${token} result`, "output", TYPE_TOKENS),
  };
}

/** Sorts object keys at every depth (arrays keep their order), for one stable JSON text. */
function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([key, entry]) => [key, sortedKeys(entry)])) as T;
}

/** Derives the package schema of plugin version `version`, with its keys sorted. */
export function derivePackageSchema(version: string, license: string): PackageSchema {
  const providerConfig = objectSpec(ProviderConfigSchema, "provider", "input", TYPE_TOKENS);
  const types: PackageSchema["types"] = {};
  for (const [schema, token] of TYPE_TOKENS) {
    types[token] = {
      type: "object",
      ...objectSpec(schema as z.ZodObject, token, "output", TYPE_TOKENS),
    };
  }
  return sortedKeys({
    name: "vps",
    displayName: "VPS Backups",
    version,
    description: "Backups and restores of VPS servers, as a native Pulumi provider.",
    license,
    config: { variables: providerConfig.properties },
    provider: {
      description: providerConfig.description,
      inputProperties: providerConfig.properties,
      properties: providerConfig.properties,
    },
    types,
    resources: {
      "vps:index:ServerBackup": resource(
        "vps:index:ServerBackup",
        ServerBackupInputsSchema,
        ServerBackupStateSchema,
      ),
      "vps:index:ServerRestore": resource(
        "vps:index:ServerRestore",
        ServerRestoreInputsSchema,
        ServerRestoreStateSchema,
      ),
    },
    functions: {
      "vps:index:getBackups": fn(
        "vps:index:getBackups",
        GetBackupsArgsSchema,
        GetBackupsResultSchema,
      ),
      "vps:index:getBackup": fn("vps:index:getBackup", GetBackupArgsSchema, BackupResultSchema),
      "vps:index:restoreServer": fn(
        "vps:index:restoreServer",
        RestoreServerArgsSchema,
        RestoreServerResultSchema,
      ),
    },
    language: SCHEMA_LANGUAGE,
  });
}
