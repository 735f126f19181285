/** Parsers of flag values: each throws {@link UsageError} with a sentence that says what to type. */
import { BACKUP_TYPES } from "../sdk";
import { UsageError } from "./errors";

const ID = /^[1-9][0-9]{0,15}$/;

/** A server or backup id: a positive whole number. */
export function parseId(what: string, text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!ID.test(trimmed) || !Number.isSafeInteger(value)) {
    throw new UsageError(
      `${what} must be a positive whole number (like 12345), got ${JSON.stringify(clip(text))}`,
    );
  }
  return value;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as `90s`, `60m`, `1.5h` or `500ms` (a bare number is seconds), in ms. */
export function parseDuration(what: string, text: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1_000) : NaN;
  if (!match || !Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(
      `${what} must be a duration like 90s, 60m or 2h, got ${JSON.stringify(clip(text))}`,
    );
  }
  return Math.round(ms);
}

/** `manual` or `automatic`, any case. */
export function parseBackupType(text: string): string {
  const lower = text.trim().toLowerCase();
  if (!(BACKUP_TYPES as readonly string[]).includes(lower)) {
    throw new UsageError(
      `--type must be ${BACKUP_TYPES.join(" or ")}, got ${JSON.stringify(clip(text))}`,
    );
  }
  return lower;
}

export type OutputFormat = "table" | "json";

/** `table` or `json`. */
export function parseOutputFormat(text: string): OutputFormat {
  if (text === "table" || text === "json") return text;
  throw new UsageError(`-o/--output must be table or json, got ${JSON.stringify(clip(text))}`);
}

/** Values are echoed in messages only when short: a long one may be a pasted secret. */
function clip(text: string): string {
  return text.length > 24 ? `<${text.length} characters>` : text;
}
