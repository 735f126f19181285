/**
 * Input validation shared by the resources' `check` and the functions' argument checks, so a
 * bad value gets the same words wherever it is given. Field rules come from the sdk's schemas
 * (the one schema source); this file only turns their issues into `{property, reason}`.
 */
import type { z } from "zod";
import { BackupTypeFilterSchema, DescriptionSchema, IdSchema } from "../sdk/schemas";
import { VpsInvalidArgumentError } from "../sdk/errors";
import { DurationFormatError, parseDuration } from "./duration";

/**
 * What Pulumi sends for an input whose value is not known yet (during `pulumi preview`), whatever
 * the input's type (pulumi/pulumi#6310). Equal to `pulumi.runtime.unknownValue`; written out so
 * the provider process need not load `@pulumi/pulumi` to recognise it.
 */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the engine has not resolved this input yet (preview): never a validation error. */
export function isUnknownInput(value: unknown): boolean {
  return value === UNKNOWN_INPUT;
}

/** One refused input, in the shape of Pulumi's `CheckFailure`. */
export interface InputFailure {
  /** The input's name, e.g. `serverId`. */
  property: string;
  /** What is wrong with the value and how to fix it. */
  reason: string;
}

/** Renders a value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    return value.length > 60
      ? `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)`
      : JSON.stringify(value);
  }
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}

function schemaReason(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues.map((issue) => issue.message).join("; ");
}

/** How one input is validated: returns the reason it is refused, or undefined. */
type InputRule = (property: string, value: unknown) => string | undefined;

/** A server or backup id (sdk `IdSchema`). */
export function idRule(example: string): InputRule {
  return (property, value) => {
    const reason = schemaReason(IdSchema, value);
    return (
      reason &&
      `${property} ${reason}, got ${describeValue(value)}; set it to the numeric id, e.g. ${example}`
    );
  };
}

/** A backup description (sdk `DescriptionSchema`). */
export const descriptionRule: InputRule = (property, value) => {
  const reason = schemaReason(DescriptionSchema, value);
  return reason && `${property} ${reason}, got ${describeValue(value)}; shorten it or leave it out`;
};

/** A duration string such as "45m" ({@link parseDuration}). */
export const durationRule: InputRule = (property, value) => {
  try {
    parseDuration(value as string);
    return undefined;
  } catch (error) {
    if (error instanceof DurationFormatError) return `${property} ${error.reason}`;
    throw error;
  }
};

/** A list of values whose change forces a replacement. */
export const triggersRule: InputRule = (property, value) =>
  Array.isArray(value)
    ? undefined
    : `${property} must be a list, got ${describeValue(value)}; wrap the value in [ ], e.g. [appVersion]`;

/** A boolean flag. */
export const booleanRule: InputRule = (property, value) =>
  typeof value === "boolean"
    ? undefined
    : `${property} must be true or false, got ${describeValue(value)}`;

/** The API base URL: an absolute http(s) URL. */
export const apiUrlRule: InputRule = (property, value) => {
  const fix = 'e.g. "https://admin.vps.org/api/v1"';
  if (typeof value !== "string" || value.trim() === "") {
    return `${property} must be the API base URL, got ${describeValue(value)}; ${fix}`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${property} is not a URL: ${describeValue(value)}; ${fix}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `${property} must start with https:// (or http:// for a local emulator), got ${describeValue(value)}; ${fix}`;
  }
  return undefined;
};

/** The API token: a non-empty string. The value itself never appears in the reason. */
export const apiTokenRule: InputRule = (property, value) =>
  typeof value === "string" && value.trim() !== ""
    ? undefined
    : `${property} must be a non-empty string (your API token); leave it out to use the stack config vps:apiToken or VPS_API_TOKEN`;

/** A `backupType` filter: "manual" or "automatic", any case (sdk `BackupTypeFilterSchema`). */
export const backupTypeRule: InputRule = (property, value) => {
  const reason = schemaReason(BackupTypeFilterSchema, value);
  return reason && `${property} ${reason}, got ${describeValue(value)}`;
};

/** A non-empty string such as a status filter. */
export const nonEmptyStringRule: InputRule = (property, value) =>
  typeof value === "string" && value !== ""
    ? undefined
    : `${property} must be a non-empty string, got ${describeValue(value)}; e.g. "completed"`;

/** A JavaScript regular expression source. */
export const regexRule: InputRule = (property, value) => {
  if (typeof value !== "string")
    return `${property} must be a regular expression string, got ${describeValue(value)}`;
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return `${property} is not a valid regular expression: ${describeValue(value)} (${(error as Error).message}); escape special characters such as ( [ . * with a backslash`;
  }
};

/** The rules of an argument object: which inputs exist, which are required, how each is checked. */
export type InputRules = Record<string, { required: boolean; rule: InputRule }>;

/**
 * Validates `values` against `rules` and returns every failure. Unknown values (preview) and
 * absent optional inputs pass; an absent required input fails.
 */
export function validateInputs(rules: InputRules, values: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  for (const [property, { required, rule }] of Object.entries(rules)) {
    const value = values[property];
    if (isUnknownInput(value)) continue;
    if (value === undefined || value === null) {
      // The rule's own words for a missing value already name the field and an example.
      if (required)
        failures.push({ property, reason: rule(property, undefined) ?? `${property} is required` });
      continue;
    }
    const reason = rule(property, value);
    if (reason) failures.push({ property, reason });
  }
  return failures;
}

/**
 * Validates the arguments of a function (`getBackups`, `restoreServer`, …) and throws a
 * `VpsInvalidArgumentError` naming every bad field before any request is made.
 */
export function assertValidArguments(
  functionName: string,
  rules: InputRules,
  values: Record<string, unknown>,
): void {
  const failures = validateInputs(rules, values);
  const first = failures[0];
  if (!first) return;
  const message = `${functionName}: ${failures.map((failure) => failure.reason).join("; ")}`;
  const value =
    first.property === "apiToken" ? "[redacted]" : describeValue(values[first.property]);
  throw new VpsInvalidArgumentError(message, { field: first.property, value });
}

/** Compares two input values as the engine stores them (JSON), ignoring key order. */
export function sameInputValue(left: unknown, right: unknown): boolean {
  return canonicalJson(left) === canonicalJson(right);
}

function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined && entry !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
