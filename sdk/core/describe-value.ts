/**
 * How every error message of the package shows a refused value: the client's argument and
 * option checks and the provider's input checks all render it here, so a bad value reads the
 * same wherever it was given.
 */
import { redactSecrets } from "../errors";

/**
 * Renders a value for an error message without dumping it: strings JSON-quoted (a string
 * over 60 characters clipped to its first 40, with its length), numbers and booleans as they
 * are, arrays and objects as JSON clipped to 80 characters. Registered secrets are redacted
 * before clipping, so a clipped token cannot slip past redaction as a fragment.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    const redacted = redactSecrets(value);
    return redacted.length > 60
      ? `${JSON.stringify(redacted.slice(0, 40))}... (${redacted.length} characters)`
      : JSON.stringify(redacted);
  }
  // NaN and Infinity are not JSON (they would read "null").
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return String(value);
    const redacted = redactSecrets(json);
    return redacted.length > 80 ? `${redacted.slice(0, 77)}...` : redacted;
  } catch {
    return String(value);
  }
}
