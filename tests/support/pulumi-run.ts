/** Checks on the result of a `pulumi` run, shared by the e2e tests. */

/** Throws with the run's whole output unless it succeeded. */
export function expectSuccess(what: string, result: { code: number | null; output: string }): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.output}`);
}
