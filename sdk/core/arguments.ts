/**
 * Checks of the arguments of the client's methods, made before any request: a bad one is a
 * `VpsInvalidArgumentError` that names the field, the value and the fix.
 */
import { VpsInvalidArgumentError } from "../errors";
import { describeValue } from "./describe-value";
import {
  BackupTypeFilterSchema,
  DescriptionSchema,
  MAX_DESCRIPTION_LENGTH,
  descriptionLength,
} from "../schemas";

/** `<field> <rule>; got <value> — <fix>` as a `VpsInvalidArgumentError`. */
export function invalidArgument(
  field: string,
  value: unknown,
  rule: string,
  fix: string,
): VpsInvalidArgumentError {
  return new VpsInvalidArgumentError(`${field} ${rule}; got ${describeValue(value)} — ${fix}`, {
    field,
    value: describeValue(value),
  });
}

/** Returns `value` when it is a positive safe integer; otherwise throws `VpsInvalidArgumentError`. */
export function validId(field: string, value: unknown, kind: "server" | "backup"): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  const fix =
    typeof value === "string" && /^\d+$/.test(value)
      ? `pass the number ${value}, not a string`
      : `pass the ${kind}'s numeric id (a whole number ≥ 1, e.g. ${kind === "server" ? 12345 : 501})`;
  throw invalidArgument(field, value, "must be a positive whole number", fix);
}

/** Throws unless `value` is a non-null object (an options or arguments bag). */
export function checkObject(field: string, value: unknown, rule: string, fix: string): void {
  if (value === null || typeof value !== "object") throw invalidArgument(field, value, rule, fix);
}

/**
 * Returns `value` (default `fallback`) when it is a positive finite number of milliseconds;
 * otherwise throws `VpsInvalidArgumentError` naming `field`.
 */
export function validDurationMs(
  field: string,
  value: unknown,
  fallback: number,
  fix: string,
): number {
  const durationMs = value ?? fallback;
  if (typeof durationMs === "number" && Number.isFinite(durationMs) && durationMs > 0)
    return durationMs;
  throw invalidArgument(field, durationMs, "must be a positive number of milliseconds", fix);
}

/** Checks a backup description: a string of at most 255 Unicode characters, or absent (null/undefined). */
export function checkDescription(description: unknown): void {
  if (description === undefined || description === null) return;
  if (typeof description !== "string") {
    throw invalidArgument(
      "description",
      description,
      "must be a string",
      "pass text, or leave it out",
    );
  }
  if (!DescriptionSchema.safeParse(description).success) {
    throw new VpsInvalidArgumentError(
      `description must be at most ${MAX_DESCRIPTION_LENGTH} characters; got ${descriptionLength(description)} characters — shorten it`,
      { field: "description", value: describeValue(description) },
    );
  }
}

/** The `backup_type` query value of a filter (`manual`/`automatic`, any case), lowercased. */
export function validBackupType(value: unknown): string {
  const parsed = BackupTypeFilterSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidArgument(
    "backupType",
    value,
    'must be "manual" or "automatic" (any case)',
    "pass one of those, or leave it out for both",
  );
}
