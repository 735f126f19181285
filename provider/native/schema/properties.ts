/**
 * Turns zod schemas into the property and object specs of a Pulumi package schema. Only the
 * zod types the families use are mapped; any other one is an error naming the property, so a
 * new kind of input cannot reach the schema with a guessed type.
 */
import { z } from "zod";
import { ApiTokenInput } from "../../core/inputs";

/** `pulumi.json#/Any`: a value of any type (the elements of `triggers`). */
const ANY_REF = "pulumi.json#/Any";

/** A Pulumi type reference: a primitive type, an array, or a `$ref` to a named or built-in type. */
export interface TypeSpec {
  type?: "string" | "integer" | "number" | "boolean" | "array";
  items?: TypeSpec;
  $ref?: string;
}

/** One property of a resource, function, type or the provider. */
export interface PropertySpec extends TypeSpec {
  description: string;
  default?: string | number | boolean;
  secret?: true;
}

/** The properties of an object (resource inputs or outputs, function inputs or outputs, types). */
export interface ObjectSpec {
  description: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

/**
 * Which side of a zod schema is described: `input` for what a user writes (fields with a
 * default are optional and carry it), `output` for what the provider returns.
 */
export type Side = "input" | "output";

/** Zod objects that are named types under `types`, with their tokens (`vps:index:Backup`). */
export type TypeTokens = ReadonlyMap<z.ZodType, string>;

/** A field's schema without its wrappers, and what the wrappers said. */
interface Unwrapped {
  core: z.ZodType;
  optional: boolean;
  nullable: boolean;
  defaultValue: unknown;
}

function unwrap(field: z.ZodType, side: Side): Unwrapped {
  const found: Unwrapped = {
    core: field,
    optional: false,
    nullable: false,
    defaultValue: undefined,
  };
  for (;;) {
    const schema = found.core;
    if (schema instanceof z.ZodOptional) {
      found.optional = true;
      found.core = schema.unwrap() as z.ZodType;
    } else if (schema instanceof z.ZodNullable) {
      found.nullable = true;
      found.core = schema.unwrap() as z.ZodType;
    } else if (schema instanceof z.ZodDefault) {
      // A default makes an input optional; an output with a default is always there.
      if (side === "input") found.optional = true;
      found.defaultValue = schema.def.defaultValue;
      found.core = schema.unwrap() as z.ZodType;
    } else if (schema instanceof z.ZodPipe) {
      // A transform: the user writes what goes in, the provider returns what comes out.
      const next = (side === "input" ? schema.in : schema.out) as z.ZodType;
      found.core = next instanceof z.ZodTransform ? (schema.in as z.ZodType) : next;
    } else {
      return found;
    }
  }
}

function typeOf(schema: z.ZodType, where: string, side: Side, tokens: TypeTokens): TypeSpec {
  const { core } = unwrap(schema, side);
  if (core instanceof z.ZodString || core instanceof z.ZodEnum) return { type: "string" };
  if (core instanceof z.ZodNumber) return { type: core.isInt ? "integer" : "number" };
  if (core instanceof z.ZodBoolean) return { type: "boolean" };
  if (core instanceof z.ZodUnknown || core instanceof z.ZodAny) return { $ref: ANY_REF };
  if (core instanceof z.ZodArray) {
    return { type: "array", items: typeOf(core.element as z.ZodType, `${where}[]`, side, tokens) };
  }
  if (core instanceof z.ZodObject) {
    const token = tokens.get(core);
    if (token) return { $ref: `#/types/${token}` };
    throw new Error(`${where}: a nested object needs a type token (add it to the named types)`);
  }
  throw new Error(`${where}: no Pulumi type for the zod type "${core.def.type}"`);
}

function descriptionOf(schema: z.ZodType, where: string): string {
  const description = schema.description;
  if (!description)
    throw new Error(`${where} has no description: .describe() it in its zod schema`);
  return description;
}

/** True when the field is the API token (whatever wraps it): Pulumi keeps it secret. */
function isSecret(field: z.ZodType, side: Side): boolean {
  return unwrap(field, side).core === ApiTokenInput;
}

/** The property spec of one field: type, description, default (inputs only), secret. */
export function propertySpec(
  field: z.ZodType,
  where: string,
  side: Side,
  tokens: TypeTokens,
): PropertySpec {
  const spec: PropertySpec = {
    description: descriptionOf(field, where),
    ...typeOf(field, where, side, tokens),
  };
  const { defaultValue } = unwrap(field, side);
  if (side === "input" && ["string", "number", "boolean"].includes(typeof defaultValue)) {
    spec.default = defaultValue as string | number | boolean;
  }
  if (isSecret(field, side)) spec.secret = true;
  return spec;
}

/** Whether a value is always there: not optional, not nullable (and, for inputs, no default). */
export function isRequired(field: z.ZodType, side: Side): boolean {
  const { optional, nullable } = unwrap(field, side);
  return !optional && !nullable;
}

/** The spec of a zod object: its description, its properties and the ones always present. */
export function objectSpec(
  schema: z.ZodObject,
  where: string,
  side: Side,
  tokens: TypeTokens,
): ObjectSpec {
  const properties: Record<string, PropertySpec> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    properties[name] = propertySpec(field, `${where}.${name}`, side, tokens);
    if (isRequired(field, side)) required.push(name);
  }
  return {
    description: descriptionOf(schema, where),
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}
