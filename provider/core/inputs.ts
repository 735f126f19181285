/**
 * Inputs, checked one way everywhere. Each resource and function has ONE zod object schema (its
 * `…InputsSchema` / `…ArgsSchema`): the source of its input names, validation, defaults and
 * docs. This file holds the field schemas they share and turns a schema's issues into
 * `{ property, reason }` failures worded "<property> <what is wrong>, got <value>; <fix>", so a
 * bad value gets the same words in a resource's check and in a function's arguments.
 *
 * The id, description and backup-type fields ARE the sdk's schemas (one schema source); the
 * registry below only adds how their refusals are explained to a Pulumi user.
 */
import { z } from "zod";
import {
  BackupTypeFilterSchema,
  DEFAULT_BASE_URL,
  DescriptionSchema,
  IdSchema,
  VpsInvalidArgumentError,
} from "../../sdk";
import { describeValue } from "../../sdk";

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

/** An object schema of inputs: every field is a zod schema with a description. */
export type InputsSchema = z.ZodObject<Record<string, z.ZodType>>;

// An sdk schema's messages say only what is wrong ("must be a number"); the provider adds the
// value given and, where useful, how to fix it. Fields of the provider's own schemas word their
// whole reason themselves and are not in this registry.
const sdkFieldWording = z.registry<{ fix: string | undefined }>();

/** An sdk schema as an input: its refusals are followed by the value given and `fix`. */
function sdkField<T extends z.ZodType>(schema: T, fix?: string): T {
  const field = schema.clone();
  sdkFieldWording.add(field, { fix });
  return field;
}

function wordingOf(field: z.ZodType): { fix: string | undefined } | undefined {
  for (let schema: z.ZodType | undefined = field; schema !== undefined;) {
    const wording = sdkFieldWording.get(schema);
    if (wording) return wording;
    schema =
      schema instanceof z.ZodOptional || schema instanceof z.ZodDefault
        ? (schema.unwrap() as z.ZodType)
        : undefined;
  }
  return undefined;
}

/** A server or backup id (sdk `IdSchema`); `example` ends the fix, e.g. `12345`. */
export function idInput(example: string) {
  return sdkField(IdSchema, `set it to the numeric id, e.g. ${example}`);
}

/** A backup description (sdk `DescriptionSchema`). */
export const DescriptionInput = sdkField(DescriptionSchema, "shorten it or leave it out");

/** A `backupType` filter: "manual" or "automatic", any case (sdk `BackupTypeFilterSchema`). */
export const BackupTypeInput = sdkField(BackupTypeFilterSchema);

/** A list of values whose change forces a replacement. */
export const TriggersInput = z.array(z.unknown(), {
  error: (issue) =>
    `must be a list, got ${describeValue(issue.input)}; wrap the value in [ ], e.g. [appVersion]`,
});

/** A boolean flag. */
export const FlagInput = z.boolean({
  error: (issue) => `must be true or false, got ${describeValue(issue.input)}`,
});

function apiUrlProblem(value: unknown): string | undefined {
  const fix = `e.g. ${JSON.stringify(DEFAULT_BASE_URL)}`;
  if (typeof value !== "string" || value.trim() === "") {
    return `must be the API base URL, got ${describeValue(value)}; ${fix}`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a URL: ${describeValue(value)}; ${fix}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `must start with https:// (or http:// for a local emulator), got ${describeValue(value)}; ${fix}`;
  }
  return undefined;
}

/** The API base URL: an absolute http(s) URL. */
export const ApiUrlInput = z
  .string({ error: (issue) => apiUrlProblem(issue.input) })
  .refine((url) => apiUrlProblem(url) === undefined, {
    error: (issue) => apiUrlProblem(issue.input),
  });

// The value itself never appears in the reason: it is a token.
const API_TOKEN_PROBLEM =
  "must be a non-empty string (your API token); leave it out to use the stack config vps:apiToken or VPS_API_TOKEN";

