/**
 * The whole recovery after a killed `pulumi up`, as a user runs it: one command,
 * `vps-backups recover --yes` (cli/recover), run as a real process against the stack's
 * folder and file backend. It prints its report as JSON (`-o json`), which the reliability
 * test reads for its figures.
 */
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import type { RecoveryReport } from "../../../cli/recover";
import type { PulumiStack, StateResource } from "../../../tools/pulumi-engine/stack";
import { runCli } from "../../integration/cli/support";

export type { RecoveryReport };

/** Ids of the ServerBackups recorded in a state export. */
export function serverBackupIds(resources: StateResource[]): number[] {
  return resources
    .filter((resource) => resource.type.endsWith(":ServerBackup") && resource.id)
    .map((resource) => Number(resource.id))
    .sort((a, b) => a - b);
}

/**
 * Runs `vps-backups recover --yes -o json` (without `--yes` when `plan` is set) on the stack
 * with the stack's own Pulumi environment and the API's credentials; throws with its output
 * when it does not exit 0.
 */
export async function runRecover(
  stack: PulumiStack,
  api: { url: string; token: string },
  options: { plan?: boolean } = {},
): Promise<{ report: RecoveryReport; stderr: string }> {
  const env = engine.pulumiEnv({
    engineDir: engine.ensurePulumi(),
    workDir: stack.workDir,
    extra: { VPS_API_URL: api.url, VPS_API_TOKEN: api.token },
  });
  const result = await runCli(
    [
      "recover",
      "--cwd",
      stack.projectDir,
      "--stack",
      stack.stackName,
      ...(options.plan ? [] : ["--yes"]),
      "-o",
      "json",
    ],
    { env, budgetMs: 300_000 },
  );
  if (result.code !== 0) {
    throw new Error(
      `vps-backups recover exited ${result.code}:\n${result.stderr}\n${result.stdout}`,
    );
  }
  return { report: JSON.parse(result.stdout) as RecoveryReport, stderr: result.stderr };
}
