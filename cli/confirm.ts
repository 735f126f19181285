/**
 * Confirmation of a destructive command: `--yes` skips it; on a terminal the operator is
 * asked; without a terminal (a script, CI) the command refuses rather than guess (exit 2).
 */
import { createInterface } from "node:readline/promises";
import { EXIT_FAILURE, EXIT_USAGE, NotConfirmedError } from "./errors";

export interface ConfirmOptions {
  /** `--yes` was given. */
  yes: boolean;
  /** stdin is a terminal. */
  interactive: boolean;
  stdin: NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream;
  /** What will happen, shown before the question (already written when `yes`). */
  action: string;
  /** The flag spelled in the refusal, e.g. "delete 3 backups". */
  what: string;
}

/** Resolves when the operator agreed; throws {@link NotConfirmedError} otherwise. */
export async function confirm(options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  if (!options.interactive) {
    throw new NotConfirmedError(
      `refusing to ${options.what} without confirmation: stdin is not a terminal; add --yes to confirm`,
      EXIT_USAGE,
    );
  }
  const prompt = createInterface({ input: options.stdin, output: options.stderr });
  try {
    const answer = await prompt.question(
      `${options.action ? `${options.action}\n` : ""}Continue? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new NotConfirmedError(`not confirmed: did not ${options.what}`, EXIT_FAILURE);
    }
  } finally {
    prompt.close();
  }
}