/** The API token: a non-empty string. */
export const ApiTokenInput = z
  .string({ error: API_TOKEN_PROBLEM })
  .refine((token) => token.trim() !== "", { error: API_TOKEN_PROBLEM });

const statusFilterProblem = (issue: { input?: unknown }) =>
  `must be a non-empty string, got ${describeValue(issue.input)}; e.g. "completed"`;

/** A non-empty string such as a status filter. */
export const StatusFilterInput = z
  .string({ error: statusFilterProblem })
  .min(1, { error: statusFilterProblem });

function regexProblem(value: string): string | undefined {
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${describeValue(value)} (${(error as Error).message}); escape special characters such as ( [ . * with a backslash`;
  }
}

/** A JavaScript regular expression source. */
export const RegexInput = z
  .string({
    error: (issue) => `must be a regular expression string, got ${describeValue(issue.input)}`,
  })
  .refine((source) => regexProblem(source) === undefined, {
    error: (issue) => regexProblem(issue.input as string),
  });

/** The names of a schema's inputs, in declaration order. */
export function inputNames<S extends InputsSchema>(schema: S): (keyof S["shape"] & string)[] {
  return Object.keys(schema.shape) as (keyof S["shape"] & string)[];
}

/** Keeps only the schema's inputs (drops outputs, `__provider`, unknown names and absent values). */
export function pickInputs(schema: InputsSchema, values: Record<string, unknown>) {
  const inputs: Record<string, unknown> = {};
  for (const name of inputNames(schema)) {
    if (values[name] !== undefined && values[name] !== null) inputs[name] = values[name];
  }
  return inputs;
}

function reasonFor(property: string, field: z.ZodType, value: unknown, error: z.ZodError): string {
  const reason = error.issues.map((issue) => issue.message).join("; ");
  const wording = wordingOf(field);
  if (!wording) return `${property} ${reason}`;
  return `${property} ${reason}, got ${describeValue(value)}${wording.fix ? `; ${wording.fix}` : ""}`;
}

/**
 * Checks `values` against `schema`, field by field, and returns the inputs given (absent and
 * null values dropped, no defaults filled in: they are recorded as given) with every failure.
 * Unknown values (preview) always pass; an absent required input fails.
 */
export function checkInputs(
  schema: InputsSchema,
  values: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const inputs = pickInputs(schema, values);
  const failures: InputFailure[] = [];
  for (const [property, field] of Object.entries(schema.shape)) {
    const value = inputs[property];
    if (isUnknownInput(value)) continue;
    const parsed = field.safeParse(value);
    if (!parsed.success) {
      failures.push({ property, reason: reasonFor(property, field, value, parsed.error) });
    }
  }
  return { inputs, failures };
}

/**
 * The typed inputs (defaults filled in) of `values`, or a `VpsInvalidArgumentError` that names
 * every bad field, each reason as `check` words it, after `what: `.
 */
export function parseInputs<S extends InputsSchema>(
  what: string,
  schema: S,
  values: Record<string, unknown>,
): z.output<S> {
  const { inputs, failures } = checkInputs(schema, values);
  const first = failures[0];
  if (first) {
    const message = `${what}: ${failures.map((failure) => failure.reason).join("; ")}`;
    const value =
      first.property === "apiToken" ? "[redacted]" : describeValue(inputs[first.property]);
    throw new VpsInvalidArgumentError(message, { field: first.property, value });
  }
  const parsed = schema.safeParse(inputs);
  if (parsed.success) return parsed.data;
  // Only a value the engine has not resolved yet gets here: check lets it pass.
  const unknown = Object.keys(inputs).filter((name) => isUnknownInput(inputs[name]));
  throw new VpsInvalidArgumentError(`${what}: ${unknown.join(", ")} not known yet`, {
    field: unknown[0] ?? "",
    value: "unknown",
  });
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
