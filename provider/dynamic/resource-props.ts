/**
 * What the dynamic resource classes register, derived from a resource's schemas: its inputs
 * (names from the inputs schema) and the outputs it records (names from the state schema).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type InputsSchema, inputNames } from "../core/inputs";

/** A schema's inputs as a program passes them: each a `pulumi.Input`, optional ones optional. */
export type PulumiArgs<S extends InputsSchema> = {
  [K in keyof z.input<S>]: pulumi.Input<Exclude<z.input<S>[K], undefined>>;
};

/** Compiles only when `T` is `never`: `NoneLeft<Exclude<Recorded, Declared>>` names what is missing. */
export type NoneLeft<T extends never> = T;

/**
 * The properties a dynamic resource registers: every input of `inputs` as given (`apiToken`
 * made secret), then every output of `state` as undefined, so the engine's values land on the
 * class's output properties.
 */
export function registeredProperties(
  inputs: InputsSchema,
  state: InputsSchema,
  args: Record<string, unknown>,
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const name of inputNames(inputs)) props[name] = args[name];
  if (args.apiToken !== undefined) props.apiToken = pulumi.secret(args.apiToken);
  for (const name of inputNames(state)) props[name] = undefined;
  return props;
}
