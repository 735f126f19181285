/**
 * The engine's raw property values, as a provider plugin receives them: secrets arrive wrapped
 * in an object tagged with Pulumi's secret signature, unknown preview values as a sentinel
 * string. The resource logic works on plain values, so every input is unwrapped first.
 */

/** The key of Pulumi's special-value signature (`sig` in the engine's property encoding). */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature value of a secret. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** What the engine sends for a value not known yet (preview), whatever the property's type. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True for a secret wrapper `{ [SIGNATURE_KEY]: SECRET_SIGNATURE, value }`. */
export function isSecretWrapper(value: unknown): value is { value?: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** True for the unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

/**
 * Removes every secret wrapper, at any depth (the value inside takes its place). Unknown
 * sentinels stay as they are: the resource logic already treats them as "not known yet".
 */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    const plain: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) plain[key] = unwrapSecrets(entry);
    return plain;
  }
  return value;
}

/** {@link unwrapSecrets} for a property map (an absent map reads as empty). */
export function plainProperties(
  values: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return (unwrapSecrets(values ?? {}) as Record<string, unknown>) ?? {};
}

/** Wraps a value as a secret, for an output the engine must store encrypted. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** The type token of a resource URN (`urn:pulumi:stack::project::[parent$]type::name`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/** The name of a resource URN. */
export function nameOfUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}
