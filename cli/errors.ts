/**
 * How the command line ends: exit 0 on success, 1 when the API or the runtime failed (the
 * sdk's message), 2 for a usage error (a bad flag, a bad id, missing credentials: nothing
 * was sent).
 */
import { VpsConfigurationError, VpsInvalidArgumentError } from "../sdk";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in the invocation, found before any request: exit 2 with the usage line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The user declined a confirmation, or one was needed and there was no terminal to ask. */
export class NotConfirmedError extends Error {
  override readonly name = "NotConfirmedError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The exit code of an error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof NotConfirmedError) return error.exitCode;
  // The sdk refuses these before sending anything: the invocation is at fault.
  if (error instanceof VpsConfigurationError || error instanceof VpsInvalidArgumentError) {
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}
