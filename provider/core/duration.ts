/**
 * Durations written the way Pulumi and Terraform users write timeouts: "45m", "90s", "1h30m".
 */
import { z } from "zod";
import { describeValue } from "../../sdk";

const UNIT_MILLISECONDS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type DurationUnit = keyof typeof UNIT_MILLISECONDS;
// Units must come largest first and at most once ("1h30m", not "30m1h" or "1m1m"): an order
// mistake is more likely a typo than an intent.
const UNIT_ORDER: readonly DurationUnit[] = ["h", "m", "s", "ms"];
const DURATION_PART = /(\d+)(ms|h|m|s)/y;

/** The longest timeout accepted, in milliseconds (24 hours): a longer one is almost surely a typo. */
export const MAX_DURATION_MS = 24 * UNIT_MILLISECONDS.h;

/** Why a duration string was refused, worded to follow "<field> …". */
class DurationFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "DurationFormatError";
  }
}

/**
 * Parses a duration such as `"45m"`, `"90s"`, `"1h30m"` or `"1500ms"` into milliseconds.
 * Units: `h`, `m`, `s`, `ms`, largest first, each at most once, whole numbers only. The result
 * is positive and at most {@link MAX_DURATION_MS} (24 hours).
 *
 * @throws DurationFormatError naming what is wrong and an example of a valid value.
 */
export function parseDuration(text: string): number {
  const example = 'write it like "45m", "90s" or "1h30m"';
  if (typeof text !== "string") {
    throw new DurationFormatError(
      `must be a duration string, got ${describeValue(text)}; ${example}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed === "") throw new DurationFormatError(`must not be empty; ${example}`);
  let totalMs = 0;
  let lastUnitIndex = -1;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const start = DURATION_PART.lastIndex;
    const match = DURATION_PART.exec(trimmed);
    if (!match) {
      throw new DurationFormatError(
        `is not a duration: ${JSON.stringify(text)} (unexpected ${JSON.stringify(trimmed.slice(start))}); ${example}`,
      );
    }
    const unit = match[2] as DurationUnit;
    const unitIndex = UNIT_ORDER.indexOf(unit);
    if (unitIndex <= lastUnitIndex) {
      throw new DurationFormatError(
        `is not a duration: ${JSON.stringify(text)} (units must appear once each, largest first: h, m, s, ms); ${example}`,
      );
    }
    lastUnitIndex = unitIndex;
    totalMs += Number(match[1]) * UNIT_MILLISECONDS[unit];
  }
  if (totalMs <= 0)
    throw new DurationFormatError(
      `must be longer than zero, got ${JSON.stringify(text)}; ${example}`,
    );
  if (totalMs > MAX_DURATION_MS) {
    throw new DurationFormatError(
      `must be at most 24h, got ${JSON.stringify(text)}; use a shorter timeout`,
    );
  }
  return totalMs;
}

/** Why `value` is not a duration, worded to follow "<field> …"; undefined when it is one. */
function durationProblem(value: unknown): string | undefined {
  try {
    parseDuration(value as string);
    return undefined;
  } catch (error) {
    if (error instanceof DurationFormatError) return error.reason;
    throw error;
  }
}

/** A duration input such as `"45m"` (see {@link parseDuration}); it stays a string in the state. */
export const DurationSchema = z
  .string({ error: (issue) => durationProblem(issue.input) })
  .refine((text) => durationProblem(text) === undefined, {
    error: (issue) => durationProblem(issue.input),
  });
